/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One destination: its counters, post-dial delay, health, throttle and
 * host names, and every rule about them. No locks and no key hashing: the
 * table (rg_table.c) finds an entry, locks it and runs one operation on
 * it; the operation reports the transitions it made in a struct
 * rg_change, and the table adds a snapshot when there were any.
 *
 * The rules, in one place:
 * - Admission asks health first, then the throttle; a trial that the
 *   throttle refuses is handed back. The verdict is counted (attempts,
 *   rejected_blocked or rejected_throttled).
 * - A reply adds to the counters of its class. Health failures are a 503
 *   with Retry-After (down at once, for that long), a final code in
 *   failure_codes, and a local timeout after no provisional reply above
 *   100. A 503 without Retry-After is an overload signal for the
 *   throttle; with adaptive throttling it is no health failure, without
 *   it it is one. Any other final reply is a success.
 * - Probing is decided by the trial alone: it fails on a health failure
 *   or any 503, and up_threshold successes in a row bring it up. A trial
 *   that rang out proves the destination alive.
 * - failures counts the health failures and every 503 without
 *   Retry-After; when the window's failures reach failure_ratio percent
 *   of its finished calls (at least failure_min_calls), an up destination
 *   goes down as by down_threshold. Only what came after it was last
 *   back up counts (to the window slot), so the failures that took it
 *   down cannot take it down again.
 * - A 503 without Retry-After whose Reason cause is in
 *   call_specific_causes says the call failed, not the destination: it
 *   counts as a 503 and in replies_503_call, and is neither a throttle
 *   signal nor a health failure nor a success (a trial it ends failed,
 *   as any 503's). With a Retry-After it is a 503 with Retry-After.
 * - Quality (rg_entry_kpi.h) is judged at most once a window slot, at
 *   the first admission, reply, timeout or tick of a new slot: degraded
 *   (below min_asr, above max_isa or max_srd_p95, on at least
 *   kpi_min_samples) and near its limit (the last whole slot admitted
 *   near_limit_percent of the rate or more). Each transition is reported
 *   once; it never blocks by itself.
 * - A call held in flight is released once. A release with nothing held
 *   is a defect: RG_ENOHOLD, which the table counts.
 * - An inferred block (down_threshold, the failure ratio, a failed
 *   trial) asks the set guard first (rg_guard.h); one it holds back is
 *   counted in blocks_skipped, and reported once until the state changes.
 *   After every operation the guard's footprint of the entry is brought
 *   in line with its sets and state.
 * - What survives a restart (RG_OP_SAVE, RG_OP_RESTORE): a block with
 *   its wall-clock end, a limit set by RPC or script, and the back-off
 *   rate in force. Counters do not.
 * - An entry may be expired when idle, unless it is down, throttled,
 *   holds calls, has a limit of its own, a host pair still inactive, was
 *   seeded from dispatcher's list, or holds live replicated facts.
 * - Cluster (cfg->hlc set): a block, an unblock, a limit set by hand and
 *   an AIMD cut made here get a new version and are marked for the peers
 *   (chg->pub); what a peer wrote is taken only when newer than what the
 *   entry holds (rg_repl.h), and is never marked.
 */
#ifndef RG_ENTRY_T_H
#define RG_ENTRY_T_H

#include <stdint.h>
#include <string.h>

#include "rg_codes.h"
#include "rg_demand.h"
#include "rg_ext.h"
#include "rg_guard.h"
#include "rg_health.h"
#include "rg_hist.h"
#include "rg_repl.h"
#include "rg_state.h"
#include "rg_throttle.h"
#include "rg_types-t.h"
#include "rg_window.h"

/* the admission verdicts: the script's return codes */
enum rg_verdict
{
	RG_ADMITTED = 1,
	RG_BLOCKED = -1,  /* down, or probing with its trial in flight */
	RG_THROTTLED = -2 /* over its rate or its cap on calls in flight */
};

/* what counts as a health failure, besides 503s and timeouts */
struct rg_fail_cfg
{
	struct rg_codes codes; /* failure_codes */
	uint32_t ratio_pct;	   /* failure_ratio, percent; 0 = off */
	uint32_t min_calls;	   /* failure_min_calls */
};

/* the carrier figures (rg_kpi.h), what a 503's cause means, and the
 * quality thresholds (0: off) */
struct rg_kpi_cfg
{
	uint32_t min_samples;			 /* kpi_min_samples */
	struct rg_cause_set call_causes; /* call_specific_causes (and _sip_) */
	uint32_t min_asr_pm;			 /* min_asr, per-mille */
	uint32_t max_isa_pm;			 /* max_isa, per-mille */
	uint32_t max_srd_p95_ms;		 /* max_srd_p95 */
	uint32_t near_pm;				 /* near_limit_percent, per-mille */
	uint32_t short_ms;				 /* short_call_seconds, in ms */
	uint32_t judge; /* any of the four set: quality is judged (the
					   table sets it, rg_kpi_cfg_judges()) */
};

static inline int rg_kpi_cfg_judges(const struct rg_kpi_cfg *k)
{
	return k->min_asr_pm || k->max_isa_pm || k->max_srd_p95_ms || k->near_pm;
}

/* rg_entry.quality bits */
#define RG_Q_DEGRADED 1
#define RG_Q_NEAR 2

struct rg_entry_cfg
{
	uint64_t slot_ms; /* window slot width */
	struct rg_kpi_cfg kpi;
	uint64_t idle_ms; /* expire entries idle this long; 0 = never */
	struct rg_health_cfg health;
	struct rg_throttle_cfg throttle;
	struct rg_fail_cfg fail;
	struct rg_guard *guard; /* max_blocked_percent, or NULL: no guard */
	/* cluster: the clock that versions what is replicated, or NULL (no
	 * cluster: nothing is versioned); wall clock = now_ms + wall_off_ms */
	struct rg_hlc *hlc;
	uint64_t retain_ms; /* replicated facts are kept this long (rg_repl.h) */
};

/*
 * An entry is split in two, so that a call touches few cache lines:
 * struct rg_entry is the hot part, what admission and replies read and
 * write (the table keeps it, with its own fields, in 256 bytes: four
 * cache lines); struct rg_entry_cold is the rest, read by lookups of long
 * keys, by reports and by the timers. The cold part is reached through
 * `cold`; the table keeps the cold parts in an array of their own.
 *
 * Counts go to the tally first: the counts of the window slot now
 * running. They move to the lifetime counters and the window when the
 * slot ends, when a tally counter is full, and before anything reads
 * them (rg_entry_snapshot(), the failure ratio, an unadmission).
 */
#define RG_KEY_HOT 33 /* the key's first bytes, kept in the hot part */

struct rg_tally
{
	uint32_t epoch; /* the window slot counted (now / slot width) */
	uint16_t c[RG_C_TALLIED];
};

struct rg_entry_cold
{
	char key_rest[RG_KEY_MAX + 1 - RG_KEY_HOT]; /* the key after key_hot */
	uint64_t warn_ms;		/* last log line about it */
	uint64_t up_ms;			/* last back up: the failure ratio counts from here */
	uint64_t reset_ms;		/* last reset: older admissions are not counted */
	uint64_t ctr[RG_C_COUNT]; /* lifetime counts, but the tally's */
	struct rg_window win;	  /* windowed counts, but the tally's */
	struct rg_ext_set ext;
	struct rg_demand dm;	/* cluster: demand here and at the peers */
	struct rg_repl repl;	/* cluster: versions of what is replicated */
	struct rg_guard_fp gfp; /* what the set guard counts for it */
	struct rg_hist srd;		/* delay to the first 180/183 (the PDD: its
							   lifetime sum and count give the mean) */
	uint32_t pdd_max_ms;
	struct rg_hist srd2;	/* delay to the 2xx */
	struct rg_cause_counts causes; /* the 503s' Reason causes */
	uint32_t change_seq; /* its changes, numbered under its lock */
	int32_t watched; /* answered calls a dialog measures, still up: the
						entry is kept for their end (signed: an end may
						come before the answer's count, and -1 keeps it
						too) */
};

struct rg_entry
{
	uint8_t key_len;
	uint8_t seeded;		/* seeded from dispatcher's list: never expired */
	uint8_t held_noted; /* a held block was reported since the last change */
	uint8_t quality;	/* RG_Q_* as last judged */
	char key_hot[RG_KEY_HOT]; /* the key's first bytes (no terminator) */
	uint32_t ext_fp; /* the host pair the last admission added, or 0 */
	uint64_t last_ms; /* last admission or reply */
	struct rg_entry_cold *cold;
	struct rg_health health;
	struct rg_throttle thr;
	struct rg_tally tally;
	uint32_t q_epoch; /* the window slot its quality was last judged in */
};

/*
 * Every kind of operation on an entry, one line each, with what it may
 * do. The enum and the answers of rg_entry_moves_guard() and
 * rg_entry_foreign() are built from this list alone, so no kind can be
 * added without saying each:
 *   G  1: it can change the entry's sets or its state (read-only kinds
 *         never take the set guard's lock: the shutdown's unlocked walk
 *         relies on it);
 *   F  1: a write that came from a peer or a restart, never marked for
 *         the cluster; RG_OPF_VER: when it carries a version.
 * What each returns stands beside it.
 */
#define RG_OPF_VER 2
/* clang-format off */
#define RG_OP_KINDS(X)                                                      \
	/*  kind          G  F */                                              \
	X(NONE,           0, 0) /* nothing: find (or add) only */              \
	X(ADMIT,          1, 0) /* -> enum rg_verdict */                       \
	X(REPLY,          1, 0) /* -> RG_OK or RG_ENOHOLD */                   \
	X(TIMEOUT,        1, 0) /* -> RG_OK or RG_ENOHOLD */                   \
	X(UNADMIT,        0, 0) /* -> RG_OK or RG_ENOHOLD */                   \
	X(RELEASE,        0, 0) /* -> RG_OK or RG_ENOHOLD */                   \
	X(SET_LIMIT,      0, RG_OPF_VER) /* -> RG_OK */                        \
	X(BLOCK,          1, 0) /* -> RG_OK */                                 \
	X(UNBLOCK,        1, 0) /* -> RG_OK */                                 \
	X(TICK,           1, 0) /* time-driven transitions -> RG_OK */         \
	X(EXT_MARK,       1, 0) /* -> RG_OK */                                 \
	X(EXT_PENDING,    0, 0) /* host pairs to (re)assert? -> 1 or 0 */      \
	X(RESET,          0, 0) /* zero the counters -> RG_OK */               \
	X(WARN,           0, 0) /* a log line due? -> 1 or 0 */                \
	X(SNAPSHOT,       0, 0) /* -> RG_OK */                                 \
	X(MIN_BLOCKED,    0, 0) /* the shortest block of a tag -> 1 or 0 */    \
	X(SWEEP_LIMITS,   0, 0) /* an old file's limit to the defaults -> 1/0 */ \
	X(EXPIRE,         0, 0) /* to be freed? -> 1 or 0 */                   \
	X(SEED,           1, 0) /* remember a host name, count nothing -> RG_OK */ \
	X(SAVE,           0, 0) /* what a restart must keep -> 1, or 0 */      \
	X(RESTORE,        1, 1) /* take it back after a restart -> RG_OK */    \
	X(PEER_BLOCK,     1, 1) /* a block from another node -> RG_OK */       \
	X(PEER_CUT,       0, 1) /* an AIMD cut from another node -> RG_OK */   \
	X(PEER_UP,        1, 1) /* unblocked on another node -> RG_OK */       \
	X(PEER_DEMAND,    0, 1) /* a peer's demand and sent rate -> RG_OK */   \
	X(CLUSTER_TICK,   0, 0) /* the share of the budget; what to send -> 1/0 */ \
	X(CALL_END,       0, 0) /* a measured call ended -> RG_OK or RG_ENOHOLD */

#define RG_OP_ENUM(kind, g, f) RG_OP_##kind,
#define RG_OP_ONE(kind, g, f) +1
enum rg_op_kind
{
	RG_OP_KINDS(RG_OP_ENUM)
};
enum
{
	RG_OP_KINDS_N = 0 RG_OP_KINDS(RG_OP_ONE) /* how many kinds */
};
#undef RG_OP_ENUM
#undef RG_OP_ONE
/* clang-format on */

/* One operation on one entry, with its arguments (and outputs). */
struct rg_op
{
	enum rg_op_kind kind;
	union
	{
		struct
		{
			const struct rg_ext *ext; /* or NULL */
			uint32_t fp;			  /* rg_ext_fp() of ext, or 0 */
			struct rg_admission *out;
		} admit;
		const struct rg_reply *reply;
		struct
		{
			int failure; /* no provisional reply above 100 came */
			int release; /* the call held a place in flight */
			uint64_t trial;
		} timeout;
		struct
		{
			uint64_t admitted_ms;
			int held;
			uint64_t trial;
		} unadmit;
		struct
		{
			uint64_t ms; /* its duration, answer to BYE */
			int counted; /* a BYE ended it: ms counts (else no duration) */
			int release; /* the call held a place in flight */
		} call_end;
		struct
		{
			const struct rg_limit *lim;
			enum rg_limit_src src;
			uint32_t gen; /* the limits-file load, or 0 */
			const struct rg_ver *ver; /* a peer's write, or NULL: here */
		} limit;
		uint32_t block_s;
		const struct rg_snapshot *mark;
		uint64_t warn_interval_ms;
		struct rg_snapshot *snap;
		struct
		{
			int tag;
			int n;		   /* out: blocked entries of the tag */
			uint32_t secs; /* out: the shortest remaining block */
		} blocked;
		uint32_t sweep_gen; /* the load now in force */
		const struct rg_ext *seed;
		struct
		{
			uint64_t left_ms;
			uint8_t reason; /* enum rg_block_reason */
			uint32_t ra_s;
			struct rg_ver ver;
		} peer_block;
		struct
		{
			uint32_t cur_mcps, ceil_mcps;
			struct rg_ver ver;
		} peer_cut;
		struct
		{
			struct rg_ver ver;
			uint64_t keep_ms; /* wall clock: its marker kept until */
		} peer_up;
		struct
		{
			int place; /* the peer's place in rg_peers */
			const struct rg_peer_word *word;
			uint32_t fresh_ms; /* what the peers said is good this long */
		} peer_demand;
		struct
		{
			const struct rg_cview *view;
			struct rg_demand_out *out;
			char *key; /* out: RG_KEY_MAX + 1 bytes, and its length */
			int key_len;
		} ctick;
		struct
		{
			struct rg_saved *rec; /* filled by SAVE, read by RESTORE */
			int64_t wall_ms;	  /* wall clock minus now_ms */
		} saved;
	} u;
};

/* Is the entry's key `key` (`len` bytes)? */
static inline int rg_entry_key_is(
		const struct rg_entry *e, const char *key, int len)
{
	if(e->key_len != len)
		return 0;
	if(len <= RG_KEY_HOT)
		return memcmp(e->key_hot, key, (size_t)len) == 0;
	return memcmp(e->key_hot, key, RG_KEY_HOT) == 0
		   && memcmp(e->cold->key_rest, key + RG_KEY_HOT,
					  (size_t)(len - RG_KEY_HOT))
					  == 0;
}

/* A change that changed nothing yet: where every operation starts. */
static inline void rg_change_none(struct rg_change *chg, int old_state)
{
	chg->ev = RG_EV_NONE;
	chg->tev = RG_TEV_NONE;
	chg->old_state = old_state;
	chg->code = 0;
	chg->retry_after = -1;
	chg->guard_held = -1;
	chg->guard_full = -1;
	chg->limit_changed = 0;
	chg->pub = 0;
	chg->qev = 0;
	chg->seq = 0;
	chg->origin[0] = '\0';
}

/* Did the operation change anything worth a snapshot and a report? */
static inline int rg_change_any(const struct rg_change *chg)
{
	return chg->ev != RG_EV_NONE || chg->tev != RG_TEV_NONE
		   || chg->guard_held >= 0 || chg->guard_full >= 0 || chg->qev != 0;
}

#endif
