/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_limits.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int rg_limits_parse_rate(const char *s, size_t len, uint32_t *mcps)
{
	uint64_t whole = 0, frac = 0;
	size_t i = 0, nd = 0, nf = 0;

	while(i < len && s[i] >= '0' && s[i] <= '9') {
		whole = whole * 10 + (uint64_t)(s[i++] - '0');
		if(whole > RG_LIMIT_MAX)
			return -1;
		nd++;
	}
	if(i < len && s[i] == '.') {
		i++;
		while(i < len && s[i] >= '0' && s[i] <= '9') {
			if(++nf > 3) {
				/* "2.500000" (kamcmd's doubles) is fine; finer is not */
				if(s[i++] != '0')
					return -1;
				continue;
			}
			frac = frac * 10 + (uint64_t)(s[i++] - '0');
		}
		if(nf == 0)
			return -1;
	}
	if(i != len || nd == 0)
		return -1;
	for(; nf < 3; nf++)
		frac *= 10;
	/* the whole part may be the maximum only without a fraction; found by
	 * fuzzing ("1000000.1" was taken as 1000000100 mcps) */
	if(whole * 1000 + frac > (uint64_t)RG_LIMIT_MAX * 1000)
		return -1;
	*mcps = (uint32_t)(whole * 1000 + frac);
	return 0;
}

/* a whole number 0..RG_LIMIT_MAX */
static int parse_uint(const char *s, size_t len, uint32_t *v)
{
	uint64_t n = 0;
	size_t i;

	if(len == 0)
		return -1;
	for(i = 0; i < len; i++) {
		if(s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (uint64_t)(s[i] - '0');
		if(n > RG_LIMIT_MAX)
			return -1;
	}
	*v = (uint32_t)n;
	return 0;
}

int rg_limits_parse_line(const char *s, size_t len, const struct rg_limit *dflt,
		struct rg_limit_line *out, const char **err)
{
	const char *f[5];
	size_t fl[5];
	size_t i = 0, n = 0;
	uint32_t mcps, v;
	long burst = -1, maxc = -1;

	while(i < len) {
		while(i < len && is_blank(s[i]))
			i++;
		if(i == len || s[i] == '#')
			break;
		if(n == 4) {
			*err = "too many fields (key cps [burst [max_concurrent]])";
			return -1;
		}
		f[n] = s + i;
		while(i < len && !is_blank(s[i]) && s[i] != '#')
			i++;
		fl[n] = (size_t)(s + i - f[n]);
		n++;
	}
	if(n == 0)
		return 0;
	if(n == 1) {
		*err = "no cps after the destination";
		return -1;
	}
	if(rg_limits_parse_rate(f[1], fl[1], &mcps) < 0) {
		*err = "cps must be a number 0..1000000 with up to 3 decimals";
		return -1;
	}
	if(n > 2 && !(fl[2] == 1 && f[2][0] == '-')) {
		if(parse_uint(f[2], fl[2], &v) < 0 || v == 0) {
			*err = "burst must be a whole number 1..1000000, or -";
			return -1;
		}
		burst = v;
	}
	if(n > 3 && !(fl[3] == 1 && f[3][0] == '-')) {
		if(parse_uint(f[3], fl[3], &v) < 0) {
			*err = "max_concurrent must be a whole number 0..1000000, or -";
			return -1;
		}
		maxc = v;
	}
	/* the key, and the limit assembled, as rg_set_limit() does */
	if(rg_limits_check_args(f[0], fl[0], mcps, burst, maxc, dflt, out, err) < 0)
		return -1;
	return 1;
}

int rg_limits_parse(const char *buf, size_t len, const struct rg_limit *dflt,
		int (*apply)(void *arg, const struct rg_limit_line *l), void *arg,
		int *failed, int *err_line, const char **err)
{
	struct rg_limit_line l;
	const char *p, *end = buf + len, *nl;
	int pass, line, rc, n = 0;

	*failed = 0;
	*err_line = 0;
	for(pass = 0; pass < 2; pass++) {
		if(pass == 1 && apply == NULL)
			break;
		n = 0;
		line = 0;
		for(p = buf; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if(nl == NULL)
				nl = end;
			line++;
			if(memchr(p, '\0', (size_t)(nl - p)) != NULL) {
				*err_line = line;
				*err = "NUL byte in line";
				return -1;
			}
			rc = rg_limits_parse_line(p, (size_t)(nl - p), dflt, &l, err);
			if(rc < 0) {
				*err_line = line;
				return -1;
			}
			if(rc == 0)
				continue;
			n++;
			if(pass == 1 && apply(arg, &l) < 0)
				(*failed)++;
		}
	}
	return n;
}

int rg_limits_check_args(const char *key, size_t klen, uint32_t mcps,
		long burst, long max_concurrent, const struct rg_limit *dflt,
		struct rg_limit_line *out, const char **err)
{
	int k;

	k = rg_key_normalize(key, klen, out->key);
	if(k < 0) {
		*err = rg_key_strerror(k);
		return -1;
	}
	if(mcps > RG_LIMIT_MAX * 1000u) {
		*err = "cps must be 0..1000000";
		return -1;
	}
	if(burst == 0 || burst > (long)RG_LIMIT_MAX) {
		*err = "burst must be 1..1000000";
		return -1;
	}
	if(max_concurrent > (long)RG_LIMIT_MAX) {
		*err = "max_concurrent must be 0..1000000";
		return -1;
	}
	out->key_len = k;
	out->lim = *dflt;
	out->lim.mcps = mcps;
	if(burst > 0)
		out->lim.burst = (uint32_t)burst;
	if(max_concurrent >= 0)
		out->lim.max_concurrent = (uint32_t)max_concurrent;
	return 0;
}

/* one identifier of `len` bytes */
static int ident_ok(const char *s, size_t len)
{
	size_t i;

	if(len == 0 || len > 63)
		return 0;
	for(i = 0; i < len; i++) {
		char c = s[i];

		if(!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
				   || (i > 0 && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

int rg_limits_table_ok(const char *s, size_t len)
{
	const char *dot = s != NULL ? memchr(s, '.', len) : NULL;

	if(s == NULL)
		return 0;
	if(dot == NULL)
		return ident_ok(s, len);
	return ident_ok(s, (size_t)(dot - s))
		   && ident_ok(dot + 1, len - (size_t)(dot - s) - 1);
}
