/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What of one destination survives a restart (RG_OP_SAVE, RG_OP_RESTORE
 * of rg_entry.c; the file itself is rg_state.c): a block with its
 * wall-clock end and reason, a limit set by RPC or script, and the
 * back-off rate in force, and with the cluster the versions of each
 * (rg_repl.h). Under the entry's lock, like every rule.
 */
#ifndef RG_ENTRY_KEEP_H
#define RG_ENTRY_KEEP_H

#include "rg_entry-t.h"
#include "rg_entry_base.h"

/* Into `r` (`wall_ms`: the wall clock minus the entry's clock): 1 when
 * there is anything to keep, else 0. */
int rg_entry_save(
		const struct rg_entry *e, struct rg_saved *r, int64_t wall_ms);

/* Is anything of `r` still in force (a limit, a back-off, a block, a
 * version)? */
int rg_saved_in_force(
		const struct rg_saved *r, int64_t wall_ms, uint64_t now_ms);

/*
 * Take `r` back. A block is never longer than retry_after_max (manual:
 * 365 days); an inferred one asks `veto` (the set guard) first.
 */
void rg_entry_restore(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_saved *r, int64_t wall_ms, uint64_t now_ms,
		struct rg_change *chg, const struct rg_veto *veto);

#endif
