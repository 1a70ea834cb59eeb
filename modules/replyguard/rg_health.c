/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>

#include "rg_health.h"

const char *rg_state_name(enum rg_state s)
{
	switch(s) {
		case RG_DOWN:
			return "down";
		case RG_PROBING:
			return "probing";
		default:
			return "up";
	}
}

uint32_t rg_health_clamp(const struct rg_health_cfg *cfg, uint64_t seconds)
{
	if(seconds < cfg->ra_min)
		return cfg->ra_min;
	if(seconds > cfg->ra_max)
		return cfg->ra_max;
	return (uint32_t)seconds;
}

static enum rg_event go_down(struct rg_health *h, uint32_t seconds,
		uint64_t now_ms)
{
	uint64_t until = now_ms + (uint64_t)seconds * 1000;
	enum rg_event ev = h->state == RG_DOWN ? RG_EV_NONE : RG_EV_DOWN;

	/* replies of calls already in flight may extend a block, not cut it */
	if(h->state != RG_DOWN || until > h->until_ms)
		h->until_ms = until;
	h->state = RG_DOWN;
	h->probe_ms = 0;
	h->trials_ok = 0;
	return ev;
}

enum rg_event rg_health_tick(struct rg_health *h, uint64_t now_ms)
{
	if(h->state != RG_DOWN || now_ms < h->until_ms)
		return RG_EV_NONE;
	h->state = RG_PROBING;
	h->manual = 0;
	h->probe_ms = 0;
	h->trials_ok = 0;
	return RG_EV_PROBING;
}

int rg_health_admit(struct rg_health *h, const struct rg_health_cfg *cfg,
		uint64_t now_ms, uint32_t *retry_after, uint64_t *trial,
		enum rg_event *ev)
{
	*ev = rg_health_tick(h, now_ms);
	*retry_after = 0;
	*trial = 0;
	switch(h->state) {
		case RG_DOWN:
			*retry_after = rg_health_blocked_for(h, now_ms);
			return RG_HEALTH_BLOCKED;
		case RG_PROBING:
			/* (a clock read before the trial began: it is on its way) */
			if(h->probe_ms != 0
					&& (now_ms < h->probe_ms
							|| now_ms - h->probe_ms
									   < (uint64_t)cfg->probe_timeout * 1000)) {
				*retry_after = 1; /* a trial is on its way */
				return RG_HEALTH_BLOCKED;
			}
			h->probe_ms = now_ms ? now_ms : 1;
			*trial = h->probe_ms;
			return RG_HEALTH_OK;
		default:
			return RG_HEALTH_OK;
	}
}

void rg_health_untrial(struct rg_health *h, uint64_t trial)
{
	if(h->state == RG_PROBING && trial != 0 && h->probe_ms == trial)
		h->probe_ms = 0;
}

/* the outcome of the trial in flight: the only one that moves probing */
static int is_trial(const struct rg_health *h, uint64_t trial)
{
	return trial != 0 && h->probe_ms == trial;
}

enum rg_event rg_health_success(struct rg_health *h,
		const struct rg_health_cfg *cfg, uint64_t trial, uint64_t now_ms)
{
	(void)now_ms;
	/* a call admitted before the block, or a trial given up */
	if(h->state == RG_PROBING && !is_trial(h, trial))
		return RG_EV_NONE;
	h->streak = 0;
	if(h->state == RG_PROBING) {
		h->probe_ms = 0; /* the next call may be the next trial */
		if(++h->trials_ok < cfg->up_threshold)
			return RG_EV_NONE;
		h->level = 0;
		h->trials_ok = 0;
		h->state = RG_UP;
		return RG_EV_UP;
	}
	/* a call admitted before a block does not undo its escalation */
	if(h->state == RG_UP)
		h->level = 0;
	/* a call admitted before a block cannot lift it */
	return RG_EV_NONE;
}

/* down for down_time, doubled for each repeat, at most ra_max; unless
 * the veto holds the block back */
static enum rg_event escalate(struct rg_health *h,
		const struct rg_health_cfg *cfg, uint64_t now_ms,
		const struct rg_veto *veto)
{
	uint64_t t = (uint64_t)cfg->down_time << (h->level < 20 ? h->level : 20);

	if(veto != NULL && !veto->allow(veto->arg)) {
		h->probe_ms = 0; /* a trial's outcome is spent all the same */
		h->trials_ok = 0;
		return RG_EV_NONE;
	}
	if(h->level < UINT16_MAX)
		h->level++;
	h->by_ra = 0;
	return go_down(h, t > cfg->ra_max ? cfg->ra_max : (uint32_t)t, now_ms);
}

enum rg_event rg_health_failure(struct rg_health *h,
		const struct rg_health_cfg *cfg, int64_t retry_after, uint64_t trial,
		uint64_t now_ms, const struct rg_veto *veto)
{
	if(h->state == RG_PROBING && !is_trial(h, trial))
		return RG_EV_NONE;
	if(h->streak < UINT16_MAX)
		h->streak++;
	if(retry_after >= 0) {
		h->ra_last = rg_health_clamp(cfg, (uint64_t)retry_after);
		if(h->state != RG_DOWN)
			h->by_ra = 1;
		return go_down(h, h->ra_last, now_ms);
	}
	if(h->state == RG_UP && h->streak < cfg->down_threshold)
		return RG_EV_NONE;
	if(h->state == RG_DOWN)
		return RG_EV_NONE; /* already blocked: late replies change nothing */
	/* threshold reached, or the trial failed: down, escalating */
	return escalate(h, cfg, now_ms, veto);
}

enum rg_event rg_health_trial_failure(struct rg_health *h,
		const struct rg_health_cfg *cfg, uint64_t trial, uint64_t now_ms,
		const struct rg_veto *veto)
{
	if(h->state != RG_PROBING || !is_trial(h, trial))
		return RG_EV_NONE;
	return escalate(h, cfg, now_ms, veto);
}

enum rg_event rg_health_trip(struct rg_health *h,
		const struct rg_health_cfg *cfg, uint64_t now_ms,
		const struct rg_veto *veto)
{
	if(h->state != RG_UP)
		return RG_EV_NONE;
	return escalate(h, cfg, now_ms, veto);
}

enum rg_event rg_health_block(
		struct rg_health *h, uint32_t seconds, uint64_t now_ms)
{
	enum rg_event ev = h->state == RG_DOWN ? RG_EV_NONE : RG_EV_DOWN;

	h->state = RG_DOWN;
	h->manual = 1;
	h->by_ra = 0;
	h->until_ms = now_ms + (uint64_t)seconds * 1000;
	h->probe_ms = 0;
	return ev;
}

enum rg_event rg_health_unblock(struct rg_health *h)
{
	enum rg_event ev = h->state == RG_UP ? RG_EV_NONE : RG_EV_UP;

	h->state = RG_UP;
	h->manual = 0;
	h->streak = 0;
	h->level = 0;
	h->probe_ms = 0;
	h->trials_ok = 0;
	h->until_ms = 0;
	return ev;
}

enum rg_block_reason rg_health_reason(const struct rg_health *h)
{
	if(h->manual)
		return RG_BR_MANUAL;
	return h->by_ra ? RG_BR_RA : RG_BR_INFERRED;
}

enum rg_event rg_health_restore(struct rg_health *h, uint64_t until_ms,
		enum rg_block_reason reason, uint16_t level, uint32_t ra_last,
		const struct rg_veto *veto)
{
	if(h->state != RG_UP)
		return RG_EV_NONE;
	if(reason == RG_BR_INFERRED && veto != NULL && !veto->allow(veto->arg))
		return RG_EV_NONE;
	h->state = RG_DOWN;
	h->manual = reason == RG_BR_MANUAL;
	h->by_ra = reason == RG_BR_RA;
	h->until_ms = until_ms;
	h->level = level;
	h->ra_last = ra_last;
	h->probe_ms = 0;
	h->trials_ok = 0;
	return RG_EV_DOWN;
}

enum rg_event rg_health_peer_block(struct rg_health *h, uint64_t until_ms,
		enum rg_block_reason reason, uint32_t ra_last,
		const struct rg_veto *veto)
{
	enum rg_event ev = h->state == RG_DOWN ? RG_EV_NONE : RG_EV_DOWN;

	if(h->state != RG_DOWN && reason == RG_BR_INFERRED && veto != NULL
			&& !veto->allow(veto->arg))
		return RG_EV_NONE;
	/* the newest write decides, whatever was here: every node that took
	 * the same writes ends in the same state */
	h->manual = reason == RG_BR_MANUAL;
	h->by_ra = reason == RG_BR_RA;
	h->state = RG_DOWN;
	h->until_ms = until_ms;
	if(ra_last)
		h->ra_last = ra_last;
	h->probe_ms = 0;
	h->trials_ok = 0;
	return ev;
}

uint32_t rg_health_blocked_for(const struct rg_health *h, uint64_t now_ms)
{
	if(h->state != RG_DOWN || now_ms >= h->until_ms)
		return 0;
	return (uint32_t)((h->until_ms - now_ms + 999) / 1000);
}
