/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Retry-After header values, RFC 3261 section 20.33:
 *
 *   Retry-After  =  "Retry-After" HCOLON delta-seconds
 *                   [ comment ] *( SEMI retry-param )
 *   retry-param  =  ("duration" EQUAL delta-seconds) / generic-param
 *
 * The parser takes the header body (after the colon) and never reads past
 * `len`. It accepts nothing the grammar refuses, so that a malformed value
 * is counted as "no Retry-After" rather than guessed at.
 */
#ifndef RG_RETRY_AFTER_H
#define RG_RETRY_AFTER_H

#include <stddef.h>
#include <stdint.h>

/* delta-seconds above this are refused as malformed (RFC: 32 bits) */
#define RG_RA_MAX_SECONDS 4294967295ULL

struct rg_retry_after
{
	uint32_t seconds;  /* delta-seconds */
	int64_t duration;  /* ;duration= value, or -1 when absent */
};

/* 0 and fills `ra` when well-formed, -1 when malformed (ra untouched). */
int rg_retry_after_parse(const char *s, size_t len, struct rg_retry_after *ra);

/*
 * Find Retry-After in a raw SIP header block (the bytes after the start
 * line, up to the blank line or `len`), without a full header parser, so a
 * malformed value costs nothing but our own verdict. Returns how many
 * Retry-After headers there are, and the value of the first (folded lines
 * joined by the caller's parser, which skips LWS) in val/vlen.
 */
int rg_retry_after_find(
		const char *hdrs, size_t len, const char **val, size_t *vlen);

/*
 * The seconds to suggest upstream, spread (retry_after_jitter): `secs`
 * plus up to `pct` percent of it in whole seconds (rounded down, so never
 * more than asked), chosen by `rnd` (any random number). 0 stays 0;
 * `pct` 0 changes nothing.
 */
uint32_t rg_retry_after_jitter(uint32_t secs, unsigned int pct, uint32_t rnd);

#endif
