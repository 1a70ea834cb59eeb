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

	rg_kpi_compute(s->win, cfg->kpi.min_samples, k);
	s->f[RG_F_ASR] = k[RG_KPI_ASR];
	s->f[RG_F_NER] = k[RG_KPI_NER];
	s->f[RG_F_SER] = k[RG_KPI_SER];
	s->f[RG_F_SEER] = k[RG_KPI_SEER];
	s->f[RG_F_ISA] = k[RG_KPI_ISA];
	percentiles(&cold->srd, cfg, now_ms, &s->f[RG_F_SRD_P50]);
	percentiles(&cold->srd2, cfg, now_ms, &s->f[RG_F_SRD2_P50]);
	rg_hist_view(&cold->srd, &s->srd);
	rg_hist_view(&cold->srd2, &s->srd2);
	memcpy(&s->causes, &cold->causes, sizeof(s->causes));
}
