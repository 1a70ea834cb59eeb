/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's rules for one entry (rg_repl.h has the registers): what
 * a write made here versions and marks for the peers, and what a peer's
 * write does here. Called by rg_entry.c under the entry's lock; nothing
 * here runs without a cluster (cfg->hlc NULL) but the peer operations,
 * which then take every write as it comes.
 */
#ifndef RG_ENTRY_REPL_H
#define RG_ENTRY_REPL_H

#include "rg_entry-t.h"
#include "rg_entry_base.h"

/* Does the entry hold replicated facts to keep from expiry? */
int rg_entry_repl_kept(const struct rg_entry *e,
		const struct rg_entry_cfg *cfg, uint64_t now_ms);

/* Take a peer's write `v` into `reg`, a register of `e`'s, when newer
 * and not from beyond the cluster's skew (rg_ver.h): 1, else 0. */
int rg_entry_repl_take(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		struct rg_ver *reg, const struct rg_ver *v, uint64_t now_ms);

/*
 * After `op` made `chg` here (not a peer's write, not a restart's): a
 * block, an unblock, a limit set by hand that differs and an AIMD cut
 * get a new version and are marked in chg->pub. `prev_until`: the end of
 * the block before the operation (0: none).
 */
void rg_entry_repl_stamp(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg,
		uint64_t prev_until);

/* A peer's block (RG_OP_PEER_BLOCK): when newer, within local bounds. */
int rg_entry_peer_block(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg,
		const struct rg_veto *veto);

/* A peer's unblock (RG_OP_PEER_UP), and AIMD cut (RG_OP_PEER_CUT). */
void rg_entry_peer_up(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg);
void rg_entry_peer_cut(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg);

#endif
