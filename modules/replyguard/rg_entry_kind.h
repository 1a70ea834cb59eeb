/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What each kind of operation may touch (RG_OP_KINDS), and the lock-free
 * peek. */
#ifndef RG_ENTRY_KIND_H
#define RG_ENTRY_KIND_H

#include "rg_entry-t.h"

/*
 * Can operation `kind` change an entry's sets or its state? (Read-only
 * kinds never take the set guard's lock: the shutdown's unlocked walk
 * relies on it.) rg_entry_kind.c.
 */
int rg_entry_moves_guard(enum rg_op_kind kind);

/* Was it a write from a peer or a restart (F in RG_OP_KINDS)? With
 * RG_OPF_VER, `has_ver` says. */
int rg_entry_foreign(enum rg_op_kind kind, int has_ver);

/*
 * Without the lock: can `op` have anything to do on `e`? A cheap filter
 * for the timer's walks; the answer is checked again under the lock.
 */
int rg_entry_peek(const struct rg_entry *e, const struct rg_entry_cfg *cfg,
		enum rg_op_kind kind, uint64_t now_ms);

#endif
