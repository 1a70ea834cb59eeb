/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An entry's carrier figures as a snapshot shows them: the ratios of
 * rg_kpi.h over the window, the delay percentiles of its histograms, and
 * the histograms and 503 causes for the lifetime.
 */
#ifndef RG_ENTRY_KPI_H
#define RG_ENTRY_KPI_H

#include "rg_entry-t.h"
#include "rg_entry_base.h"

/* (the snapshot's counters already filled) */
void rg_entry_kpi_snapshot(const struct rg_entry *e,
		const struct rg_entry_cfg *cfg, uint64_t now_ms, struct rg_snapshot *s);

/*
 * Judge the entry's quality at `now_ms` (its tally flushed): its new
 * RG_Q_* flags kept, and the transitions as enum rg_qevent bits.
 * Degraded needs kpi_min_samples: a window with fewer is no evidence.
 * Once degraded, half of them keep it so (no flapping at the minimum),
 * and a degraded destination whose window empties has recovered. Near
 * its limit: the last whole window slot admitted at least near_pm of the
 * rate this node admits at (its share, in a cluster).
 */
uint8_t rg_entry_kpi_judge(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms);

/*
 * After operation `kind` (its lock held): judge the quality when the
 * operation may move it (an admission, a reply, a timeout, a tick) and
 * the window slot is not the one last judged in; transitions into
 * chg->qev.
 */
void rg_entry_kpi_tick(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		enum rg_op_kind kind, uint64_t now_ms, struct rg_change *chg);

#endif
