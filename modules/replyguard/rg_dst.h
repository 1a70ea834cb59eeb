/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Destinations as script sees them: from a raw string (or $du/$ru) to a
 * table reference, and the per-process record of which destination the
 * current message last used, which $rg() reads.
 */
#ifndef RG_DST_H
#define RG_DST_H

#include <stdint.h>

#include "core/parser/msg_parser.h"
#include "core/str.h"

#include "rg_key.h"
#include "rg_types-t.h"

struct rg_dst
{
	char key[RG_KEY_MAX + 1];
	int key_len;
	struct rg_ref ref;
	struct rg_key_hashes hash; /* set by rg_dst_key() */
};

/*
 * Normalise `raw` into dst->key. 0, or RG_EBADKEY; with `for_call` (a call
 * being admitted) a refusal is counted in the summary and logged, at most
 * one line per process every 10 s.
 */
int rg_dst_key(const str *raw, int for_call, struct rg_dst *dst);

/* Log (rate-limited) that a call's destination was not tracked: full. */
void rg_dst_warn_full(const str *raw);

/*
 * Normalise `raw` and find (or, with `create`, add) its entry.
 * Returns RG_OK, RG_ENOTFOUND, RG_EFULL, or RG_EBADKEY. With `create` (a
 * call being admitted) a refusal is counted in the summary and logged, at
 * most one line per process every 10 s; a plain lookup only fails.
 */
int rg_dst_resolve(const str *raw, int create, struct rg_dst *dst);
#define RG_EBADKEY (-100)

/* The destination of a new call: `$du` when set, else `$ru`. */
int rg_dst_default(struct sip_msg *msg, str *out);

/* From mod_init: retry_after_jitter, percent of spread, 0..100. */
void rg_dst_init(int jitter_pct);

/*
 * The seconds to suggest upstream for a refusal or a blocked set:
 * `secs`, spread by retry_after_jitter so refused callers do not all
 * come back at once.
 */
uint32_t rg_dst_suggest(uint32_t secs);

/* Remember `dst` (and an advised retry_after) as this message's last. */
void rg_dst_set_current(
		struct sip_msg *msg, const struct rg_dst *dst, uint32_t retry_after);

/* Only an advised retry_after, for no destination in particular. */
void rg_dst_set_retry_only(struct sip_msg *msg, uint32_t retry_after);

/* The per-process "current destination", saved around event routes. */
struct rg_dst_ctx
{
	unsigned int msg_id;
	int valid;
	struct rg_dst dst;
	uint32_t retry_after;
};
void rg_dst_ctx_save(struct rg_dst_ctx *ctx);
void rg_dst_ctx_restore(const struct rg_dst_ctx *ctx);

/* This message's last destination, or NULL. */
const struct rg_dst *rg_dst_current(struct sip_msg *msg, uint32_t *retry_after);

#endif
