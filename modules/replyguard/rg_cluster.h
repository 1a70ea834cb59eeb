/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster (`cluster` = 1): replyguard's peer on Kamailio's dmq
 * module. Every node sends the others, at once, what changed here:
 *
 *   a destination down (with its time left, reason and Retry-After),
 *   a destination up again (a trial passed, or unblocked by hand),
 *   a limit set over RPC or in script, an AIMD cut.
 *
 * What a peer sends is applied as if it happened here (event routes,
 * dispatcher, webhook) but never sent back out. A starting node asks a
 * peer for the current blocks, limits and cuts as soon as dmq has found
 * one. Messages are text (rg_cluster_msg.h), taken once per sender
 * instance (rg_peers.h); a malformed, foreign, oversized or replayed one
 * is counted, dropped, and logged at most once every 10 s per process.
 * Every cluster_interval ms a process of its own, "replyguard cluster",
 * sends the peers this node's demand per active destination in batches
 * (or an empty message: it is alive), and sets each destination's share
 * of its CPS budget from the demands of the peers heard in the last 3
 * intervals (rg_demand.h).
 */
#ifndef RG_CLUSTER_H
#define RG_CLUSTER_H

#include "core/rpc.h"
#include "core/str.h"

#include "rg_types-t.h"

/* modparams "cluster", "cluster_interval" (ms), "cluster_share_floor" (%) */
extern int rg_cluster_on;
extern int rg_cluster_interval;
extern int rg_cluster_share_floor;

/* Bind dmq and register the peer (mod_init). 0 or -1. */
int rg_cluster_init(void);

/* Fork the heartbeat process (rank PROC_MAIN). 0 or -1. */
int rg_cluster_child_init(int rank);

/* Tell the peers about a change made here (not one from a peer). */
void rg_cluster_publish(const struct rg_change *chg);

/* Tell the peers about a block by hand (`seconds`), or an unblock (0). */
void rg_cluster_publish_manual(const char *key, int len, uint32_t seconds);

/* Tell the peers about a limit set by RPC or script. */
void rg_cluster_publish_limit(
		const char *key, int len, const struct rg_limit *lim);

/*
 * The node a change being applied now comes from: a peer's node_name
 * while its message is applied, else "" (this node).
 */
const char *rg_cluster_origin(void);

/* RPC replyguard.cluster */
void rg_cluster_rpc(rpc_t *rpc, void *ctx);

#endif
