/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An entry's carrier figures as a snapshot shows them: the ratios of
 * rg_kpi.h over the window, the delay percentiles of its histograms, and
 * the histograms and 503 causes for the lifetime.
 */
#ifndef RG_ENTRY_KPI_H
#define RG_ENTRY_KPI_H

#include "rg_entry.h"

/* (the snapshot's counters already filled) */
void rg_entry_kpi_snapshot(const struct rg_entry *e,
		const struct rg_entry_cfg *cfg, uint64_t now_ms, struct rg_snapshot *s);

#endif
