/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster (`cluster` = 1): replyguard's peer on Kamailio's dmq
 * module. What a node writes of a destination (a block, an unblock, a
 * limit set by hand, an AIMD cut) carries a version (rg_ver.h), and
 * every node keeps the newest write of each (rg_repl.h), so messages
 * reordered, repeated or lost and sent again end in the same state.
 *
 * - Every message is signed with cluster_secret (HMAC-SHA256) and
 *   carries its sender instance, a sequence number per channel and the
 *   sender's wall clock: an unsigned, replayed or stale one is dropped,
 *   counted, and logged at most once a minute with its source.
 * - A SIP worker never sends: a change is queued, and the process
 *   "replyguard cluster" sends it within RG_CLUSTER_TICK_MS.
 * - Every cluster_interval the process sends this node's demand per
 *   destination that changed, and about every second a digest of the
 *   replicated facts in RG_CMSG_BUCKETS buckets of keys; a peer whose
 *   digest differs from its own sends what it holds of those buckets,
 *   so a missed message or a healed partition converges with no
 *   operator.
 * - A starting node asks the peers for what they hold (and takes only
 *   what is newer than its state file).
 *
 * What a peer sends is applied as if it happened here (event routes,
 * dispatcher, webhook) but never sent back out.
 */
#ifndef RG_CLUSTER_H
#define RG_CLUSTER_H

#include "core/rpc.h"
#include "core/str.h"

#include "rg_cluster_cfg.h"
#include "rg_types-t.h"
#include "rg_ver.h"


/*
 * Check the parameters, read the secret and make the shared state, before
 * the table (mod_init): the clock that versions the table's replicated
 * facts, or NULL (cluster off, or an error, logged; rg_cluster_init()
 * then fails). Replicated facts are compared for `retain_ms` after they
 * were written (the table's rg_table_cfg.retain_ms).
 */
struct rg_hlc *rg_cluster_prepare(
		const struct rg_cluster_cfg *cfg, uint64_t retain_ms);

/* The share a destination starts with, before the first heartbeat (its
 * floor): set on the table before anything adds entries (mod_init). */
void rg_cluster_start_share(void);

/* Bind dmq and register the peer (mod_init, after the state file). */
int rg_cluster_init(void);

/* Fork the cluster process (rank PROC_MAIN). 0 or -1. */
int rg_cluster_child_init(int rank);

/* Queue what a change made here marked for the peers (chg->pub). */
void rg_cluster_publish(const struct rg_change *chg);

/* RPC replyguard.cluster */
void rg_cluster_rpc(rpc_t *rpc, void *ctx);

#endif
