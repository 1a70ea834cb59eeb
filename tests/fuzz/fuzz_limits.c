/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: the limits file parser (rg_limits.c), whole files. Every
 * applied line has a normalised key and limits in range, and a file is
 * either applied whole or not at all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rg_limits.h"

static const struct rg_limit dflt = {0, 2, 0};

static int check(void *arg, const struct rg_limit_line *l)
{
	char again[RG_KEY_MAX + 1];

	(*(int *)arg)++;
	if(l->key_len <= 0 || l->key_len > RG_KEY_MAX
			|| (int)strlen(l->key) != l->key_len)
		abort();
	if(rg_key_normalize(l->key, (size_t)l->key_len, again) != l->key_len)
		abort();
	if(l->lim.mcps > RG_LIMIT_MAX * 1000u || l->lim.burst < 1
			|| l->lim.burst > RG_LIMIT_MAX
			|| l->lim.max_concurrent > RG_LIMIT_MAX)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	const char *err = NULL;
	int applied = 0, failed = 0, line = 0, rc;
	uint32_t mcps;

	if(copy == NULL)
		return 0;
	memcpy(copy, data, size);
	rc = rg_limits_parse(
			copy, size, &dflt, check, &applied, &failed, &line, &err);
	if(rc < 0 && (applied != 0 || err == NULL || line < 1))
		abort();
	if(rc >= 0 && rc != applied)
		abort();
	if(rg_limits_parse_rate(copy, size, &mcps) == 0
			&& mcps > RG_LIMIT_MAX * 1000u)
		abort();
	free(copy);
	return 0;
}
