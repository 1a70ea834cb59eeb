/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One reply (or a timeout) applied to the branch it belongs to: the
 * rules (rg_branch_rules.h) with what the message says (SDP, Retry-After)
 * and the hold. One place for it, whether a script calls rg_inspect() in
 * onreply_route or tm's reply-in callback does (rg_reply_in.c).
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
 * admitted by rg_allow; none when `cancelled` (the caller gave up).
 * `txn` as above.
 */
void rg_reply_timeouts(struct cell *t, struct rg_txn *txn, int cancelled);

#endif
