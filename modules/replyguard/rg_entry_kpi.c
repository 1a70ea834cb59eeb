/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_entry_kpi.h"
#include "rg_kpi.h"

_Static_assert(RG_F_SRD_P95 == RG_F_SRD_P50 + 1
					   && RG_F_SRD_P99 == RG_F_SRD_P50 + 2
					   && RG_F_SRD2_P95 == RG_F_SRD2_P50 + 1
					   && RG_F_SRD2_P99 == RG_F_SRD2_P50 + 2,
		"the percentiles of a delay are three fields in a row");

/* the window's p50, p95 and p99 of `h` into f[first..first + 2] */
static void percentiles(const struct rg_hist *h, const struct rg_entry_cfg *cfg,
		uint64_t now_ms, uint64_t *f)
{
	static const unsigned int q[3] = {500, 950, 990};
	uint64_t b[RG_HIST_BUCKETS];
	int64_t v;
	int i;

	rg_hist_window(h, cfg->slot_ms, now_ms, b);
	for(i = 0; i < 3; i++) {
		v = rg_hist_quantile(b, q[i]);
		f[i] = v < 0 ? RG_FIELD_ABSENT : (uint64_t)v;
	}
}

void rg_entry_kpi_snapshot(const struct rg_entry *e,
		const struct rg_entry_cfg *cfg, uint64_t now_ms, struct rg_snapshot *s)
{
	const struct rg_entry_cold *cold = e->cold;
	uint64_t k[RG_KPI_COUNT];
	uint32_t n = cfg->kpi.min_samples;

	/* what keeps it degraded is shown (rg_entry_kpi_judge) */
	if((e->quality & RG_Q_DEGRADED) && n > 1)
		n /= 2;
	rg_kpi_compute(s->win, n, k);
	s->f[RG_F_ASR] = k[RG_KPI_ASR];
	s->f[RG_F_NER] = k[RG_KPI_NER];
	s->f[RG_F_SER] = k[RG_KPI_SER];
	s->f[RG_F_SEER] = k[RG_KPI_SEER];
	s->f[RG_F_ISA] = k[RG_KPI_ISA];
	s->f[RG_F_SHORT] = k[RG_KPI_SHORT];
	s->f[RG_F_ACD] = rg_kpi_acd_ms(s->win, cfg->kpi.min_samples);
	percentiles(&cold->srd, cfg, now_ms, &s->f[RG_F_SRD_P50]);
	percentiles(&cold->srd2, cfg, now_ms, &s->f[RG_F_SRD2_P50]);
	rg_hist_view(&cold->srd, &s->srd);
	rg_hist_view(&cold->srd2, &s->srd2);
	s->f[RG_F_PDD_AVG] = s->srd.count ? s->srd.sum_ms / s->srd.count : 0;
	s->f[RG_F_PDD_SAMPLES] = s->srd.count;
	s->f[RG_F_DEGRADED] = (e->quality & RG_Q_DEGRADED) != 0;
	s->f[RG_F_NEAR_LIMIT] = (e->quality & RG_Q_NEAR) != 0;
	memcpy(&s->causes, &cold->causes, sizeof(s->causes));
}

static int degraded(const struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms)
{
	const struct rg_kpi_cfg *kc = &cfg->kpi;
	uint64_t w[RG_C_COUNT], k[RG_KPI_COUNT], b[RG_HIST_BUCKETS];
	uint32_t n = kc->min_samples;
	int64_t p95;

	/* degraded already: it stays while half the samples still say so
	 * (traffic that hovers at kpi_min_samples does not flap) */
	if((e->quality & RG_Q_DEGRADED) && n > 1)
		n /= 2;
	if(kc->min_asr_pm || kc->max_isa_pm) {
		rg_window_sum(&e->cold->win, cfg->slot_ms, now_ms, w);
		rg_kpi_compute(w, n, k);
		if(kc->min_asr_pm && k[RG_KPI_ASR] != RG_KPI_ABSENT
				&& k[RG_KPI_ASR] < kc->min_asr_pm)
			return 1;
		if(kc->max_isa_pm && k[RG_KPI_ISA] != RG_KPI_ABSENT
				&& k[RG_KPI_ISA] > kc->max_isa_pm)
			return 1;
	}
	if(kc->max_srd_p95_ms
			&& rg_hist_window(&e->cold->srd, cfg->slot_ms, now_ms, b) >= n) {
		p95 = rg_hist_quantile(b, 950);
		if(p95 > (int64_t)kc->max_srd_p95_ms)
			return 1;
	}
	return 0;
}

/* near its limit: from near_pm up; once near, until 10 points below
 * (traffic that hovers at the line does not flap) */
static int near_limit(const struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms)
{
	uint32_t series[RG_WIN_SLOTS];
	uint64_t rate = rg_throttle_admit_rate(&e->thr), got, pm;

	if(cfg->kpi.near_pm == 0 || rate == 0)
		return 0;
	pm = cfg->kpi.near_pm;
	if((e->quality & RG_Q_NEAR) && pm > 100)
		pm -= 100;
	/* the last whole slot's admissions, in mcps */
	rg_window_series(&e->cold->win, cfg->slot_ms, now_ms, RG_C_ATTEMPTS, series);
	got = (uint64_t)series[RG_WIN_SLOTS - 2] * 1000000 / cfg->slot_ms;
	return got * 1000 >= rate * pm;
}

uint8_t rg_entry_kpi_judge(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms)
{
	uint8_t was = e->quality, now = 0, ev = 0;

	if(degraded(e, cfg, now_ms))
		now |= RG_Q_DEGRADED;
	if(near_limit(e, cfg, now_ms))
		now |= RG_Q_NEAR;
	e->quality = now;
	if((now ^ was) & RG_Q_DEGRADED)
		ev |= (now & RG_Q_DEGRADED) ? RG_QEV_DEGRADED : RG_QEV_RECOVERED;
	if((now ^ was) & RG_Q_NEAR)
		ev |= (now & RG_Q_NEAR) ? RG_QEV_NEAR : RG_QEV_NEAR_END;
	return ev;
}

void rg_entry_kpi_tick(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		enum rg_op_kind kind, uint64_t now_ms, struct rg_change *chg)
{
	uint32_t epoch;

	if(kind != RG_OP_REPLY && kind != RG_OP_TIMEOUT && kind != RG_OP_ADMIT
			&& kind != RG_OP_TICK)
		return;
	epoch = (uint32_t)(now_ms / cfg->slot_ms);
	/* a clock read before the last judgement (another process took the
	 * lock first) never judges again, nor moves it back */
	if((int32_t)(epoch - e->q_epoch) <= 0)
		return;
	e->q_epoch = epoch;
	rg_entry_flush(e, cfg);
	chg->qev = rg_entry_kpi_judge(e, cfg, now_ms);
}
