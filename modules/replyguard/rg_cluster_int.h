/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the cluster's files share (rg_cluster_state.c defines it;
 * rg_cluster.c: set-up, secret and RPC; rg_cluster_out.c: the queue and
 * the cluster process that sends; rg_cluster_in.c: what a peer's message
 * does here). Not for the rest of the module: rg_cluster.h is its
 * interface.
 */
#ifndef RG_CLUSTER_INT_H
#define RG_CLUSTER_INT_H

#include "modules/dmq/bind_dmq.h"

#include "rg_cluster_cfg.h"
#include "rg_cluster_msg.h"
#include "rg_peers.h"
#include "rg_ver.h"

#define RG_BEATS_KEPT 1024 /* heartbeats whose send time is kept */

/* what every process shares */
struct rg_cluster_shared
{
	uint64_t seq[2];	  /* this instance's messages, per channel */
	uint64_t sent;		  /* messages sent */
	uint64_t received;	  /* messages taken */
	uint64_t dropped;	  /* malformed, foreign, oversized or no room */
	uint64_t dropped_auth; /* no valid HMAC */
	uint64_t dropped_stale; /* wall clock too far from this node's */
	uint64_t replayed;	  /* taken before */
	uint64_t refused;	  /* records refused: out of bounds */
	uint64_t quota;		  /* records refused: a peer's new keys over quota */
	uint64_t no_room;	  /* records not applied: this node's table full */
	uint64_t demand_sent; /* D records sent */
	uint64_t demand_heard; /* D records taken */
	uint64_t queue_full;  /* changes not queued (repair sends them later) */
	uint64_t pushed;	  /* buckets sent for repair or sync */
	uint32_t size;	   /* nodes in view at the last interval, this one too */
	uint32_t size_last; /* the cluster's size when a peer was last heard */
	uint32_t alone;	   /* not in a majority: each share is the floor */
	uint32_t asked;	   /* asked for the cluster's state with a peer in view */
	uint32_t want_ask; /* send a sync request at the next tick */
	uint32_t want_push; /* buckets to send the peers (bit mask) */
	/* per peer (place): buckets its digest differed in once */
	uint32_t suspect[RG_PEERS_MAX];
	uint32_t digest_ok; /* `digest` computed at least once */
	uint64_t digest[RG_CMSG_BUCKETS]; /* this node's, at the last beat */
	uint32_t members;	/* at the last interval: this node, peers, unknown */
	uint32_t leased;	/* peers whose lease is valid */
	uint32_t majority;	/* 1 + leased > members / 2 */
	/* the last heartbeats: when each was sent (a peer's ack starts its
	 * lease from there) */
	uint64_t beat_seq[RG_BEATS_KEPT];
	uint64_t beat_ms[RG_BEATS_KEPT];
	struct rg_hlc hlc;
};

extern struct rg_cluster_shared *rg_csh;
extern struct rg_peers *rg_cpeers;
extern struct rg_ckeys rg_ckeys;
extern dmq_api_t rg_dmqb;
extern dmq_peer_t *rg_dmq_peer;
extern uint64_t rg_cluster_retain_ms;
/* the parameters, read-only once rg_cluster_prepare() set them */
extern struct rg_cluster_cfg rg_ccfg;

#define RG_CSTAT_ADD(f, n) __atomic_add_fetch(&rg_csh->f, (n), __ATOMIC_RELAXED)
#define RG_CSTAT_GET(f) __atomic_load_n(&rg_csh->f, __ATOMIC_RELAXED)

/* this instance (set before the fork) */
static inline uint64_t rg_cluster_self(void)
{
	return rg_csh->hlc.id;
}

/* the wall clock, ms */
uint64_t rg_cluster_wall_ms(void);

/* a peer not heard for this long is silent (and its place may go) */
uint64_t rg_cluster_stale_ms(void);

/* a grant is good this long after the heartbeat it answers was sent */
uint64_t rg_cluster_lease_ms(void);

/* when this node sent its heartbeat `seq` (this node's clock), or 0 */
uint64_t rg_cluster_beat_sent(uint64_t seq);

/* the bucket of a key (repair digests) */
unsigned int rg_cluster_bucket(const char *key, int len);

/* rg_cluster_out.c: the queue, made in mod_init */
int rg_cluster_out_init(void);

/* rg_cluster_out.c: the cluster process, every RG_CLUSTER_TICK_MS */
#define RG_CLUSTER_TICK_MS 10
void rg_cluster_tick(unsigned int ticks, void *param);

/* rg_cluster_in.c: dmq's callback for replyguard's messages */
int rg_cluster_on_msg(
		struct sip_msg *msg, peer_reponse_t *resp, dmq_node_t *node);

#endif
