/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Webhooks: every state change (dst-down, dst-up, dst-throttled,
 * dst-unthrottled) is posted as JSON (rg_notice.c) to `webhook_url`.
 *
 * - SIP workers only copy the notice into a bounded queue in shared
 *   memory (rg_queue.c); when it is full the notice is dropped and
 *   counted. No worker ever waits on the network.
 * - One dedicated process ("replyguard webhook") pops notices and posts
 *   them with libcurl, `webhook_timeout_ms` per attempt. A failed post
 *   (no connection, timeout, 5xx or 429) is retried `webhook_retries`
 *   times with doubling back-off, then counted as failed.
 * - With `webhook_secret`, the header X-Replyguard-Signature carries
 *   "sha256=" and the hex HMAC-SHA256 of the body under that secret.
 */
#ifndef RG_WEBHOOK_H
#define RG_WEBHOOK_H

#include <stdint.h>

#include "rg_types-t.h"

/* its parameters (checked by rg_params.c), from mod_init before
 * anything else: rg_webhook_set() */
struct rg_webhook_cfg
{
	const char *url; /* webhook_url: NULL or "" = off */
	const char *secret;
	int timeout_ms;
	int queue;
	int retries;
};
void rg_webhook_set(const struct rg_webhook_cfg *cfg);

struct rg_webhook_stats
{
	uint64_t sent;		 /* posts a receiver accepted (2xx) */
	uint64_t failed;	 /* notices the receiver refused (4xx but 429), or
							too big to post */
	uint64_t dropped;	 /* notices refused: queue full of last words */
	uint64_t replaced;	 /* queued notices a later one of the same
							destination and state replaced: queue full */
	uint64_t retries;	 /* attempts that failed and were tried again */
	unsigned int queued; /* notices waiting now (one held back included) */
};

/* From mod_init: check the parameters, take the queue, register the
 * process. 0 (also when no URL is set: webhooks off) or -1. */
int rg_webhook_init(void);

/* From child_init: the main process forks the posting process. */
int rg_webhook_child_init(int rank);

/* Queue the notices of `chg`; never blocks. No-op when webhooks are off. */
void rg_webhook_notify(const struct rg_change *chg);

void rg_webhook_get_stats(struct rg_webhook_stats *st);

void rg_webhook_destroy(void);

#endif
