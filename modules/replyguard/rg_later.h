/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What runs the script's code for a change (event routes, and dispatcher,
 * which event routes may read) never runs inside a transaction someone
 * else is handling: a reply's, while tm reads it (its reply-in callback,
 * an onreply_route, a failure_route). An event route there would see that
 * transaction as its own: $T_reply_code resets tm's lookup on the faked
 * message, and http_async_query() would suspend the caller's INVITE.
 *
 * Nor inside tm's own callbacks (its reply lookup, or its timer freeing
 * a transaction, where a blocking route would hold up every
 * transaction's timers).
 *
 * So a change made while a transaction is current, or from a tm
 * callback, waits here, in order, and runs as soon as neither holds: when
 * a reply has been handled (the core's post-script callback of a reply,
 * in whichever worker), or at the latest on the module's next one-second
 * timer. A change made with neither (RPC, timers, the cluster, a request
 * route before t_newtran) runs at once, unless older ones still wait: it
 * then queues behind them and they all run. Only one process runs
 * waiting changes at a time, so they run in the order they were queued.
 * That is the order they were made in one process; two processes
 * changing one destination at once queue after the table's lock is
 * dropped, and may queue in the other order. dispatcher is not misled
 * (it is set to the entry's state as it is when the change runs), but an
 * event route may then see, say, dst-up before the dst-down it follows.
 */
#ifndef RG_LATER_H
#define RG_LATER_H

#include <stdint.h>

#include "rg_types-t.h"

/*
 * From mod_init: room for `size` waiting changes, each run by `run`.
 * Registers the post-reply callback. 0 or -1.
 */
int rg_later_init(unsigned int size, void (*run)(const struct rg_change *));

/*
 * 1 when this process enters a tm callback, 0 when it leaves it (they
 * nest): changes made meanwhile wait.
 */
void rg_later_hold(int on);

/*
 * Apply `chg`'s script part: at once with `run` (rg_later_init's), or
 * queued when it must wait or older changes wait. A full queue drops
 * it, counted and logged at most once a minute.
 */
void rg_later_apply(const struct rg_change *chg);

/* Run what waits, unless it must still wait or another process runs it. */
void rg_later_run(void);

struct rg_later_stats
{
	uint64_t deferred; /* changes that waited */
	uint64_t dropped;  /* changes lost: the queue was full */
	unsigned int waiting;
};
void rg_later_stats(struct rg_later_stats *st);

#endif
