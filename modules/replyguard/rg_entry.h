/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One destination's entry: what an operation does to it (rg_entry.c).
 * Its types are in rg_entry-t.h, which the parts split from it read
 * (rg_entry_base.c, rg_entry_kind.c, rg_entry_kpi.c, rg_entry_keep.c,
 * rg_entry_repl.c), so every arrow between them runs down.
 */
#ifndef RG_ENTRY_H
#define RG_ENTRY_H

#include "rg_entry-t.h"
#include "rg_entry_base.h"
#include "rg_entry_kind.h"

/* A new entry for `key` at `now_ms`, its cold part in `cold`. */
void rg_entry_init(struct rg_entry *e, struct rg_entry_cold *cold,
		const struct rg_entry_cfg *cfg, const char *key, int len,
		uint64_t now_ms);

/*
 * Run `op` on `e` (its lock held). `chg`, when not NULL, gets the
 * transitions made; the caller adds the snapshot (rg_entry_snapshot) when
 * chg->ev or chg->tev is set.
 */
int rg_entry_apply(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		struct rg_op *op, uint64_t now_ms, struct rg_change *chg);

/* (moves the tally into the counters first; rg_entry_snap.c) */
void rg_entry_snapshot(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms, struct rg_snapshot *s);

#endif
