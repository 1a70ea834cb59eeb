/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A set of final reply codes (300..699), from a modparam such as
 * "500,502,504": failover_codes and failure_codes.
 */
#ifndef RG_CODES_H
#define RG_CODES_H

#include <stdint.h>

#define RG_CODES_MIN 300
#define RG_CODES_MAX 699

struct rg_codes
{
	uint64_t bits[(RG_CODES_MAX - RG_CODES_MIN) / 64 + 1];
};

/*
 * Parse `list` (codes separated by commas and blanks; "" or NULL is the
 * empty set) into `c`. 0, or -1 when an item is not a code in
 * RG_CODES_MIN..RG_CODES_MAX (then `c` is empty).
 */
int rg_codes_parse(const char *list, struct rg_codes *c);

static inline int rg_codes_has(const struct rg_codes *c, int code)
{
	unsigned int i = (unsigned int)(code - RG_CODES_MIN);

	if(code < RG_CODES_MIN || code > RG_CODES_MAX)
		return 0;
	return (c->bits[i / 64] >> (i % 64)) & 1;
}

#endif
