/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The types the core and its glue share, and nothing else: status codes,
 * references, a reply as the core needs it, snapshots, changes. No
 * functions; include the header of the code that makes them for those
 * (rg_table.h, rg_entry.h, rg_ops.h).
 */
#ifndef RG_TYPES_T_H
#define RG_TYPES_T_H

#include <stdint.h>

#include "rg_counters.h"
#include "rg_fields.h"
#include "rg_health.h"
#include "rg_hist.h"
#include "rg_key.h"
#include "rg_reason.h"
#include "rg_repl.h"
#include "rg_throttle.h"
#include "rg_window.h"

enum rg_status
{
	RG_OK = 0,
	RG_ENOTFOUND = -10, /* no such key, or slot not in use */
	RG_EFULL = -11,		/* table full: key not tracked */
	RG_ESTALE = -12,	/* the reference's entry was freed */
	RG_ENOHOLD = -13,	/* a release with no call held: a defect, counted */
};

/* Reach an entry again without hashing: its slot and generation. */
struct rg_ref
{
	uint32_t slot;
	uint32_t gen;
};

/* the slot of a reference that names no entry on purpose */
#define RG_SLOT_NONE UINT32_MAX

/* A reply as the core needs it: no SIP message, just the facts. */
struct rg_reply
{
	int code;
	int has_sdp;
	int64_t retry_after; /* a well-formed Retry-After's seconds, or -1 */
	int64_t pdd_ms;		 /* >= 0 when this is the branch's first 18x */
	int release;		 /* the call ends here: release its in-flight hold */
	uint64_t trial;		 /* its admission's trial token, or 0 */
	int sdp_only;		 /* a 183 counted before: only its SDP is new */
	struct rg_cause cause; /* a 503's Reason (rg_reason.h), or none */
	int answered;		   /* the branch's first 2xx: answer_ms is its delay */
	uint32_t answer_ms;
	int watched; /* its dialog measures the call: keep the entry till then */
};

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

/* The host's own name for a destination (dispatcher's URI and set). */
struct rg_ext
{
	int tag;
	const char *name;
	int len;
};

/* A consistent copy of one entry, taken under its lock. */
struct rg_snapshot
{
	char key[RG_KEY_MAX + 1];
	int key_len;
	uint64_t f[RG_F_COUNT]; /* the fields of rg_fields.h */
	uint64_t ctr[RG_C_COUNT];
	uint64_t win[RG_C_COUNT];
	/* the window slot by slot, oldest first (the status page's chart) */
	uint32_t series_183[RG_WIN_SLOTS];
	uint32_t series_503[RG_WIN_SLOTS];
	/* delays to the first 180/183 and to the 2xx, for the lifetime */
	struct rg_hist_view srd, srd2;
	struct rg_cause_counts causes; /* the 503s' Reason causes */
	/* the host's names for it */
	int ext_npairs;
	struct rg_ext_pair ext_pairs[RG_EXT_PAIRS];
	char ext_names[RG_EXT_NAMES][RG_KEY_MAX + 1]; /* "" when unused */
};

/* what of a change the cluster's peers are to be told (rg_change.pub) */
enum rg_pub
{
	RG_PUB_BLK = 1, /* the block or unblock: blk_left_ms, blk_manual */
	RG_PUB_LIM = 2, /* the limit set: lim */
	RG_PUB_CUT = 4	/* the AIMD cut: snap's cps_limit, ceil_mcps */
};

/* quality transitions of a change (rg_change.qev), bits */
enum rg_qevent
{
	RG_QEV_DEGRADED = 1,  /* below min_asr, above max_isa or max_srd_p95 */
	RG_QEV_RECOVERED = 2, /* no longer */
	RG_QEV_NEAR = 4,	  /* admitted above near_limit_percent of the rate */
	RG_QEV_NEAR_END = 8	  /* no longer */
};

/* a cluster node's name: bytes at most (node_name, rg_host.h) */
#define RG_NODE_MAX 63

/*
 * The state changes one operation made: of health (`ev`), of throttling
 * (`tev`), and what the set guard did. `snap` is filled only when
 * rg_change_any() says there is something, or `pub` is set.
 */
struct rg_change
{
	struct rg_ref ref; /* the entry that changed */
	enum rg_event ev;
	enum rg_tevent tev;
	int old_state;		 /* enum rg_state before the change */
	int code;			 /* the reply that caused it (408: timeout), or 0 */
	int64_t retry_after; /* that reply's Retry-After, or -1 */
	int reason;			 /* of a block (ev DOWN): enum rg_block_reason */
	int limit_changed;	 /* a limit set differs from the one before */
	uint32_t ceil_mcps;	 /* a back-off begun (tev THROTTLED): where it
							ends, from the rate it was receiving */
	int guard_held;		 /* a set that held an inferred block back (the
							first time in this state), or -1 */
	int guard_full;		 /* a set that has just reached
							max_blocked_percent, or -1 */
	uint8_t qev;		 /* enum rg_qevent bits */
	/* the entry's number for this change, given under its lock when
	 * rg_change_any(): of two changes of one destination on this node,
	 * the later has the higher (compare as (int32_t)(a - b)); 0 = none */
	uint32_t seq;
	/* the cluster node whose write this is (set by the glue when a peer's
	 * record is applied); "" = this node's own */
	char origin[RG_NODE_MAX + 1];
	/* cluster: a change made here, to replicate (enum rg_pub bits; never
	 * set by what a peer wrote), with the registers' new versions */
	uint8_t pub;
	uint8_t blk_manual;	  /* RG_PUB_BLK: by hand (RPC, script) */
	uint64_t blk_left_ms; /* RG_PUB_BLK: the block's time left; 0: up */
	struct rg_limit lim;  /* RG_PUB_LIM */
	struct rg_repl repl;
	struct rg_snapshot snap;
};

/* What an admission decided. */
struct rg_admission
{
	struct rg_ref ref;	  /* filled unless RG_EFULL */
	uint32_t retry_after; /* seconds to suggest upstream when refused */
	int held;			  /* counted in flight: to be released once */
	uint64_t trial; /* the probing trial's token (keep it with the call) */
};

struct rg_summary
{
	unsigned int tracked;
	unsigned int capacity;
	uint64_t evictions;		 /* idle entries freed */
	uint64_t refused_full;	 /* new keys not tracked: table full */
	uint64_t refused_key;	 /* keys refused as malformed */
	uint64_t stale_refs;	 /* replies whose entry had been freed */
	uint64_t unheld_release; /* releases of no call held: defects */
	uint64_t guard_untracked; /* set memberships the set guard had no
								 room for (max_blocked_percent) */
};

#endif
