/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keeping dispatcher in step with replyguard (dispatcher_sync).
 *
 * Dispatcher 5.6's C API has only select/next/mark/is_from, and mark acts
 * on the message being routed. A block can end in the timer process, with
 * no message, so the state is set through dispatcher's documented RPC
 * command `dispatcher.set_state STATE GROUP ADDRESS`, called in-process
 * with a small rpc_t of our own. The group and address are the ones
 * dispatcher itself put in its `_dsdst_` xavp when it selected the
 * destination, saved by rg_allow().
 */
#ifndef RG_DISPATCHER_H
#define RG_DISPATCHER_H

#include "core/parser/msg_parser.h"
#include "core/str.h"

#include "rg_types-t.h"

/* Bind dispatcher when it is loaded; 0 (also when absent) or -1. */
int rg_ds_init(int sync, const str *xavp_dst);

/*
 * ds_seed: give every destination of dispatcher's list file an entry,
 * with its set and URI, so RPC and Prometheus show each gateway before
 * its first call. From mod_init, after the table exists; logs what it
 * did in one line. A database-backed dispatcher is not read (logged).
 */
void rg_ds_seed(void);

/*
 * If syncing and dispatcher's current destination for `msg` is `raw` (the
 * URI given to rg_allow), fill `ext` with its set and URI (pointing into
 * dispatcher's xavp) and return 1, for the admission to record; else 0.
 */
int rg_ds_ext(struct sip_msg *msg, const str *raw, struct rg_ext *ext);

/*
 * Make dispatcher's state follow the change (inactive while down). It
 * applies the entry's state at the time it runs, in one order across
 * processes, so dispatcher converges on replyguard's latest state.
 */
void rg_ds_sync(const struct rg_change *chg);

/*
 * Set again, for every destination that is down or has a set still
 * inactive, what dispatcher should show; from a timer.
 */
void rg_ds_reassert(void);

void rg_ds_destroy(void);

/* dispatcher's ds_next_dst for `msg`: 1 when a next one is set, else -1. */
int rg_ds_next(struct sip_msg *msg);

#endif
