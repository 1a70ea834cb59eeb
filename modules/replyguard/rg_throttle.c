/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rg_throttle.h"

/* the clock is read in whole milliseconds: allow that much jitter */
#define RG_CLOCK_SLACK_US 1000ull

const char *rg_limit_src_name(enum rg_limit_src src)
{
	switch(src) {
		case RG_LIM_FILE:
			return "file";
		case RG_LIM_MANUAL:
			return "manual";
		default:
			return "default";
	}
}

void rg_throttle_init(struct rg_throttle *th, const struct rg_throttle_cfg *cfg)
{
	*th = (struct rg_throttle){0};
	th->lim = cfg->dflt;
	th->src = RG_LIM_DEFAULT;
	th->share_ppm = __atomic_load_n(&cfg->share_ppm, __ATOMIC_RELAXED);
}

uint32_t rg_throttle_rate(const struct rg_throttle *th)
{
	return th->throttled ? th->cur_mcps : th->lim.mcps;
}

uint32_t rg_throttle_admit_rate(const struct rg_throttle *th)
{
	uint64_t r = rg_throttle_rate(th);

	if(r == 0 || th->share_ppm == 0 || th->share_ppm >= RG_SHARE_WHOLE)
		return (uint32_t)r;
	r = r * th->share_ppm / RG_SHARE_WHOLE;
	return r ? (uint32_t)r : 1; /* 0 would be "no limit" */
}

/*
 * One call admitted at `now_ms`, in the received-rate estimate. A clock
 * read before the second counted now (another process took the lock
 * first) counts in the second it fell in: the estimate never moves back.
 */
static void count_received(struct rg_throttle *th, uint64_t now_ms)
{
	uint64_t s = now_ms / 1000;

	if(s < th->sec) {
		if(s + 1 == th->sec)
			th->n_prev++;
		return; /* older: out of the estimate's view */
	}
	if(s != th->sec) {
		th->n_prev = (s == th->sec + 1) ? th->n_cur : 0;
		th->n_cur = 0;
		th->sec = s;
	}
	th->n_cur++;
}

uint32_t rg_throttle_received(const struct rg_throttle *th, uint64_t now_ms)
{
	uint64_t s = now_ms / 1000, prev = 0, cur = 0, r;

	if(s == th->sec) {
		prev = th->n_prev;
		cur = th->n_cur;
	} else if(s == th->sec + 1) {
		prev = th->n_cur;
	}
	/* the previous second weighted by how much of it is still in view */
	r = prev * (1000 - now_ms % 1000) + cur * 1000;
	return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

enum rg_tevent rg_throttle_tick(struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint64_t now_ms)
{
	uint64_t n, cur, target;

	if(!th->throttled || cfg->interval_ms == 0
			|| now_ms < th->quiet_ms + cfg->interval_ms)
		return RG_TEV_NONE;
	n = (now_ms - th->quiet_ms) / cfg->interval_ms;
	th->quiet_ms += n * cfg->interval_ms;
	cur = th->cur_mcps + n * cfg->step_mcps;
	target = th->lim.mcps ? th->lim.mcps : th->ceil_mcps;
	if(cur >= target) {
		/* the rest of the way to the limit is ramped, from where the
		 * back-off stood (no ramp without a limit) */
		if(th->lim.mcps != 0)
			rg_throttle_ramp(th, cfg, now_ms,
					(uint32_t)((uint64_t)th->cur_mcps * 1000 / th->lim.mcps));
		th->throttled = 0;
		th->cur_mcps = 0;
		return RG_TEV_UNTHROTTLED;
	}
	th->cur_mcps = (uint32_t)cur;
	return RG_TEV_NONE;
}

/*
 * GCRA: admitted when the theoretical arrival time is at most `burst - 1`
 * emission intervals (plus the clock's granularity) ahead of now. Refused
 * calls leave the state alone; `wait_us` says how long until one fits.
 */
static int gcra(struct rg_throttle *th, uint32_t mcps, uint64_t now_ms,
		uint64_t *wait_us)
{
	uint64_t t_us, tau, now_us, tat;
	uint32_t burst = th->lim.burst ? th->lim.burst : 1;

	if(mcps == 0)
		return RG_THROTTLE_OK;
	t_us = 1000000000ull / mcps;
	tau = (uint64_t)(burst - 1) * t_us + RG_CLOCK_SLACK_US;
	now_us = now_ms * 1000;
	/* a debt run up at a lower rate than the one in force now (a share
	 * that grew) is forgiven beyond what this rate would leave */
	if(th->tat_us > now_us + tau + t_us)
		th->tat_us = now_us + tau + t_us;
	tat = th->tat_us > now_us ? th->tat_us : now_us;
	if(tat > now_us + tau) {
		*wait_us = tat - tau - now_us;
		return RG_THROTTLE_OVER;
	}
	th->tat_us = tat + t_us;
	return RG_THROTTLE_OK;
}

void rg_throttle_unadmit(
		struct rg_throttle *th, uint64_t admitted_ms, uint64_t now_ms)
{
	uint32_t mcps = rg_throttle_admit_rate(th);
	uint64_t s = admitted_ms / 1000, t_us;

	(void)now_ms;
	if(th->offered > 0)
		th->offered--;
	if(mcps != 0) {
		t_us = 1000000000ull / mcps;
		th->tat_us = th->tat_us > t_us ? th->tat_us - t_us : 0;
	}
	if(s == th->sec && th->n_cur > 0)
		th->n_cur--;
	else if(s + 1 == th->sec && th->n_prev > 0)
		th->n_prev--;
}

void rg_throttle_ramp(struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint64_t now_ms, uint32_t from_pm)
{
	uint64_t back = 0, t0;

	/* off, or already at the whole limit (a cut held at cps_min may
	 * stand there): nothing to ramp */
	if(cfg->ramp_ms == 0 || from_pm >= 1000)
		return;
	/* begun as long ago as the line needs to stand at from_pm now */
	if(from_pm > cfg->ramp_start_pm)
		back = (uint64_t)cfg->ramp_ms * (from_pm - cfg->ramp_start_pm)
			   / (1000 - cfg->ramp_start_pm);
	t0 = now_ms > back ? now_ms - back : 1;
	/* a ramp in force whose cap is lower stays */
	if(th->ramp_t0_ms == 0 || t0 > th->ramp_t0_ms)
		th->ramp_t0_ms = t0;
}

uint32_t rg_throttle_ramp_cap(const struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint64_t now_ms, uint32_t full)
{
	uint64_t gone, pm, r;

	if(th->ramp_t0_ms == 0 || full == 0 || cfg->ramp_ms == 0)
		return 0;
	/* a clock read before the ramp began is at its start */
	gone = now_ms > th->ramp_t0_ms ? now_ms - th->ramp_t0_ms : 0;
	if(gone >= cfg->ramp_ms)
		return 0;
	pm = cfg->ramp_start_pm
		 + (1000 - (uint64_t)cfg->ramp_start_pm) * gone / cfg->ramp_ms;
	r = (uint64_t)full * pm / 1000;
	return r ? (uint32_t)r : 1;
}

/* the configured limit as this node admits it (its share, in a cluster) */
static uint32_t configured_share(const struct rg_throttle *th)
{
	uint64_t r = th->lim.mcps;

	if(r == 0 || th->share_ppm == 0 || th->share_ppm >= RG_SHARE_WHOLE)
		return (uint32_t)r;
	r = r * th->share_ppm / RG_SHARE_WHOLE;
	return r ? (uint32_t)r : 1;
}

int rg_throttle_admit(struct rg_throttle *th, const struct rg_throttle_cfg *cfg,
		uint64_t now_ms, uint32_t *retry_after, int *held, enum rg_tevent *ev)
{
	uint64_t wait_us = 0;
	uint32_t rate, cap;

	*ev = rg_throttle_tick(th, cfg, now_ms);
	*held = 0;
	*retry_after = 0;
	if(th->lim.max_concurrent && th->inflight >= th->lim.max_concurrent) {
		*retry_after = 1; /* nothing tells when a call will end */
		return RG_THROTTLE_OVER;
	}
	th->offered++; /* the rate's demand: refusals by this node's cap are
					  none of the cluster's budget */
	rate = rg_throttle_admit_rate(th);
	if(th->ramp_t0_ms != 0) {
		/* the ramp caps the configured limit; a back-off below the cap
		 * stays in force (the least of the two) */
		cap = rg_throttle_ramp_cap(th, cfg, now_ms, configured_share(th));
		if(cap == 0)
			th->ramp_t0_ms = 0; /* over */
		else if(rate == 0 || cap < rate)
			rate = cap;
	}
	if(gcra(th, rate, now_ms, &wait_us) != RG_THROTTLE_OK) {
		wait_us = (wait_us + 999999) / 1000000;
		*retry_after = wait_us < 1 ? 1
								   : (wait_us > UINT32_MAX ? UINT32_MAX
														   : (uint32_t)wait_us);
		return RG_THROTTLE_OVER;
	}
	count_received(th, now_ms);
	if(th->lim.max_concurrent) {
		th->inflight++;
		*held = 1;
	}
	return RG_THROTTLE_OK;
}

int rg_throttle_release(struct rg_throttle *th)
{
	if(th->inflight == 0)
		return -1;
	th->inflight--;
	return 0;
}

enum rg_tevent rg_throttle_overload(struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint64_t now_ms)
{
	uint64_t recv, base, rate, cut;
	enum rg_tevent ev = RG_TEV_NONE;

	if(!cfg->adaptive)
		return RG_TEV_NONE;
	/* late 503s of calls sent before the last cut do not cut again */
	if(th->throttled && now_ms < th->cut_ms + cfg->interval_ms) {
		th->quiet_ms = now_ms;
		return RG_TEV_NONE;
	}
	recv = (uint64_t)rg_throttle_received(th, now_ms) + th->peer_recv_mcps;
	rate = rg_throttle_rate(th);
	base = (rate != 0 && rate < recv) ? rate : recv;
	cut = base * cfg->backoff_permille / 1000;
	if(cut < cfg->min_mcps)
		cut = cfg->min_mcps;
	if(rate != 0 && cut > rate)
		cut = rate; /* a cut never raises the rate */
	if(!th->throttled) {
		/* with no limit configured, back-off ends where it began */
		th->ceil_mcps = recv > cut ? (uint32_t)recv : (uint32_t)cut + 1;
		th->throttled = 1;
		ev = RG_TEV_THROTTLED;
	}
	th->cur_mcps = (uint32_t)cut;
	th->cut_ms = now_ms;
	th->quiet_ms = now_ms;
	return ev;
}

enum rg_tevent rg_throttle_set(struct rg_throttle *th,
		const struct rg_limit *lim, enum rg_limit_src src)
{
	th->lim = *lim;
	if(th->lim.burst == 0)
		th->lim.burst = 1;
	th->src = (uint8_t)src;
	if(th->throttled && lim->mcps != 0 && th->cur_mcps >= lim->mcps) {
		/* the new limit is below the back-off rate: it is in force now */
		th->throttled = 0;
		th->cur_mcps = 0;
		return RG_TEV_UNTHROTTLED;
	}
	return RG_TEV_NONE;
}

enum rg_tevent rg_throttle_restore(struct rg_throttle *th,
		uint32_t cur_mcps, uint32_t ceil_mcps, uint64_t now_ms)
{
	if(cur_mcps == 0 || (th->lim.mcps != 0 && cur_mcps >= th->lim.mcps))
		return RG_TEV_NONE; /* no back-off below the limit in force */
	th->cur_mcps = cur_mcps;
	th->ceil_mcps = ceil_mcps > cur_mcps ? ceil_mcps : cur_mcps + 1;
	th->cut_ms = now_ms;
	th->quiet_ms = now_ms;
	if(th->throttled)
		return RG_TEV_NONE;
	th->throttled = 1;
	return RG_TEV_THROTTLED;
}

enum rg_tevent rg_throttle_peer_cut(struct rg_throttle *th,
		const struct rg_throttle_cfg *cfg, uint32_t cur_mcps,
		uint32_t ceil_mcps, uint64_t now_ms)
{
	uint64_t top;

	/* within what a cut here could be: never below cps_min, and ending
	 * no higher than the limit, or than the rate such a cut began from */
	if(cur_mcps < cfg->min_mcps)
		cur_mcps = cfg->min_mcps;
	top = cfg->backoff_permille
				  ? (uint64_t)cur_mcps * 1000 / cfg->backoff_permille + 1
				  : (uint64_t)cur_mcps + 1;
	if(th->lim.mcps != 0 && top > th->lim.mcps)
		top = th->lim.mcps;
	if(ceil_mcps > top)
		ceil_mcps = (uint32_t)top;
	if(th->throttled && th->cur_mcps <= cur_mcps)
		return RG_TEV_NONE;
	if(th->throttled) {
		th->cur_mcps = cur_mcps;
		th->cut_ms = now_ms;
		th->quiet_ms = now_ms;
		return RG_TEV_NONE;
	}
	return rg_throttle_restore(th, cur_mcps, ceil_mcps, now_ms);
}
