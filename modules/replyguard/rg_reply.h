/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What one reply (or a timeout) means for the branch it belongs to: the
 * counters, the PDD clock, Retry-After, the hold. One place for it,
 * whether a script calls rg_inspect() in onreply_route or tm's reply-in
 * callback calls it (modparam reply_callbacks).
 */
#ifndef RG_REPLY_H
#define RG_REPLY_H

#include "core/parser/msg_parser.h"
#include "modules/tm/h_table.h"

#include "rg_txn.h"

/*
 * Record `rpl`, a reply of branch `index` of `t`. `txn` is the
 * transaction's slot, or NULL to find it. With `script`, $rg() is pointed
 * at the branch's destination. 1 when it belongs to a branch rg_allow
 * admitted, -1 when not.
 */
int rg_reply_inspect(struct sip_msg *rpl, struct cell *t, struct rg_txn *txn,
		int index, int script);

/*
 * Count once each branch of `t` that ended in a local timeout and was
 * admitted by rg_allow. `txn` as above.
 */
void rg_reply_timeouts(struct cell *t, struct rg_txn *txn);

/* The hooks for rg_branch_init's callback mode. */
extern const struct rg_branch_hooks rg_reply_hooks;

#endif
