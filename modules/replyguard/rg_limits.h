/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The limits file: one destination a line.
 *
 *   # key                     cps   burst  max_concurrent
 *   sip:203.0.113.10:5060     20    5      100
 *   carrier-x                 2.5          # burst, cap: the defaults
 *   sip:gw2.example.net       10    -      30
 *
 * Fields are separated by blanks; `#` starts a comment. `cps` may have up
 * to three decimals (0 = no rate limit); burst (>= 1) and max_concurrent
 * (0 = no cap) are whole numbers, and `-` or an absent field means the
 * module's default. Keys are normalised like rg_allow()'s, so a URI may
 * be written in any spelling. A key listed twice keeps its last line.
 */
#ifndef RG_LIMITS_H
#define RG_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "rg_key.h"
#include "rg_throttle.h"

/* the highest rate, burst or cap accepted */
#define RG_LIMIT_MAX 1000000u

struct rg_limit_line
{
	char key[RG_KEY_MAX + 1];
	int key_len;
	struct rg_limit lim;
};

/*
 * "12", "0.5", "2.125", "2.500000": milli-calls per second. 0, or -1 when
 * malformed or finer than a thousandth.
 */
int rg_limits_parse_rate(const char *s, size_t len, uint32_t *mcps);

/*
 * One line (without its newline): 1 and `out` filled, 0 for a blank or
 * comment line, -1 with a static English reason in `err`.
 */
int rg_limits_parse_line(const char *s, size_t len, const struct rg_limit *dflt,
		struct rg_limit_line *out, const char **err);

/*
 * A whole file in memory. Every line is checked first; on the first bad
 * one, nothing is applied and -1 is returned with its number (from 1) in
 * `err_line` and the reason in `err`. Otherwise `apply` runs for each
 * entry in order (when not NULL) and the number of entries is returned;
 * an `apply` that returns < 0 is counted in `failed` and the rest go on.
 */
int rg_limits_parse(const char *buf, size_t len, const struct rg_limit *dflt,
		int (*apply)(void *arg, const struct rg_limit_line *l), void *arg,
		int *failed, int *err_line, const char **err);

/*
 * The arguments of rg_set_limit() and replyguard.set_limit, checked the
 * same way for script, KEMI and RPC: `key` normalised, `mcps` at most
 * RG_LIMIT_MAX cps, `burst` 1..RG_LIMIT_MAX (< 0: the default; 0 is an
 * error), `max_concurrent` 0..RG_LIMIT_MAX (< 0: the default). 0 fills
 * `out`; -1 sets `err` and leaves `out` undefined.
 */
int rg_limits_check_args(const char *key, size_t klen, uint32_t mcps,
		long burst, long max_concurrent, const struct rg_limit *dflt,
		struct rg_limit_line *out, const char **err);

/*
 * Is `s` (`len` bytes) a table name that can go into SQL as it is: an
 * identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes), or two joined
 * by one dot (schema.table)? 1 or 0.
 */
int rg_limits_table_ok(const char *s, size_t len);

#endif
