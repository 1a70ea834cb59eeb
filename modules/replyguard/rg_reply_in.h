/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reply's way in, and tm's branch numbers: which branch a relay will
 * create for a destination rg_allow admits, which branch a reply belongs
 * to, and, in callback mode (modparam reply_callbacks), tm's reply-in and
 * end-of-transaction callbacks handing replies and timeouts to rg_reply.c.
 *
 * Only what tm documents and exports is used: its API (t_gett,
 * t_gett_branch, tm_ctx_get, register_tmcb) and the callbacks. Nothing
 * here sets tm's current transaction, its message context or a cell's
 * reference count.
 */
#ifndef RG_REPLY_IN_H
#define RG_REPLY_IN_H

#include "core/parser/msg_parser.h"

#include "rg_branch.h"
#include "rg_dst.h"

/*
 * The index of the branch tm will create for `dst` (the destination
 * rg_allow admits) in the next relay, or -1 if unknown. tm creates the
 * R-URI's branch first (unless an earlier relay consumed it), then one per
 * appended branch in order; `dst` is matched against their next hops.
 */
int rg_reply_in_next_index(struct sip_msg *msg, const struct rg_dst *dst);

/* The index of the branch the reply being processed belongs to. */
int rg_reply_in_index(void);

/* The hooks for rg_branch_init's callback mode. */
extern const struct rg_branch_hooks rg_reply_in_hooks;

#endif
