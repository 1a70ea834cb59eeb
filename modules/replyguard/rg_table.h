/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The destination table: a fixed-capacity hash table in shared memory,
 * one entry per normalised destination key.
 *
 * - All memory is taken once, at creation; nothing is allocated per call.
 * - Buckets are guarded by a lock set (bucket index masked to the set);
 *   every function here takes and drops the lock itself, and no lock is
 *   held when a function returns.
 * - A caller keeps a `struct rg_ref` (slot and generation) to reach an
 *   entry again without hashing. Freeing an entry bumps its generation, so
 *   a stale reference is detected (RG_ESTALE), never followed.
 * - When the table is full, new keys are refused and counted; entries idle
 *   for `idle_s` are freed by rg_table_expire(), which the host runs from a
 *   timer.
 */
#ifndef RG_TABLE_H
#define RG_TABLE_H

#include <stdint.h>

#include "rg_counters.h"
#include "rg_health.h"
#include "rg_key.h"
#include "rg_throttle.h"

enum rg_status
{
	RG_OK = 0,
	RG_ENOTFOUND = -10, /* no such key, or slot not in use */
	RG_EFULL = -11,		/* table full: key not tracked */
	RG_ESTALE = -12,	/* the reference's entry was freed */
};

/* rg_table_admit() verdicts: the script's return codes */
#define RG_ADMITTED 1
#define RG_BLOCKED (-1)
#define RG_THROTTLED (-2)

/*
 * The host's names for one destination: up to RG_EXT_PAIRS (set, name)
 * pairs over up to RG_EXT_NAMES spellings (dispatcher may list one
 * gateway as sip:1.2.3.4 in a set and sip:gw@1.2.3.4:5060 in another).
 */
#define RG_EXT_NAMES 2
#define RG_EXT_PAIRS 4

struct rg_ext_pair
{
	int32_t tag;	  /* dispatcher set */
	uint8_t name;	  /* index into the names */
	uint8_t inactive; /* made inactive in the host, not yet active again */
	uint8_t gone;	  /* the host no longer knows it: to be dropped */
};

struct rg_table_cfg
{
	unsigned int capacity; /* max destinations */
	unsigned int window_s; /* sliding window length */
	unsigned int idle_s;   /* free entries unused this long; 0 = never */
	struct rg_health_cfg health;
	struct rg_throttle_cfg throttle;
};

struct rg_ref
{
	uint32_t slot;
	uint32_t gen;
};

/* A reply as the core needs it: no SIP message, just the facts. */
struct rg_reply
{
	int code;
	int has_sdp;
	int64_t retry_after; /* a well-formed Retry-After's seconds, or -1 */
	int64_t pdd_ms;		 /* >= 0 when this is the branch's first 18x */
	int release;		 /* the call ends here: release its in-flight hold */
	uint64_t trial;		 /* its admission's trial token, or 0 */
};

/* A consistent copy of one entry, taken under its lock. */
struct rg_snapshot
{
	char key[RG_KEY_MAX + 1];
	int key_len;
	const char *state; /* "up", "down", "probing" */
	int state_id;	   /* the same, as an enum rg_state */
	uint64_t ctr[RG_C_COUNT];
	uint64_t win[RG_C_COUNT];
	uint64_t pdd_avg_ms;
	uint64_t pdd_max_ms;
	uint64_t pdd_samples;
	uint32_t retry_after_last;
	uint32_t blocked_for;
	uint32_t cps_limit;		 /* whole cps in force (at least 1 when limited) */
	uint32_t cps_limit_mcps; /* the same in thousandths */
	uint32_t cps_configured; /* configured limit, mcps */
	uint32_t cps_burst;
	uint32_t cps_received; /* over about the last second, mcps */
	uint32_t max_concurrent;
	uint32_t concurrent; /* calls in flight (counted when capped) */
	int throttled;		 /* adaptive back-off in force */
	const char *limit_src; /* "default", "file", "manual" */
	uint64_t idle_ms;
	/* the host's names for it: see struct rg_ext */
	int ext_npairs;
	struct rg_ext_pair ext_pairs[RG_EXT_PAIRS];
	char ext_names[RG_EXT_NAMES][RG_KEY_MAX + 1]; /* "" when unused */
};

/*
 * The state changes one call made: of health (`ev`) and of throttling
 * (`tev`). `snap` is filled only when either is not NONE.
 */
struct rg_change
{
	struct rg_ref ref; /* the entry that changed */
	enum rg_event ev;
	enum rg_tevent tev;
	const char *old_state; /* health state before the call's change */
	int code;			   /* the reply that caused it (408: timeout), or 0 */
	int64_t retry_after;   /* that reply's Retry-After, or -1 */
	struct rg_snapshot snap;
};

/* What rg_table_admit() decided. */
struct rg_admission
{
	struct rg_ref ref;	  /* filled unless RG_EFULL */
	uint32_t retry_after; /* seconds to suggest upstream when refused */
	int held; /* counted in flight: release once (rg_table_release) */
	uint64_t trial; /* the probing trial's token (keep it with the call) */
};

struct rg_summary
{
	unsigned int tracked;
	unsigned int capacity;
	uint64_t evictions;	  /* idle entries freed */
	uint64_t refused_full; /* new keys not tracked: table full */
	uint64_t refused_key;  /* keys refused as malformed */
	uint64_t stale_refs;   /* replies whose entry had been freed */
};

struct rg_table;

/* A new table in shared memory, or NULL (bad config or no memory). */
struct rg_table *rg_table_new(const struct rg_table_cfg *cfg);
void rg_table_free(struct rg_table *t);

/*
 * Find the entry for the normalised `key`, creating it when `create` is
 * set. RG_OK fills `ref`; RG_ENOTFOUND when absent and !create; RG_EFULL
 * when it would need a free slot and there is none.
 */
int rg_table_lookup(struct rg_table *t, const char *key, int len, int create,
		uint64_t now_ms, struct rg_ref *ref);

/* The host's own name for a destination (dispatcher's URI and set). */
struct rg_ext
{
	int tag;
	const char *name;
	int len;
};

/*
 * Admission of a new call to the normalised `key`, which is added when
 * new: lookup, the optional `ext` name and the verdict in one lock
 * section, the only one a call takes. 1 admitted (an attempt counted); -1
 * blocked (down, or probing with its trial in flight; counted in
 * rejected_blocked); -2 throttled (over its rate or its cap on calls in
 * flight; counted in rejected_throttled); RG_EFULL when the key is not
 * tracked. `out` gets the reference (except for RG_EFULL), the seconds to
 * suggest upstream when refused, and whether the call is held in flight.
 * An `ext` name longer than RG_KEY_MAX is ignored. Each new (tag, name)
 * pair is remembered, up to RG_EXT_PAIRS over RG_EXT_NAMES names; when
 * full, a pair that is not inactive in the host makes room. A pair made
 * inactive is never dropped before it is active again.
 */
int rg_table_admit(struct rg_table *t, const char *key, int len,
		const struct rg_ext *ext, uint64_t now_ms, struct rg_admission *out,
		struct rg_change *chg);

/*
 * Record one reply. A final 503 is a failure (with its Retry-After, when
 * any; without one it is also an overload signal for adaptive
 * throttling); any other final reply is a success. With `r->release` the
 * call's in-flight hold ends in the same lock section.
 */
int rg_table_reply(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_reply *r, uint64_t now_ms, struct rg_change *chg);

/*
 * A call that got no final reply in time: counted as a timeout, and as a
 * failure of the destination when `failure` (no provisional reply above
 * 100); with `release`, its in-flight hold ends too. `trial` is the token
 * its admission gave.
 */
int rg_table_timeout(struct rg_table *t, const struct rg_ref *ref,
		int failure, int release, uint64_t trial, uint64_t now_ms,
		struct rg_change *chg);

/*
 * Take back an admission whose call was never sent (the request was a
 * retransmission of one already relayed, or the relay failed): the
 * attempt admitted at `admitted_ms` is uncounted, its hold (when `held`)
 * released, its rate token refunded and its trial (when `trial`) freed.
 */
int rg_table_unadmit(struct rg_table *t, const struct rg_ref *ref,
		uint64_t admitted_ms, int held, uint64_t trial, uint64_t now_ms);

/*
 * Dispatcher sync: after the host has acted on the pairs of a snapshot
 * of `ref`, store what it did (`inactive`, `gone`) in the entry's pairs
 * that are still the same (tag and name).
 */
int rg_table_ext_mark(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_snapshot *s);

/*
 * Does the entry in `slot` have host pairs to (re)assert: down with
 * pairs, or up with a pair still inactive? 1 and its reference, else 0.
 * An unlocked peek, for a timer.
 */
int rg_table_ext_pending_slot(
		struct rg_table *t, unsigned int slot, struct rg_ref *ref);

/* A call held in flight has ended (once per hold). */
int rg_table_release(struct rg_table *t, const struct rg_ref *ref);

/*
 * Set the limit of `key` (added when new; entries with a limit of their
 * own are never expired). `gen` tags a limits-file load (see
 * rg_table_limits_sweep); pass 0 otherwise.
 */
int rg_table_set_limit(struct rg_table *t, const char *key, int len,
		const struct rg_limit *lim, enum rg_limit_src src, uint32_t gen,
		uint64_t now_ms, struct rg_ref *ref, struct rg_change *chg);

/*
 * After a limits-file load tagged `gen`: entries whose limit came from an
 * earlier load go back to the defaults. Returns how many did.
 */
unsigned int rg_table_limits_sweep(struct rg_table *t, uint32_t gen);

/* Manual block for `seconds`, and its end. */
int rg_table_block(struct rg_table *t, const struct rg_ref *ref,
		uint32_t seconds, uint64_t now_ms, struct rg_change *chg);
int rg_table_unblock(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_change *chg);

/*
 * Time-driven transitions of the entry in `slot` (a block that ended, a
 * back-off step).
 * RG_OK with chg->ev set when it changed; RG_ENOTFOUND otherwise. The host
 * calls it for every slot from a timer.
 */
int rg_table_tick_slot(struct rg_table *t, unsigned int slot,
		uint64_t now_ms, struct rg_change *chg);

int rg_table_snapshot(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_snapshot *snap);

/*
 * Snapshot the entry in `slot` if it is in use (RG_OK), else RG_ENOTFOUND.
 * Iterate slots 0 .. rg_table_capacity() - 1 to visit every entry without
 * holding a lock across the caller's work.
 */
int rg_table_snapshot_slot(struct rg_table *t, unsigned int slot,
		uint64_t now_ms, struct rg_snapshot *snap);

unsigned int rg_table_capacity(const struct rg_table *t);

/*
 * The shortest remaining block among the down destinations tagged `tag`:
 * how many there are, and the seconds in `secs` (0 when none).
 */
int rg_table_min_blocked(
		struct rg_table *t, int tag, uint64_t now_ms, uint32_t *secs);

/* Zero the counters of one entry, or of all (ref == NULL). */
int rg_table_reset(struct rg_table *t, const struct rg_ref *ref);

/*
 * Free entries idle for idle_s; returns how many were freed. Entries that
 * are down, throttled, hold calls in flight or have a limit of their own
 * are kept.
 */
unsigned int rg_table_expire(struct rg_table *t, uint64_t now_ms);

/*
 * Rate limit for log lines about one destination, shared by all
 * processes: 1 (and the clock restarts) when none was due in the last
 * `interval_ms`, else 0.
 */
int rg_table_warn_due(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, uint64_t interval_ms);

/* Count a key refused as malformed (the caller normalises keys). */
void rg_table_note_bad_key(struct rg_table *t);

void rg_table_summary(struct rg_table *t, struct rg_summary *s);

#endif
