/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A destination's throttle: a calls-per-second limit (GCRA), a cap on
 * calls in flight, and adaptive back-off on 503.
 *
 * - Rate: the generic cell rate algorithm keeps one "theoretical arrival
 *   time" per destination. A call is admitted when it is no more than
 *   `burst` calls early; it then pushes that time on by 1/rate. No timer,
 *   a handful of instructions under the entry lock, exact across
 *   processes because the state lives in the shared entry.
 * - Concurrency: `inflight` counts admitted calls until the host releases
 *   them (final reply, dialog end, transaction end). It never goes below 0.
 * - Adaptive (AIMD): a 503 without Retry-After cuts the rate in force to
 *   `backoff_factor` of the rate the destination was receiving (never
 *   below `cps_min`), at most once per `backoff_interval`. Every interval
 *   without a 503 adds `recovery_step`, until the configured limit is back
 *   (or, with no configured limit, the rate received when back-off began);
 *   then the destination is unthrottled.
 *
 * - Ramp: a destination back up from a block admits at first only
 *   ramp_start of its configured limit (of its share of the budget, in a
 *   cluster), and that cap rises in a straight line to the whole limit
 *   over ramp_ms, so a gateway that just recovered is not hit by the
 *   backlog at once. The rate admitted is the least of the cap and the
 *   rate in force. A back-off that ends ramps the rest of the way the
 *   same: the cap starts where the back-off stood, and rises at the same
 *   slope. With no limit there is nothing to ramp.
 *
 * Rates are in milli-calls per second ("mcps") so that a back-off can
 * settle between whole numbers. Every function works on one destination's
 * struct under its caller's lock, and returns the transition it made.
 */
#ifndef RG_THROTTLE_H
#define RG_THROTTLE_H

#include <stdint.h>

enum rg_tevent
{
	RG_TEV_NONE = 0,
	RG_TEV_THROTTLED,  /* entered back-off */
	RG_TEV_UNTHROTTLED /* left it: the configured limit is back (a ramp,
						  when on, leads the rest of the way up) */
};

/* where a destination's limit came from */
enum rg_limit_src
{
	RG_LIM_DEFAULT = 0, /* the modparams */
	RG_LIM_FILE,		/* limits_file */
	RG_LIM_MANUAL		/* rg_set_limit() or RPC */
};

struct rg_limit
{
	uint32_t mcps;			 /* rate, milli-calls per second; 0 = none */
	uint32_t burst;			 /* calls that may come back to back, >= 1 */
	uint32_t max_concurrent; /* calls in flight; 0 = no cap */
};

struct rg_throttle_cfg
{
	struct rg_limit dflt;	   /* for destinations with no limit of their own */
	uint32_t adaptive;		   /* 0 or 1 */
	uint32_t backoff_permille; /* the cut: new rate = received * this / 1000 */
	uint32_t min_mcps;		   /* floor of a cut */
	uint32_t interval_ms;	   /* at most one cut, or one step, per interval */
	uint32_t step_mcps;		   /* added per quiet interval */
	uint32_t share_ppm; /* cluster: a new destination's share of its
						   budget, millionths (0: all of it) */
	uint32_t ramp_start_pm; /* a ramp starts at this share of the rate */
	uint32_t ramp_ms;		/* and reaches all of it after this; 0 = off */
};

struct rg_throttle
{
	struct rg_limit lim; /* configured */
	uint8_t src;		 /* enum rg_limit_src */
	uint8_t throttled;	 /* in back-off: `cur_mcps` is in force */
	uint32_t lim_gen;	 /* limits_file load that set it */
	uint32_t cur_mcps;	 /* rate in force during back-off */
	uint32_t ceil_mcps;	 /* back-off ends here when no limit is configured */
	uint32_t inflight;
	uint64_t tat_us;   /* GCRA: theoretical arrival time of the next call */
	uint64_t cut_ms;   /* last cut */
	uint64_t quiet_ms; /* last cut, step or 503: the next step counts from */
	uint64_t sec;	   /* received-rate estimate: the current second, */
	uint32_t n_cur;	   /* calls admitted in it, */
	uint32_t n_prev;   /* and in the one before */
	uint32_t share_ppm; /* cluster: this node's share of the rate in force,
						   millionths (0: all of it) */
	uint32_t peer_recv_mcps; /* cluster: what the other nodes send it */
	uint64_t offered;		 /* calls offered: admitted or refused by the
								throttle (the cluster's demand) */
	uint64_t ramp_t0_ms;	 /* a ramp began (back up from a block), or 0 */
};

#define RG_SHARE_WHOLE 1000000u /* share_ppm: all of the rate */

/* rg_throttle_admit() verdicts */
enum rg_throttle_verdict
{
	RG_THROTTLE_OK = 1,	  /* admitted */
	RG_THROTTLE_OVER = -2 /* over the rate or the cap on calls in flight */
};

/* A fresh throttle with the default limit. */
void rg_throttle_init(
		struct rg_throttle *th, const struct rg_throttle_cfg *cfg);

/* The rate in force, in mcps (0 = none). */
uint32_t rg_throttle_rate(const struct rg_throttle *th);

/*
 * The rate this node admits at, in mcps (0 = none): the rate in force,
 * or in a cluster this node's share of it (at least 1 mcps).
 */
uint32_t rg_throttle_admit_rate(const struct rg_throttle *th);

/* The rate received over about the last second, in mcps. */
uint32_t rg_throttle_received(const struct rg_throttle *th, uint64_t now_ms);

/*
 * Admission: RG_THROTTLE_OK (counted in flight when a cap is set: `*held`
 * is then 1 and the host must call rg_throttle_release() once), or
 * RG_THROTTLE_OVER, over the rate or the cap, with the seconds to suggest upstream (>= 1) in
 * `retry_after`. `ev` reports a recovery step made on the way.
 */
int rg_throttle_admit(struct rg_throttle *th, const struct rg_throttle_cfg *cfg,
		uint64_t now_ms, uint32_t *retry_after, int *held, enum rg_tevent *ev);

/*
 * Take back the rate token of a call admitted at `admitted_ms` that was
 * never sent: the next call may go one interval sooner, and the received
 * rate no longer counts it.
 */
void rg_throttle_unadmit(
		struct rg_throttle *th, uint64_t admitted_ms, uint64_t now_ms);

/*
 * A call counted in flight has ended: 0, or -1 when none was in flight
 * (a release without a hold: the caller's defect, nothing changes).
 */
int rg_throttle_release(struct rg_throttle *th);

/*
 * A 503 without Retry-After: the adaptive cut, when one is due, from the
 * rate received here and from the other nodes (peer_recv_mcps).
 */
enum rg_tevent rg_throttle_overload(struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint64_t now_ms);

/* Time-driven recovery steps, for the timer (admission makes them too). */
enum rg_tevent rg_throttle_tick(struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint64_t now_ms);

/*
 * A new configured limit from `src`. Back-off, if any, goes on but never
 * allows more than the new limit.
 */
enum rg_tevent rg_throttle_set(struct rg_throttle *th,
		const struct rg_limit *lim, enum rg_limit_src src);

/*
 * Back-off read back from the state file: `cur_mcps` in force, ending at
 * `ceil_mcps` when no limit is configured; steps resume from `now_ms`.
 */
enum rg_tevent rg_throttle_restore(struct rg_throttle *th,
		uint32_t cur_mcps, uint32_t ceil_mcps, uint64_t now_ms);

/*
 * An AIMD cut another node of the cluster made: back off to `cur_mcps`
 * (never up: a lower rate in force stays), ending at `ceil_mcps`; both
 * held to what a cut here could make (cps_min, the limit, the back-off
 * factor).
 */
enum rg_tevent rg_throttle_peer_cut(struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint32_t cur_mcps,
		uint32_t ceil_mcps, uint64_t now_ms);

/*
 * A ramp begins now (a no-op when ramps are off), with its cap at
 * `from_pm` of the limit now (ramp_start when lower): back up from a
 * block, 0; a back-off that ends, the share of the limit it stood at.
 * A ramp in force whose cap is lower stays.
 */
void rg_throttle_ramp(struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint64_t now_ms, uint32_t from_pm);

/*
 * The ramp's cap at `now_ms` on `full` (the configured limit, or this
 * node's share of it): 0 when no ramp is in force (none began, it is
 * over, or there is no limit). Never 0 while one is. The rate admitted
 * is the least of this cap and the rate in force (a back-off below the
 * cap stays as it is).
 */
uint32_t rg_throttle_ramp_cap(const struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint64_t now_ms, uint32_t full);

const char *rg_limit_src_name(enum rg_limit_src src);

#endif
