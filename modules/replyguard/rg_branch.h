/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-branch records: which destination a branch was admitted to, when
 * (the PDD clock), and what was already recorded for it.
 *
 * rg_allow() adds a record to the transaction's slot; rg_inspect(), or in
 * callback mode tm's reply-in callback, finds it again by branch index
 * (rg_reply_in.c knows tm's branch numbers; this file only stores).
 */
#ifndef RG_BRANCH_H
#define RG_BRANCH_H

#include <stdint.h>

#include "core/parser/msg_parser.h"

#include "modules/tm/h_table.h"

#include "rg_branch_rules.h"
#include "rg_dst.h"
#include "rg_txn.h"

struct rg_branch
{
	int32_t index;
	uint32_t flags;
	uint64_t t0_ms; /* when rg_allow admitted it */
	uint64_t trial; /* the probing trial's token, or 0 */
	struct rg_dst dst;
};

/*
 * Record (or replace) the branch `br->index` of `msg`, admitted at
 * br->t0_ms; with `held`, the call holds a place in flight, which from
 * now on only the record releases (see rg_branch_end_hold). 0, or -1 on
 * no memory: the admission is then taken back.
 *
 * Records live in a slot of the transaction (rg_txn.h), tied to it by
 * one tm callback whose parameter the slot is: the callback frees the
 * slot with the transaction. Before tm has made the transaction (the
 * common case: rg_allow before t_relay), tm keeps the callback for the
 * transaction this request creates.
 */
int rg_branch_save(struct sip_msg *msg, struct rg_branch *br, int held);

/*
 * An open record: the slot it is in stays locked until rg_branch_close.
 * Replies of one transaction may be inspected by several processes at
 * once (see rg_branch_init), so every read-and-update of a record's
 * flags is one open/close.
 */
struct rg_branch_h
{
	struct rg_txn *txn;
	struct rg_txn_rec *rec;
};

/*
 * Open the record of branch `index` of `txn`, or when NULL of the
 * transaction `t` (NULL: the current one). 0 and a copy in `br`, its
 * key left empty, or -1 when there is none (nothing is then locked).
 *
 * A record admitted before t_suspend sits on tm's blind UAC, which is
 * never sent: it is parked (RG_BR_PARKED) when the script ends. When
 * t_continue's route ends, the record moves to the branch that route
 * sent right after the blind UAC, if it went to the record's destination
 * and has no record of its own; else it is taken back. A record still
 * parked when the transaction ends is taken back too: the job never
 * resumed, or its blind UAC timed out. Replies find only records in
 * place: none is moved by a reply.
 */
int rg_branch_open(struct cell *t, struct rg_txn *txn, int index,
		struct rg_branch *br, struct rg_branch_h *h);
/* The open record's key into br->dst (only a log line or $rg needs it). */
void rg_branch_key(const struct rg_branch_h *h, struct rg_branch *br);
/* Write the record's `flags` and unlock it. */
void rg_branch_close(struct rg_branch_h *h, uint32_t flags);

/*
 * An admission counts a call only when its branch is really sent. Every
 * record saved while a script runs is new; when the request or failure
 * route is over, each new record whose branch tm did not send (a
 * retransmission of a request another process relays, a failed or
 * missing t_relay) is taken back: attempt uncounted, hold released, trial
 * freed. rg_branch_init() registers that check.
 */

/*
 * A call held in flight (a destination with max_concurrent) is released
 * exactly once, however it ends, and the branch record is the one owner
 * of that hold: its held bit is cleared by whoever takes the hold.
 *
 * - rg_branch_end_hold(): the call of open record `h` ended with `code`
 *   (a final reply `msg`, or 408 for a local timeout and no `msg`) at
 *   `now_ms`, and `*flags` are the record's flags, to be written back.
 *   1 when the caller must release the hold now (pass it as the
 *   operation's release), 0 when there was none or a 2xx handed it to
 *   the dialog (rg_dialog.c releases it when the dialog ends). With
 *   `*measure` 1, the transaction's first 2xx is also handed to its
 *   dialog to be measured (ACD, short calls); `*measure` says whether
 *   it was (the entry is then told: rg_reply.watched).
 * - A record replaced, or not sent, takes its hold back itself.
 * - As a backstop, the transaction's end (tm's TMCB_DESTROY) releases
 *   whatever is still held, and a request that never got a transaction
 *   releases its holds when its script is done.
 */
int rg_branch_end_hold(struct sip_msg *msg, struct rg_branch_h *h,
		const struct rg_branch *br, int code, uint32_t *flags,
		uint64_t now_ms, int *measure);

/*
 * What the transaction's callback hands on, set by rg_branch_init:
 * - reply: tm's reply-in callback (TMCB_RESPONSE_IN) for a reply of
 *   branch `index`; only in callback mode.
 * - timeouts: the transaction ends (TMCB_DESTROY); count its branches
 *   that timed out and were not counted yet; only in callback mode (a
 *   script counts them in failure_route with rg_failover).
 */
struct rg_branch_hooks
{
	void (*reply)(struct sip_msg *rpl, struct cell *t, struct rg_txn *txn,
			int index);
	void (*timeouts)(struct cell *t, struct rg_txn *txn);
};

/*
 * From mod_init: a pool of `slots` transaction slots; with `callbacks`,
 * replies are inspected by `hooks` from tm callbacks, with no script.
 * Registers the end-of-script check. 0 or -1.
 */
int rg_branch_init(unsigned int slots, int callbacks,
		const struct rg_branch_hooks *hooks);

/* The slot pool's figures (RPC). */
void rg_branch_pool_stats(struct rg_txn_stats *st);

/*
 * Kamailio is stopping (mod_destroy): tm's end-of-transaction callbacks,
 * run by tm's shutdown for every transaction left, do nothing from now
 * on. Their holds go with the process, and a child that died holding a
 * lock must not hang the shutdown.
 */
void rg_branch_stop(void);

#endif
