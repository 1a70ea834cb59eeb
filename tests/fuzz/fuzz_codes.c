/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: reply code lists (rg_codes.c: failure_codes,
 * failover_codes). A list is accepted whole or refused whole, and an
 * accepted list holds exactly the codes 300..699 written in it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rg_codes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_codes c, want;
	char *s = malloc(size + 1);
	const char *p;
	int code, i;

	if(s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if(rg_codes_parse(s, &c) < 0) {
		/* refused: nothing is left in the set */
		for(code = 0; code < 1000; code++) {
			if(rg_codes_has(&c, code))
				abort();
		}
		free(s);
		return 0;
	}
	/* accepted: the numbers between separators are the set */
	memset(&want, 0, sizeof(want));
	for(p = s; *p;) {
		if(*p < '0' || *p > '9') {
			if(*p != ' ' && *p != ',' && *p != '\t')
				abort(); /* accepted something that is no list */
			p++;
			continue;
		}
		for(code = 0; *p >= '0' && *p <= '9'; p++)
			code = code < 100000 ? code * 10 + (*p - '0') : code;
		if(code < RG_CODES_MIN || code > RG_CODES_MAX)
			abort();
		i = code - RG_CODES_MIN;
		want.bits[i / 64] |= 1ull << (i % 64);
	}
	if(memcmp(&c, &want, sizeof(c)) != 0)
		abort();
	/* and the lookup agrees, out of range included */
	for(code = 0; code < 1000; code++) {
		if(rg_codes_has(&c, code) != rg_codes_has(&want, code))
			abort();
	}
	if(rg_codes_has(&c, 299) || rg_codes_has(&c, 700))
		abort();
	free(s);
	return 0;
}
