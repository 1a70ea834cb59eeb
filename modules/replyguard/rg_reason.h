/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Why a 503 came: the Reason header (RFC 3326), and which causes say the
 * call itself failed rather than the destination being overloaded.
 *
 *   Reason          =  "Reason" HCOLON reason-value *(COMMA reason-value)
 *   reason-value    =  protocol *(SEMI reason-params)
 *   protocol        =  "SIP" / "Q.850" / token
 *   reason-params   =  protocol-cause / reason-text / reason-extension
 *   protocol-cause  =  "cause" EQUAL cause        (cause = 1*DIGIT)
 *
 * A reply's cause is its first well-formed Q.850 cause (0..127), else its
 * first SIP cause (a final code, 300..699): a gateway that states both gives the Q.850
 * one as the finer. A value that breaks the grammar gives no cause (it is
 * counted as a 503 without one, and handled as one). The parser never
 * reads past `len`.
 */
#ifndef RG_REASON_H
#define RG_REASON_H

#include <stddef.h>
#include <stdint.h>

#include "rg_codes.h"

enum rg_cause_proto
{
	RG_CAUSE_NONE = 0,
	RG_CAUSE_Q850 = 1,
	RG_CAUSE_SIP = 2
};

struct rg_cause
{
	uint8_t proto; /* enum rg_cause_proto */
	uint16_t num;
};

#define RG_Q850_MAX 127

/* the causes that say the call failed, not the destination */
struct rg_cause_set
{
	uint64_t q850[2];	 /* bit n: Q.850 cause n */
	struct rg_codes sip; /* SIP causes (300..699) */
};

/*
 * One Reason header's value: 0, with the best cause of its reason-values
 * merged into *best (a Q.850 cause replaces a SIP one, never the
 * reverse; an earlier one of the same protocol stays); -1 when it breaks
 * the grammar (*best untouched).
 */
int rg_reason_parse(const char *s, size_t len, struct rg_cause *best);

/*
 * The cause of the header block `hdrs` (the bytes after the status line):
 * every Reason header is read; one that breaks the grammar is skipped.
 * The number of malformed ones is returned (0: all well-formed).
 */
int rg_reason_find(const char *hdrs, size_t len, struct rg_cause *out);

/*
 * Parse a Q.850 list such as "1-31,48-127" (numbers and ranges, commas and
 * blanks) into `set`: 0, or -1 when an item is not a cause 0..127 or a
 * range is backwards (the set's Q.850 part is then empty).
 */
int rg_cause_q850_parse(const char *list, struct rg_cause_set *set);

/* Does cause `c` say the call failed (not the destination)? */
static inline int rg_cause_is_call(const struct rg_cause_set *set,
		const struct rg_cause *c)
{
	if(c->proto == RG_CAUSE_Q850)
		return c->num <= RG_Q850_MAX
			   && ((set->q850[c->num / 64] >> (c->num % 64)) & 1);
	if(c->proto == RG_CAUSE_SIP)
		return rg_codes_has(&set->sip, c->num);
	return 0;
}

/*
 * The 503s of one destination by cause: the first RG_CAUSE_SLOTS causes
 * seen each have a count; the rest are counted together in `other`.
 * A 503 without a cause is in none of them.
 */
#define RG_CAUSE_SLOTS 6

struct rg_cause_counts
{
	struct
	{
		uint8_t proto; /* RG_CAUSE_NONE: the slot is free */
		uint16_t num;
		uint32_t n;
	} slot[RG_CAUSE_SLOTS];
	uint32_t other;
};

void rg_cause_count(struct rg_cause_counts *cc, const struct rg_cause *c);

#endif
