/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A destination's state change as a self-contained notice, and its JSON
 * document: what a webhook posts.
 *
 * A notice is a plain copy (no pointers into the table), so it can sit in
 * a shared-memory queue and be rendered later in another process.
 */
#ifndef RG_NOTICE_H
#define RG_NOTICE_H

#include <stdint.h>

#include "rg_buf.h"
#include "rg_types-t.h"

enum rg_notice_kind
{
	RG_N_DOWN = 0,
	RG_N_UP,
	RG_N_THROTTLED,
	RG_N_UNTHROTTLED,
	RG_N_DEGRADED,
	RG_N_RECOVERED,
	RG_N_NEAR_LIMIT,
	RG_N_NEAR_LIMIT_END
};

/* the most notices one change makes: health, throttle, quality, limit */
#define RG_NOTICES_MAX 4

struct rg_notice
{
	enum rg_notice_kind kind;
	int old_state;		 /* enum rg_state before a dst-down or dst-up */
	int code;			 /* reply that caused it; 408 for a timeout; 0 */
	int64_t retry_after; /* its Retry-After in seconds, or -1 */
	uint64_t time_ms;	 /* wall clock, ms since the Unix epoch */
	char origin[RG_NODE_MAX + 1]; /* the cluster node that made it; "" = this one */
	uint32_t seq; /* the change's number on this node (rg_change.seq) */
	struct rg_snapshot snap;
};

/*
 * Do notices `queued` and `item` (struct rg_notice) speak of the same
 * thing: one destination, and one of its states (health, throttle,
 * quality, near the limit)? Of two such, the one with the later number
 * (seq) is the state now: 1, or RG_QUEUE_STALE when `item` is older than
 * `queued`; 0 when they speak of different things. (rg_queue_same_f)
 */
int rg_notice_same(const void *queued, const void *item);

/* "dst-down", "dst-up", "dst-throttled", "dst-unthrottled",
 * "dst-degraded", "dst-recovered", "dst-near-limit", "dst-near-limit-end" */
const char *rg_notice_event(enum rg_notice_kind k);

/*
 * The notices a change makes (0 to RG_NOTICES_MAX: health, throttle and
 * quality can change in one call). Going probing is not a notice: no
 * event route runs for it.
 */
int rg_notice_from_change(const struct rg_change *chg, uint64_t time_ms,
		struct rg_notice out[RG_NOTICES_MAX]);

/*
 * The notice as one JSON object, with `node` naming this proxy and
 * "origin" the node where the change was made (this one, or the cluster
 * peer it came from): the event, its cause, and every snapshot field (rg_fields.h), those of the
 * throttle group inside "throttle". 0, or -1 when `b` is too small
 * (b->full).
 */
int rg_notice_json(
		const struct rg_notice *n, const char *node, struct rg_buf *b);

#endif
