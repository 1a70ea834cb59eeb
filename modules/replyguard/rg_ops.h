/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operations on destinations, typed: each builds one struct rg_op and
 * runs it through the table (lock, entry operation, snapshot if changed,
 * unlock). The glue calls them through rg_update.c, which applies the
 * changes they report; tests and benchmarks call them directly.
 */
#ifndef RG_OPS_H
#define RG_OPS_H

#include "rg_table.h"

/* Find (or, with `create`, add) the entry of the normalised `key`. */
int rg_op_lookup(struct rg_table *t, const char *key, int len, int create,
		uint64_t now_ms, struct rg_ref *ref);

/*
 * Admission of a new call to `key` (added when new), with the host's
 * optional name for it (`ext`): lookup and verdict in one lock section,
 * the only one a call takes. RG_ADMITTED, RG_BLOCKED, RG_THROTTLED, or
 * RG_EFULL when the key is not tracked. `out` gets the reference, the
 * seconds to suggest upstream when refused, whether the call is held in
 * flight (release it once) and its trial token.
 */
int rg_op_admit(struct rg_table *t, const char *key, int len,
		const struct rg_ext *ext, uint64_t now_ms, struct rg_admission *out,
		struct rg_change *chg);

/* One reply (see rg_entry.h for what it counts and means). */
int rg_op_reply(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_reply *r, uint64_t now_ms, struct rg_change *chg);

/*
 * A call that got no final reply in time: a failure when `failure` (no
 * provisional reply above 100); with `release`, its hold ends.
 */
int rg_op_timeout(struct rg_table *t, const struct rg_ref *ref, int failure,
		int release, uint64_t trial, uint64_t now_ms, struct rg_change *chg);

/*
 * Take back an admission at `admitted_ms` whose call was never sent: the
 * attempt uncounted, the hold (when `held`) released, the rate token
 * refunded and the trial freed.
 */
int rg_op_unadmit(struct rg_table *t, const struct rg_ref *ref,
		uint64_t admitted_ms, int held, uint64_t trial, uint64_t now_ms);

/* A call held in flight has ended: RG_OK, or RG_ENOHOLD (counted). */
int rg_op_release(struct rg_table *t, const struct rg_ref *ref);

/*
 * Set the limit of `key` (added when new). `gen` tags a limits-file load
 * (see rg_op_limits_sweep); 0 otherwise.
 */
int rg_op_set_limit(struct rg_table *t, const char *key, int len,
		const struct rg_limit *lim, enum rg_limit_src src, uint32_t gen,
		uint64_t now_ms, struct rg_ref *ref, struct rg_change *chg);

/* After load `gen`: limits of earlier loads go back to the defaults. */
unsigned int rg_op_limits_sweep(struct rg_table *t, uint32_t gen);

int rg_op_block(struct rg_table *t, const struct rg_ref *ref, uint32_t seconds,
		uint64_t now_ms, struct rg_change *chg);
int rg_op_unblock(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_change *chg);

/* Time-driven transitions of the entry in `slot`: 1 when it changed. */
int rg_op_tick_slot(struct rg_table *t, unsigned int slot, uint64_t now_ms,
		struct rg_change *chg);

int rg_op_snapshot(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_snapshot *snap);
/* RG_OK when `slot` holds an entry, else RG_ENOTFOUND. */
int rg_op_snapshot_slot(struct rg_table *t, unsigned int slot,
		uint64_t now_ms, struct rg_snapshot *snap);

/*
 * The shortest remaining block among the down destinations tagged `tag`:
 * how many there are, and the seconds in `secs` (0 when none).
 */
int rg_op_min_blocked(
		struct rg_table *t, int tag, uint64_t now_ms, uint32_t *secs);

/* Zero the counters of one entry, or of all (ref == NULL). */
int rg_op_reset(struct rg_table *t, const struct rg_ref *ref);

/* Free the entries idle for idle_s (see rg_entry.h); how many. */
unsigned int rg_op_expire(struct rg_table *t, uint64_t now_ms);

/* Store what the host did with the pairs of snapshot `s` of `ref`. */
int rg_op_ext_mark(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_snapshot *s);

/*
 * Does the entry in `slot` have host pairs to (re)assert: down with pairs,
 * or up with a pair still inactive? 1 and its reference, else 0.
 */
int rg_op_ext_pending_slot(
		struct rg_table *t, unsigned int slot, struct rg_ref *ref);

/*
 * Rate limit for log lines about one destination, shared by all
 * processes: 1 (and the clock restarts) when none was due in the last
 * `interval_ms`, else 0.
 */
int rg_op_warn_due(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, uint64_t interval_ms);

#endif
