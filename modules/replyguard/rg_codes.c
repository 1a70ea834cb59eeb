/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_codes.h"

int rg_codes_parse(const char *list, struct rg_codes *c)
{
	const char *p = list;
	unsigned int i;
	long v;

	memset(c, 0, sizeof(*c));
	while(p != NULL && *p != '\0') {
		while(*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if(*p == '\0')
			break;
		for(v = 0; *p >= '0' && *p <= '9' && v <= RG_CODES_MAX; p++)
			v = v * 10 + (*p - '0');
		if(v < RG_CODES_MIN || v > RG_CODES_MAX
				|| (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t')) {
			memset(c, 0, sizeof(*c));
			return -1;
		}
		i = (unsigned int)(v - RG_CODES_MIN);
		c->bits[i / 64] |= 1ull << (i % 64);
	}
	return 0;
}
