/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One destination's place in the cluster's CPS budget (`cluster` = 1):
 * what this node was offered, what each peer says it was offered and
 * sent, and from those this node's share of the budget.
 *
 * Every cluster_interval the host runs rg_demand_tick() on each entry,
 * with a view of the peers it heard in the last 3 intervals:
 * - this node's demand is the calls it was offered (admitted, or refused
 *   by the throttle) over the interval, smoothed over about 4 intervals;
 * - the share is rg_share() of the budget over this node and the peers
 *   in view, each peer with the demand it sent last (0 when it sent none
 *   within the view's freshness), kept as a fraction of the budget, so an
 *   AIMD cut or a new limit applies to it at once;
 * - with no peer in view, the share is the budget divided by the last
 *   cluster size seen (`fallback_n`); with no budget, an even part, so
 *   a limit set before the next interval starts with that;
 * - the peers' received rates add up to the cluster's received rate, from
 *   which an AIMD cut is made (rg_throttle_overload()).
 * The GCRA stays local: nothing here is on a call's path. No SIP, no
 * clock, no locks: the caller holds the entry's lock.
 */
#ifndef RG_DEMAND_H
#define RG_DEMAND_H

#include <stdint.h>

#include "rg_peers.h"
#include "rg_throttle.h"

/* what a peer said of one destination */
struct rg_peer_demand
{
	uint32_t demand_mcps; /* offered to it */
	uint32_t recv_mcps;	  /* sent by it to the destination */
	uint64_t at_ms;		  /* heard (now_ms); 0 = never */
};

struct rg_demand
{
	uint64_t tick_ms;	   /* the last tick, 0 = none yet */
	uint32_t offered_last; /* th->offered at the last tick, low 32 bits */
	uint32_t demand_mcps;  /* this node's, smoothed */
	uint32_t sent_mcps;	   /* the demand last sent (0: none to send) */
	uint8_t heard;		   /* a peer's word since the last tick */
	struct rg_peer_demand peer[RG_PEERS_MAX]; /* by place in rg_peers */
};

/* The peers heard lately, for one interval's ticks. */
struct rg_cview
{
	int n;							/* peers in view */
	uint8_t place[RG_PEERS_MAX];	/* their places in rg_peers */
	uint32_t fallback_n;			/* no peer in view: budget / this */
	uint32_t floor_permille;		/* rg_share()'s floor */
	uint32_t fresh_ms;				/* a peer's demand older is 0 */
};

/* what a tick leaves for the peers */
struct rg_demand_out
{
	int send;			  /* 1: tell the peers the two below */
	uint32_t demand_mcps; /* offered here */
	uint32_t recv_mcps;	  /* sent here to the destination */
};

/*
 * A peer (at `place`) said this of the destination at `now_ms`; what
 * the peers heard within `fresh_ms` send it is in th->peer_recv_mcps at
 * once (an AIMD cut before the next interval starts from it).
 */
void rg_demand_peer(struct rg_demand *d, struct rg_throttle *th, int place,
		uint32_t demand_mcps, uint32_t recv_mcps, uint32_t fresh_ms,
		uint64_t now_ms);

/*
 * One interval: this node's demand, its share of the budget (into
 * th->share_ppm) and the peers' received rate (th->peer_recv_mcps);
 * `out` says what to send.
 */
void rg_demand_tick(struct rg_demand *d, struct rg_throttle *th,
		const struct rg_cview *v, uint64_t now_ms, struct rg_demand_out *out);

/* Could a tick have work: any demand here, sent, or heard? (no lock) */
int rg_demand_active(const struct rg_demand *d, const struct rg_throttle *th);

#endif
