/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operations on destinations, typed: each builds one struct rg_op and
 * runs it through the table (lock, entry operation, snapshot if changed,
 * unlock). Inline: they are on every call's path, and only name an
 * operation. The glue calls them through rg_update.c, which applies the
 * changes they report; tests and benchmarks call them directly.
 */
#ifndef RG_OPS_H
#define RG_OPS_H

#include <stddef.h>

#include "rg_table.h"

/* Find (or, with `create`, add) the entry of the normalised `key`. */
static inline int rg_op_lookup(struct rg_table *t, const char *key, int len,
		int create, uint64_t now_ms, struct rg_ref *ref)
{
	struct rg_op op;

	op.kind = RG_OP_NONE;
	return rg_table_apply_key(t, key, len, create, &op, now_ms, ref, NULL);
}

/*
 * Admission of a new call to `key` (added when new), with the host's
 * optional name for it (`ext`): lookup and verdict in one lock section,
 * the only one a call takes. RG_ADMITTED, RG_BLOCKED, RG_THROTTLED, or
 * RG_EFULL when the key is not tracked. `out` gets the reference, the
 * seconds to suggest upstream when refused, whether the call is held in
 * flight (release it once) and its trial token.
 */
static inline int rg_op_admit(struct rg_table *t, const char *key, int len,
		const struct rg_ext *ext, uint64_t now_ms, struct rg_admission *out,
		struct rg_change *chg);

/*
 * The same, with what a caller may know already (a process's memo of its
 * last destinations): `hash`, rg_key_hash() of the key, and `ext_fp`,
 * rg_ext_fp() of the pair `ext`, or 0 (worked out here).
 */
static inline int rg_op_admit_h(struct rg_table *t, const char *key, int len,
		uint32_t hash, const struct rg_ext *ext, uint32_t ext_fp,
		uint64_t now_ms, struct rg_admission *out, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_ADMIT;
	/* what a refusal by the table (RG_EFULL) leaves */
	out->retry_after = 0;
	out->held = 0;
	out->trial = 0;
	op.u.admit.ext = ext;
	op.u.admit.fp = ext_fp;
	op.u.admit.out = out;
	return rg_table_apply_key_h(
			t, key, len, hash, 1, &op, now_ms, &out->ref, chg);
}

static inline int rg_op_admit(struct rg_table *t, const char *key, int len,
		const struct rg_ext *ext, uint64_t now_ms, struct rg_admission *out,
		struct rg_change *chg)
{
	return rg_op_admit_h(t, key, len, rg_key_hash(key, len), ext, 0,
			now_ms, out, chg);
}

/* One reply (see rg_entry.h for what it counts and means). */
static inline int rg_op_reply(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_reply *r, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_REPLY;
	op.u.reply = r;
	return rg_table_apply(t, ref, &op, now_ms, chg);
}

/*
 * A call that got no final reply in time: a failure when `failure` (no
 * provisional reply above 100); with `release`, its hold ends.
 */
static inline int rg_op_timeout(struct rg_table *t, const struct rg_ref *ref,
		int failure, int release, uint64_t trial, uint64_t now_ms,
		struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_TIMEOUT;
	op.u.timeout.failure = failure;
	op.u.timeout.release = release;
	op.u.timeout.trial = trial;
	return rg_table_apply(t, ref, &op, now_ms, chg);
}

/*
 * Take back an admission at `admitted_ms` whose call was never sent: the
 * attempt uncounted, the hold (when `held`) released, the rate token
 * refunded and the trial freed.
 */
static inline int rg_op_unadmit(struct rg_table *t, const struct rg_ref *ref,
		uint64_t admitted_ms, int held, uint64_t trial, uint64_t now_ms)
{
	struct rg_op op;

	op.kind = RG_OP_UNADMIT;
	op.u.unadmit.admitted_ms = admitted_ms;
	op.u.unadmit.held = held;
	op.u.unadmit.trial = trial;
	return rg_table_apply(t, ref, &op, now_ms, NULL);
}

/* A call held in flight has ended: RG_OK, or RG_ENOHOLD (counted). */
static inline int rg_op_release(struct rg_table *t, const struct rg_ref *ref)
{
	struct rg_op op;

	op.kind = RG_OP_RELEASE;
	return rg_table_apply(t, ref, &op, 0, NULL);
}

/*
 * The dialog of an answered call it measures (rg_reply.watched) ended:
 * with `counted` (a BYE) after `ms`, counted in calls_ended, call_seconds
 * and (under short_call_seconds) calls_short; with `release`, its hold
 * ends (RG_OK, or RG_ENOHOLD).
 */
static inline int rg_op_call_end(struct rg_table *t, const struct rg_ref *ref,
		uint64_t ms, int counted, int release, uint64_t now_ms)
{
	struct rg_op op;

	op.kind = RG_OP_CALL_END;
	op.u.call_end.ms = ms;
	op.u.call_end.counted = counted;
	op.u.call_end.release = release;
	return rg_table_apply(t, ref, &op, now_ms, NULL);
}

/*
 * Set the limit of `key` (added when new). `gen` tags a limits-file load
 * (see rg_op_sweep_slot); 0 otherwise.
 */
static inline int rg_op_set_limit(struct rg_table *t, const char *key, int len,
		const struct rg_limit *lim, enum rg_limit_src src, uint32_t gen,
		uint64_t now_ms, struct rg_ref *ref, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_SET_LIMIT;
	op.u.limit.lim = lim;
	op.u.limit.src = src;
	op.u.limit.gen = gen;
	op.u.limit.ver = NULL;
	return rg_table_apply_key(t, key, len, 1, &op, now_ms, ref, chg);
}

/* A limit another node set by hand, version `ver` (adding the entry). */
static inline int rg_op_peer_limit(struct rg_table *t, const char *key,
		int len, const struct rg_limit *lim, const struct rg_ver *ver,
		uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_SET_LIMIT;
	op.u.limit.lim = lim;
	op.u.limit.src = RG_LIM_MANUAL;
	op.u.limit.gen = 0;
	op.u.limit.ver = ver;
	return rg_table_apply_key(t, key, len, 1, &op, now_ms, NULL, chg);
}

/*
 * After limits-file load `gen`: when the entry in `slot` has a limit from
 * an earlier load, it goes back to the defaults (1, and `chg` tells
 * whether that ended a back-off); else 0.
 */
static inline int rg_op_sweep_slot(struct rg_table *t, unsigned int slot,
		uint32_t gen, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_SWEEP_LIMITS;
	op.u.sweep_gen = gen;
	return rg_table_apply_slot(t, slot, &op, now_ms, NULL, chg) == 1;
}

static inline int rg_op_block(struct rg_table *t, const struct rg_ref *ref,
		uint32_t seconds, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_BLOCK;
	op.u.block_s = seconds;
	return rg_table_apply(t, ref, &op, now_ms, chg);
}
static inline int rg_op_unblock(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_UNBLOCK;
	return rg_table_apply(t, ref, &op, now_ms, chg);
}

/* Time-driven transitions of the entry in `slot`: 1 when it changed. */
static inline int rg_op_tick_slot(struct rg_table *t, unsigned int slot,
		uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_TICK;
	if(rg_table_apply_slot(t, slot, &op, now_ms, NULL, chg) != RG_OK)
		return 0;
	return rg_change_any(chg);
}

static inline int rg_op_snapshot(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_snapshot *snap)
{
	struct rg_op op;

	op.kind = RG_OP_SNAPSHOT;
	op.u.snap = snap;
	return rg_table_apply(t, ref, &op, now_ms, NULL);
}
/* RG_OK when `slot` holds an entry, else RG_ENOTFOUND. */
static inline int rg_op_snapshot_slot(struct rg_table *t, unsigned int slot,
		uint64_t now_ms, struct rg_snapshot *snap)
{
	struct rg_op op;

	op.kind = RG_OP_SNAPSHOT;
	op.u.snap = snap;
	return rg_table_apply_slot(t, slot, &op, now_ms, NULL, NULL);
}

/*
 * The shortest remaining block among the down destinations tagged `tag`:
 * how many there are, and the seconds in `secs` (0 when none).
 */
static inline int rg_op_min_blocked(
		struct rg_table *t, int tag, uint64_t now_ms, uint32_t *secs)
{
	struct rg_op op;
	unsigned int slot, cap = rg_table_capacity(t);

	op.kind = RG_OP_MIN_BLOCKED;
	op.u.blocked.tag = tag;
	op.u.blocked.n = 0;
	op.u.blocked.secs = 0;
	for(slot = 0; slot < cap; slot++)
		rg_table_apply_slot(t, slot, &op, now_ms, NULL, NULL);
	*secs = op.u.blocked.secs;
	return op.u.blocked.n;
}

/*
 * Zero the counters of one entry, or of all (ref == NULL), at now_ms:
 * calls admitted before it that turn out never sent take nothing back.
 */
static inline int rg_op_reset(
		struct rg_table *t, const struct rg_ref *ref, uint64_t now_ms)
{
	struct rg_op op;

	op.kind = RG_OP_RESET;
	if(ref != NULL)
		return rg_table_apply(t, ref, &op, now_ms, NULL);
	rg_table_walk(t, &op, now_ms, 0);
	return RG_OK;
}

/* Free the entries idle for idle_s (see rg_entry.h); how many. */
static inline unsigned int rg_op_expire(struct rg_table *t, uint64_t now_ms)
{
	struct rg_op op;

	op.kind = RG_OP_EXPIRE;
	return rg_table_walk(t, &op, now_ms, 1);
}

/* Store what the host did with the pairs of snapshot `s` of `ref`. */
static inline int rg_op_ext_mark(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_snapshot *s)
{
	struct rg_op op;

	op.kind = RG_OP_EXT_MARK;
	op.u.mark = s;
	return rg_table_apply(t, ref, &op, 0, NULL);
}

/*
 * Does the entry in `slot` have host pairs to (re)assert: down with pairs,
 * or up with a pair still inactive? 1 and its reference, else 0.
 */
static inline int rg_op_ext_pending_slot(
		struct rg_table *t, unsigned int slot, struct rg_ref *ref)
{
	struct rg_op op;

	op.kind = RG_OP_EXT_PENDING;
	return rg_table_apply_slot(t, slot, &op, 0, ref, NULL) == 1;
}

/*
 * Rate limit for log lines about one destination, shared by all
 * processes: 1 (and the clock restarts) when none was due in the last
 * `interval_ms`, else 0.
 */
static inline int rg_op_warn_due(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, uint64_t interval_ms)
{
	struct rg_op op;

	op.kind = RG_OP_WARN;
	op.u.warn_interval_ms = interval_ms;
	return rg_table_apply(t, ref, &op, now_ms, NULL) == 1;
}

/*
 * An entry for `key` before its first call (dispatcher's list at start),
 * with the host's name for it: nothing is counted.
 */
static inline int rg_op_seed(struct rg_table *t, const char *key, int len,
		const struct rg_ext *ext, uint64_t now_ms)
{
	struct rg_op op;

	op.kind = RG_OP_SEED;
	op.u.seed = ext;
	return rg_table_apply_key(t, key, len, 1, &op, now_ms, NULL, NULL);
}

/*
 * What slot `slot` must keep over a restart, into `rec`: 1 when there is
 * something (`wall_ms`: the wall clock minus `now_ms`), else 0. `nolock`
 * only when no other process is left (shutdown).
 */
static inline int rg_op_save_slot(struct rg_table *t, unsigned int slot,
		int64_t wall_ms, uint64_t now_ms, struct rg_saved *rec, int nolock)
{
	struct rg_op op;

	op.kind = RG_OP_SAVE;
	op.u.saved.rec = rec;
	op.u.saved.wall_ms = wall_ms;
	if(nolock)
		return rg_table_read_slot_nolock(t, slot, &op, now_ms) == 1;
	return rg_table_apply_slot(t, slot, &op, now_ms, NULL, NULL) == 1;
}

/* Take back what `rec` kept (adding its entry): RG_OK or an rg_err. */
static inline int rg_op_restore(struct rg_table *t, struct rg_saved *rec,
		int64_t wall_ms, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_RESTORE;
	op.u.saved.rec = rec;
	op.u.saved.wall_ms = wall_ms;
	return rg_table_apply_key(
			t, rec->key, rec->key_len, 1, &op, now_ms, NULL, chg);
}

/*
 * A block another node wrote, version `ver` (adding the entry, so the
 * version is kept): RG_OK or an rg_err. Older than what is here: no-op.
 */
static inline int rg_op_peer_block(struct rg_table *t, const char *key,
		int len, uint64_t left_ms, int reason, uint32_t ra_s,
		const struct rg_ver *ver, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_PEER_BLOCK;
	op.u.peer_block.left_ms = left_ms;
	op.u.peer_block.reason = (uint8_t)reason;
	op.u.peer_block.ra_s = ra_s;
	op.u.peer_block.ver = *ver;
	return rg_table_apply_key(t, key, len, 1, &op, now_ms, NULL, chg);
}

/* An AIMD cut another node made (adding the entry). */
static inline int rg_op_peer_cut(struct rg_table *t, const char *key,
		int len, uint32_t cur_mcps, uint32_t ceil_mcps,
		const struct rg_ver *ver, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_PEER_CUT;
	op.u.peer_cut.cur_mcps = cur_mcps;
	op.u.peer_cut.ceil_mcps = ceil_mcps;
	op.u.peer_cut.ver = *ver;
	return rg_table_apply_key(t, key, len, 1, &op, now_ms, NULL, chg);
}

/*
 * An unblock another node wrote (by hand, or a trial that passed there),
 * adding the entry: its version is the marker that refuses a late copy
 * of the block it ended.
 */
static inline int rg_op_peer_up(struct rg_table *t, const char *key, int len,
		const struct rg_ver *ver, uint64_t keep_ms, uint64_t now_ms,
		struct rg_change *chg)
{
	struct rg_op op;

	op.kind = RG_OP_PEER_UP;
	op.u.peer_up.ver = *ver;
	op.u.peer_up.keep_ms = keep_ms;
	return rg_table_apply_key(t, key, len, 1, &op, now_ms, NULL, chg);
}

/*
 * A peer (at `place` in rg_peers) said `w` of `key`, good for
 * `fresh_ms`; with `create`, the key is added when new (a destination
 * the cluster calls, so that a first call here knows what it gets).
 */
static inline int rg_op_peer_demand(struct rg_table *t, const char *key,
		int len, int create, int place, const struct rg_peer_word *w,
		uint32_t fresh_ms, uint64_t now_ms)
{
	struct rg_op op;

	op.kind = RG_OP_PEER_DEMAND;
	op.u.peer_demand.place = place;
	op.u.peer_demand.word = w;
	op.u.peer_demand.fresh_ms = fresh_ms;
	return rg_table_apply_key(t, key, len, create, &op, now_ms, NULL, NULL);
}

/*
 * The cluster's interval for the entry in `slot`: its share of the
 * budget from the peers in `view`; 1 when `out` (and `key`, RG_KEY_MAX
 * + 1 bytes, of `*key_len`) is to be sent to the peers, else 0.
 */
static inline int rg_op_cluster_tick_slot(struct rg_table *t,
		unsigned int slot, const struct rg_cview *view, uint64_t now_ms,
		struct rg_demand_out *out, char *key, int *key_len)
{
	struct rg_op op;
	int rc;

	op.kind = RG_OP_CLUSTER_TICK;
	op.u.ctick.view = view;
	op.u.ctick.out = out;
	op.u.ctick.key = key;
	op.u.ctick.key_len = 0;
	rc = rg_table_apply_slot(t, slot, &op, now_ms, NULL, NULL);
	*key_len = op.u.ctick.key_len;
	return rc == 1;
}

#endif
