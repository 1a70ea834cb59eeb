/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-branch records: which destination a branch was admitted to, when
 * (the PDD clock), and what was already recorded for it.
 *
 * rg_allow() adds a record to the message's xavp list, which tm moves onto
 * the transaction; rg_inspect() finds it again by branch index. Replies of
 * one transaction are handled under tm's reply lock, so the flags can be
 * updated in place without a lock of our own.
 */
#ifndef RG_BRANCH_H
#define RG_BRANCH_H

#include <stdint.h>

#include "core/parser/msg_parser.h"

#include "rg_dst.h"

#define RG_BR_PDD_DONE 0x01	 /* a first 18x was measured */
#define RG_BR_FINAL_SEEN 0x02 /* a final reply (or timeout) was recorded */
#define RG_BR_HELD 0x04		 /* counted in flight: to be released once */
#define RG_BR_GUARD 0x08		 /* registered the transaction's end callback */
#define RG_BR_NEW 0x10		 /* admitted in the script now running */
#define RG_BR_SEEN_180 0x20	 /* a 180 was counted: retransmissions are not */
#define RG_BR_SEEN_183 0x40	 /* a 183 was counted (a reliable 183 is resent) */
#define RG_BR_PROV 0x80		 /* a provisional reply above 100 arrived */

struct rg_branch
{
	int32_t index;
	uint32_t flags;
	uint64_t t0_ms; /* when rg_allow admitted it */
	uint64_t trial; /* the probing trial's token, or 0 */
	struct rg_dst dst;
};

/*
 * The index of the branch tm will create for `dst` (the destination
 * rg_allow admits) in the next relay, or -1 if unknown. tm creates the
 * R-URI's branch first (unless an earlier relay consumed it), then one per
 * appended branch in order; `dst` is matched against their next hops.
 */
int rg_branch_next_index(struct sip_msg *msg, const struct rg_dst *dst);

/* The index of the branch the reply being processed belongs to. */
int rg_branch_reply_index(void);

/* Record (or replace) the branch `br->index`; 0 or -1 on no memory. */
int rg_branch_save(const struct rg_branch *br);

/*
 * Find the record of branch `index`: 0 and a copy in `br`, -1 when none.
 * `handle` lets rg_branch_set_flags() update that record afterwards.
 */
int rg_branch_find(int index, struct rg_branch *br, void **handle);
void rg_branch_set_flags(void *handle, uint32_t flags);

/*
 * An admission counts a call only when its branch is really sent. Every
 * record saved while a script runs is marked RG_BR_NEW; when the request
 * or failure route is over, each new record whose branch tm did not send
 * (a retransmission of a request another process relays, a failed or
 * missing t_relay) is taken back: attempt uncounted, hold released, trial
 * freed. rg_branch_saved() tells the end-of-script check to look.
 */
void rg_branch_saved(void);

/*
 * Calls held in flight (a destination with max_concurrent) must be
 * released exactly once, however the call ends. rg_inspect() releases on
 * a final reply and rg_failover() on a timeout; as a backstop,
 * rg_branch_guard() makes sure the transaction's end (tm's TMCB_DESTROY)
 * releases whatever is still held, and that a request that never got a
 * transaction releases its holds when its script is done. It returns the
 * flags to add to the record being saved.
 */
uint32_t rg_branch_guard(struct sip_msg *msg);

/* Release every hold of the current xavp list (message or transaction). */
void rg_branch_release_all(void);

/* Register the end-of-script backstop; from mod_init. 0 or -1. */
int rg_branch_init(void);

#endif
