/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One destination's place in the cluster's CPS budget (`cluster` = 1):
 * what this node was offered, what each peer says it was offered and
 * sent, and from those this node's share of the budget, such that the
 * nodes together never admit more than the budget, however the network
 * fails (see "What the cluster promises" in the docs).
 *
 * Every cluster_interval the host runs rg_demand_tick() on each entry,
 * with a view of the cluster's members:
 * - this node's demand is the calls it was offered (admitted, or refused
 *   by the throttle) over the interval, smoothed over about 4 intervals;
 * - every node splits the budget among the members by demand
 *   (rg_share_all(): max-min fair, each at least the floor F = budget x
 *   cluster_share_floor / members), and sends each peer the part it gives
 *   it: a grant;
 * - a node admits the least of: its own part, every grant it holds from
 *   a member whose lease is valid (F for such a member whose grant for
 *   this destination lapsed), and the budget less what it reserves for
 *   the others (the larger of F and any grant it sent each in the last
 *   lease_ms, or F alone for a peer not heard for lease_ms: what it was
 *   sent is no use to it then). A member that has no budget for the
 *   destination (it sends no grants) is left out. A grant is valid until lease_ms after this node sent the
 *   heartbeat the peer acknowledged with it, so it lapses at this node
 *   no later than the peer stops reserving it, whatever the delays and
 *   the clocks (only their rates matter);
 * - what is sent follows change: a demand or a grant that moved goes at
 *   once; grants of a destination in use somewhere are sent again every
 *   grant_refresh_ms, so they do not lapse; a destination nobody calls
 *   costs nothing once its grants are sent (each node keeps F of it
 *   until a demand shows, and a demand shows at once);
 * - a node that holds valid leases from no more than half of the members
 *   (itself included) admits at most F: two halves of a split cluster
 *   never both take more. A member without a valid lease (silent, or
 *   not hearing this node) is left out of the least only when this node
 *   is in a majority, and is then kept F;
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

/* what a peer said of one destination, and what this node granted it */
struct rg_peer_demand
{
	uint32_t demand_mcps; /* offered to it */
	uint32_t recv_mcps;	  /* sent by it to the destination */
	uint64_t at_ms;		  /* heard (now_ms); 0 = never */
	uint64_t seq;		  /* the heartbeat that said it: older are ignored */
	uint32_t grant_mcps;  /* its grant to this node, */
	uint64_t grant_ms;	  /* valid until then (0: none) */
	uint32_t sent_mcps;	  /* this node's grant to it, in force */
	/* the largest grants sent it in this window of lease_ms / 2 and the
	 * two before (at least a lease back): all it may still be using, kept
	 * for it */
	uint32_t win[3];	  /* [0] this window */
	uint64_t win_ms;	  /* this window's start */
	uint32_t gen;		  /* rg_peers' generation of the place */
	uint8_t nobudget;	  /* its last word had no grants: no budget there */
};

struct rg_demand
{
	uint64_t tick_ms;	   /* the last tick, 0 = none yet */
	uint32_t offered_last; /* th->offered at the last tick, low 32 bits */
	uint32_t demand_mcps;  /* this node's, smoothed */
	uint32_t sent_mcps;	   /* the demand last sent (0: none to send) */
	uint32_t sent_recv;	   /* the received rate last sent */
	uint64_t sent_ms;	   /* when */
	uint8_t grants_moved;  /* a grant changed since last sent */
	uint8_t heard;		   /* a peer's word since the last tick */
	struct rg_peer_demand peer[RG_PEERS_MAX]; /* by place in rg_peers */
};

/* The cluster's members, for one interval's ticks. */
struct rg_cview
{
	int n;							/* member peers */
	uint8_t place[RG_PEERS_MAX];	/* their places in rg_peers */
	uint8_t leased[RG_PEERS_MAX];	/* 1: its lease is valid (by index) */
	uint64_t heard_ms[RG_PEERS_MAX]; /* when it was last heard (by index):
										what was sent it is no use to it a
										lease after that */
	uint32_t unknown;	 /* members never heard (cluster_nodes) */
	int majority;		 /* this node and the leased peers are more than
							half of 1 + n + unknown */
	uint32_t floor_permille; /* rg_share()'s floor: F */
	uint32_t fresh_ms;		 /* a peer's demand older is 0 */
	uint32_t lease_ms;		 /* a grant replaced is reserved this long */
	uint32_t refresh_ms; /* no budget: demands sent at least this often */
	uint32_t grant_refresh_ms; /* a budget in use: grants at least this
								  often (well within lease_ms) */
};

/* what a tick leaves for the peers */
struct rg_demand_out
{
	int send;			  /* 1: tell the peers what follows */
	uint32_t demand_mcps; /* offered here */
	uint32_t recv_mcps;	  /* sent here to the destination */
	int ngrants;		  /* a grant per member peer (0: no budget) */
	uint32_t grant[RG_PEERS_MAX]; /* by index into view->place */
};

/* what a peer's heartbeat said of one destination */
struct rg_peer_word
{
	uint32_t gen;		  /* the place's generation (a new sender: anew) */
	uint64_t seq;		  /* the heartbeat's sequence number */
	uint32_t demand_mcps; /* offered to it */
	uint32_t recv_mcps;	  /* sent by it */
	int no_budget;		  /* it has no budget for the destination */
	int has_grant;		  /* it granted this node: */
	uint32_t grant_mcps;  /* this much, */
	uint64_t grant_ms;	  /* valid until then (this node's clock) */
};

/*
 * A peer (at `place`) said this of the destination at `now_ms` (taken
 * unless an equal or later heartbeat of it was); what the peers heard
 * within `fresh_ms` send it is in th->peer_recv_mcps at once (an AIMD
 * cut before the next interval starts from it).
 */
void rg_demand_peer(struct rg_demand *d, struct rg_throttle *th, int place,
		const struct rg_peer_word *w, uint32_t fresh_ms, uint64_t now_ms);

/*
 * One interval: this node's demand, its share of the budget (into
 * th->share_ppm), its grants, and the peers' received rate
 * (th->peer_recv_mcps); `out` says what to send.
 */
void rg_demand_tick(struct rg_demand *d, struct rg_throttle *th,
		const struct rg_cview *v, uint64_t now_ms, struct rg_demand_out *out);

/* Could a tick have work: any demand here, sent, or heard? (no lock) */
int rg_demand_active(const struct rg_demand *d, const struct rg_throttle *th);

#endif
