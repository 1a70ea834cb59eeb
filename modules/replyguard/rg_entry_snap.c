/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_entry.h"
#include "rg_entry_kpi.h"

void rg_entry_snapshot(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms, struct rg_snapshot *s)
{
	const struct rg_entry_cold *cold = e->cold;

	rg_entry_flush(e, cfg);
	s->key_len = rg_entry_key(e, s->key);
	memcpy(s->ctr, cold->ctr, sizeof(s->ctr));
	rg_window_sum(&cold->win, cfg->slot_ms, now_ms, s->win);
	rg_window_series(&cold->win, cfg->slot_ms, now_ms, RG_C_R183, s->series_183);
	rg_window_series(&cold->win, cfg->slot_ms, now_ms, RG_C_R503, s->series_503);
	s->f[RG_F_STATE] = e->health.state;
	s->f[RG_F_BLOCKED_FOR] = rg_health_blocked_for(&e->health, now_ms);
	s->f[RG_F_RA_LAST] = e->health.ra_last;
	s->f[RG_F_PDD_MAX] = cold->pdd_max_ms;
	s->f[RG_F_IDLE] = now_ms > e->last_ms ? (now_ms - e->last_ms) / 1000 : 0;
	s->f[RG_F_CPS_LIMIT] = rg_throttle_rate(&e->thr);
	s->f[RG_F_CPS_CONF] = e->thr.lim.mcps;
	s->f[RG_F_CPS_SHARE] = rg_throttle_admit_rate(&e->thr);
	s->f[RG_F_CPS_RECV] = rg_throttle_received(&e->thr, now_ms);
	s->f[RG_F_CPS_BURST] = e->thr.lim.burst;
	s->f[RG_F_CPS_RAMP] = rg_throttle_ramp_cap(
			&e->thr, &cfg->throttle, now_ms, e->thr.lim.mcps);
	s->f[RG_F_CONCURRENT] = e->thr.inflight;
	s->f[RG_F_MAX_CONCURRENT] = e->thr.lim.max_concurrent;
	s->f[RG_F_THROTTLED] = e->thr.throttled != 0;
	s->f[RG_F_LIMIT_SRC] = e->thr.src;
	rg_ext_copy(&cold->ext, s);
	s->win[RG_C_SEIZURES] = s->win[RG_C_ATTEMPTS];
	s->ctr[RG_C_SEIZURES] = s->ctr[RG_C_ATTEMPTS];
	rg_entry_kpi_snapshot(e, cfg, now_ms, s);
}
