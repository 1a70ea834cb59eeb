/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <string.h>

#include "rg_counters.h"

static const char *const rg_counter_names[RG_C_COUNT] = {
#define RG_X_NAME(id, name) name,
		RG_COUNTER_LIST(RG_X_NAME)
#undef RG_X_NAME
};

const char *rg_counter_name(enum rg_counter c)
{
	if((unsigned int)c >= RG_C_COUNT)
		return NULL;
	return rg_counter_names[c];
}

int rg_counter_by_name(const char *name, size_t len)
{
	int i;

	for(i = 0; i < RG_C_COUNT; i++) {
		if(strlen(rg_counter_names[i]) == len
				&& memcmp(rg_counter_names[i], name, len) == 0)
			return i;
	}
	return -1;
}
