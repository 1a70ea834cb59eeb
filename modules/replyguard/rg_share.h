/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One destination's CPS budget split across the nodes of a cluster, each
 * node's share following its demand (the calls it was offered in the
 * last interval, as a rate).
 *
 * Every active node asks for its demand, and at least a floor, so a node
 * that was idle can start admitting at once. When the asks fit in the
 * budget each node gets its ask and an even part of what is left; when
 * they do not, the split is max-min fair: the smaller asks are met in
 * full and the larger ones are cut to one level. The shares of all nodes add up to the budget, less
 * at most one milli-call per node of rounding, and every node computes
 * its own share from the same demands, so no node waits for another.
 * Pure arithmetic: no clock, no locks.
 */
#ifndef RG_SHARE_H
#define RG_SHARE_H

#include <stdint.h>

#define RG_SHARE_NODES_MAX 17 /* this node and RG_PEERS_MAX peers */

/*
 * The share of node `self` of `budget_mcps`, among `n` active nodes
 * whose demands (mcps) are `demand[0..n-1]`; `floor_permille` of the
 * even split (budget / n) is every node's floor (0..1000).
 */
uint32_t rg_share(uint32_t budget_mcps, const uint32_t *demand, int n,
		int self, uint32_t floor_permille);

/* Every node's share at once, into `out[0..n-1]` (the same figures). */
void rg_share_all(uint32_t budget_mcps, const uint32_t *demand, int n,
		uint32_t floor_permille, uint32_t *out);

#endif
