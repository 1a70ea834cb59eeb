/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What runs the script's code for a change (event routes, and dispatcher,
 * which event routes may read) never runs inside a transaction someone
 * else is handling: a reply's, while tm reads it (its reply-in callback,
 * an onreply_route, a failure_route). An event route there would see that
 * transaction as its own: $T_reply_code resets tm's lookup on the faked
 * message, and http_async_query() would suspend the caller's INVITE.
 *
 * So a change made while a transaction is current waits here, in order,
 * and runs as soon as none is: when the reply has been handled (the
 * core's post-script callback of a reply), before the next request of
 * any worker, or at the latest on the next second's timer. A change made
 * with no transaction current (RPC, timers, the cluster, a request route
 * before t_newtran) runs at once. Only one process runs waiting changes
 * at a time, so they run in the order they were made.
 */
#ifndef RG_LATER_H
#define RG_LATER_H

#include <stdint.h>

#include "rg_types-t.h"

/*
 * From mod_init: room for `size` waiting changes, each run by `run`.
 * Registers the post-reply and pre-request callbacks. 0 or -1.
 */
int rg_later_init(unsigned int size, void (*run)(const struct rg_change *));

/* Is a transaction current in this process (read from tm, never set)? */
int rg_later_in_txn(void);

/*
 * Keep `chg` for later: 0, or -1 when the queue is full (dropped,
 * counted, logged at most once a minute).
 */
int rg_later_add(const struct rg_change *chg);

/* Run what waits, unless a transaction is current or another runs it. */
void rg_later_run(void);

struct rg_later_stats
{
	uint64_t deferred; /* changes that waited */
	uint64_t dropped;  /* changes lost: the queue was full */
	unsigned int waiting;
};
void rg_later_stats(struct rg_later_stats *st);

#endif
