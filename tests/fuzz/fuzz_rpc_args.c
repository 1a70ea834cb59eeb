/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: the arguments of replyguard.set_limit / rg_set_limit as the
 * RPC layer hands them over (strings and integers), through the same
 * checks the module runs (rg_limits_parse_rate, rg_limits_check_args,
 * rg_key_normalize for get/block/unblock/reset). Input: up to four
 * newline-separated fields: dst, cps, burst, max_concurrent.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rg_limits.h"

static const struct rg_limit dflt = {0, 1, 0};

/* an RPC integer: like the transports, any long, or the default */
static long as_int(const char *s, size_t n, long dflt_v)
{
	char buf[32];
	char *end;
	long v;

	if(n == 0 || n >= sizeof(buf))
		return dflt_v;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if(*end != '\0' || v < INT_MIN || v > INT_MAX)
		return dflt_v; /* the transport refuses it: a 400 */
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[4] = {"", "", "", ""};
	size_t flen[4] = {0, 0, 0, 0};
	struct rg_limit_line l;
	const char *p = (const char *)data, *end = p + size, *err = NULL, *nl;
	char key[RG_KEY_MAX + 1];
	char *copy;
	uint32_t mcps;
	int i, k;

	for(i = 0; i < 4 && p <= end; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		f[i] = p;
		flen[i] = (size_t)((nl ? nl : end) - p);
		p = nl ? nl + 1 : end + 1;
	}
	copy = malloc(flen[0] ? flen[0] : 1);
	if(copy == NULL)
		return 0;
	memcpy(copy, f[0], flen[0]);
	k = rg_key_normalize(copy, flen[0], key);
	if(k > RG_KEY_MAX)
		abort();
	if(rg_limits_parse_rate(f[1], flen[1], &mcps) == 0) {
		if(mcps > RG_LIMIT_MAX * 1000u)
			abort();
		if(rg_limits_check_args(copy, flen[0], mcps, as_int(f[2], flen[2], -1),
				   as_int(f[3], flen[3], -1), &dflt, &l, &err)
				== 0) {
			if(k < 0 || l.key_len != k || memcmp(l.key, key, (size_t)k) != 0
					|| l.lim.burst < 1 || l.lim.burst > RG_LIMIT_MAX
					|| l.lim.max_concurrent > RG_LIMIT_MAX)
				abort();
		} else if(err == NULL) {
			abort();
		}
	}
	free(copy);
	return 0;
}
