/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A destination's health: up, down (blocked until a time), or probing
 * (one trial call at a time until one succeeds).
 *
 *   up --503 with Retry-After--------------------------> down (clamped RA)
 *   up --down_threshold failures without Retry-After--> down (down_time,
 *         doubling on each repeat while failures go on, up to ra_max)
 *   up --tripped (the failure ratio, rg_entry.c)--------> down (the same)
 *   (an inferred block that the veto holds back leaves the state as it is)
 *   down --time is up----------------------------------> probing
 *   probing --up_threshold trials in a row succeed--> up;
 *           --a trial fails--> down again
 *
 * A success (any final reply that is not a failure) resets the failure
 * streak and the escalation. While probing, only the outcome of the trial
 * moves the state: admission hands out a token (`trial`) that the caller
 * keeps with the call and passes back with its outcome; calls admitted
 * before the block, or a trial that was given up (probe_timeout), carry
 * another token and change nothing. Every function works on one destination's
 * struct under its caller's lock, and returns the transition it made
 * (RG_EV_NONE when none) so the caller can tell dispatcher and run event
 * routes after dropping the lock.
 */
#ifndef RG_HEALTH_H
#define RG_HEALTH_H

#include <stdint.h>

enum rg_state
{
	RG_UP = 0,
	RG_DOWN,
	RG_PROBING
};

enum rg_event
{
	RG_EV_NONE = 0,
	RG_EV_DOWN,	   /* up/probing -> down */
	RG_EV_PROBING, /* down -> probing: traffic may try it again */
	RG_EV_UP	   /* probing/down -> up */
};

struct rg_health_cfg
{
	uint32_t ra_min;		 /* Retry-After clamp, seconds */
	uint32_t ra_max;
	uint32_t down_threshold; /* consecutive failures to go down */
	uint32_t down_time;		 /* first down time without Retry-After, s */
	uint32_t probe_timeout;	 /* a trial unanswered this long frees the slot */
	uint32_t up_threshold;	 /* trials in a row that must succeed, >= 1 */
};

struct rg_health
{
	uint8_t state;
	uint8_t manual;		/* down by rg_block / RPC */
	uint8_t by_ra;		/* down by a Retry-After */
	uint16_t streak;	/* consecutive failures */
	uint16_t level;		/* escalation: down_time << level */
	uint16_t trials_ok; /* trials in a row that succeeded, while probing */
	uint64_t until_ms;	/* end of the block, when down */
	uint64_t probe_ms;	/* start of the trial in flight, 0 when none */
	uint32_t ra_last;	/* last (clamped) Retry-After applied, s */
};

/*
 * Asked before an inferred block (down_threshold, a failed trial, the
 * failure ratio) is applied: 1 lets it, 0 holds it back. A held block
 * changes nothing but the trial: it is spent, and the next call is the
 * next trial. NULL: always applied.
 */
struct rg_veto
{
	int (*allow)(void *arg);
	void *arg;
};

/* rg_health_admit() verdicts */
enum rg_health_verdict
{
	RG_HEALTH_OK = 1,	   /* admitted (a trial when probing) */
	RG_HEALTH_BLOCKED = -1 /* down, or probing with its trial in flight */
};

const char *rg_state_name(enum rg_state s);

/* Clamp a Retry-After value to [ra_min, ra_max]. */
uint32_t rg_health_clamp(const struct rg_health_cfg *cfg, uint64_t seconds);

/*
 * Admission: RG_HEALTH_OK or RG_HEALTH_BLOCKED. `retry_after`
 * gets the seconds to suggest upstream (>= 1 when blocked, 0 admitted).
 * `trial` gets the trial's token when the call is the probing trial, else
 * 0. Moves down -> probing when the block is over (reported in `ev`).
 */
int rg_health_admit(struct rg_health *h, const struct rg_health_cfg *cfg,
		uint64_t now_ms, uint32_t *retry_after, uint64_t *trial,
		enum rg_event *ev);

/*
 * Take back the trial `trial` (the call was refused for another reason,
 * e.g. its throttle, or never sent). Another trial's token does nothing.
 */
void rg_health_untrial(struct rg_health *h, uint64_t trial);

/*
 * The final outcome of a call that was admitted, with the token its
 * admission gave (0 when it was no trial).
 */
enum rg_event rg_health_success(struct rg_health *h,
		const struct rg_health_cfg *cfg, uint64_t trial, uint64_t now_ms);

/* A failure: `retry_after` in seconds (before clamping), or < 0 for none. */
enum rg_event rg_health_failure(struct rg_health *h,
		const struct rg_health_cfg *cfg, int64_t retry_after, uint64_t trial,
		uint64_t now_ms, const struct rg_veto *veto);

/*
 * A 503 that is no health failure (an overload signal, with adaptive
 * throttling): it fails the trial `trial`, and changes nothing else.
 */
enum rg_event rg_health_trial_failure(struct rg_health *h,
		const struct rg_health_cfg *cfg, uint64_t trial, uint64_t now_ms,
		const struct rg_veto *veto);

/*
 * Down as if down_threshold were reached (the failure ratio): only from
 * up; escalating like it.
 */
enum rg_event rg_health_trip(struct rg_health *h,
		const struct rg_health_cfg *cfg, uint64_t now_ms,
		const struct rg_veto *veto);

/* Time-driven transition only (down -> probing); for the timer. */
enum rg_event rg_health_tick(struct rg_health *h, uint64_t now_ms);

/* Manual block for `seconds` (not clamped), and its end. */
enum rg_event rg_health_block(
		struct rg_health *h, uint32_t seconds, uint64_t now_ms);
enum rg_event rg_health_unblock(struct rg_health *h);

/* what put a destination down */
enum rg_block_reason
{
	RG_BR_INFERRED = 0, /* down_threshold, failure ratio, failed trial */
	RG_BR_MANUAL = 1,	/* rg_block, RPC */
	RG_BR_RA = 2		/* a 503 with Retry-After */
};

/* The reason of the block in force (when down). */
enum rg_block_reason rg_health_reason(const struct rg_health *h);

/*
 * A block read back from the state file: down until `until_ms` for
 * `reason`, at escalation `level`. Only an up destination takes it; an
 * inferred one asks `veto` first.
 */
enum rg_event rg_health_restore(struct rg_health *h, uint64_t until_ms,
		enum rg_block_reason reason, uint16_t level, uint32_t ra_last,
		const struct rg_veto *veto);

/*
 * A block another node of the cluster wrote, newer than anything this
 * node holds (the caller compares versions): down until `until_ms`, for
 * `reason`, replacing the block in force; an inferred one asks `veto`
 * (max_blocked_percent) first when the destination is not down yet. A
 * newer unblock from a peer is rg_health_unblock().
 */
enum rg_event rg_health_peer_block(struct rg_health *h, uint64_t until_ms,
		enum rg_block_reason reason, uint32_t ra_last,
		const struct rg_veto *veto);

/* the longest block a block by hand may set: 365 days */
#define RG_MANUAL_MAX_MS (31536000ULL * 1000)

/*
 * The longest block this node takes from anywhere but its own replies (a
 * restart's file, a peer): by hand 365 days, else retry_after_max.
 */
static inline uint64_t rg_health_block_cap_ms(
		const struct rg_health_cfg *cfg, enum rg_block_reason reason)
{
	return reason == RG_BR_MANUAL ? RG_MANUAL_MAX_MS
								  : (uint64_t)cfg->ra_max * 1000;
}

/* Whole seconds left of the block, rounded up; 0 when not down. */
uint32_t rg_health_blocked_for(const struct rg_health *h, uint64_t now_ms);

#endif
