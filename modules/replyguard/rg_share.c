/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rg_share.h"

/* the split of `budget` among the asks: every node's share is
 * min(ask, level) + spare, where the asks are the demands raised to the
 * floor */
struct split
{
	uint64_t floor, level, spare;
};

static void split_of(uint32_t budget_mcps, const uint32_t *demand, int n,
		uint32_t floor_permille, struct split *sp)
{
	uint64_t e[RG_SHARE_NODES_MAX] = {0}, sum = 0, rest, t;
	int i, j;

	if(floor_permille > 1000)
		floor_permille = 1000;
	sp->floor = (uint64_t)budget_mcps * floor_permille / 1000 / (uint64_t)n;
	for(i = 0; i < n; i++) {
		t = demand[i] > sp->floor ? demand[i] : sp->floor;
		sum += t;
		for(j = i; j > 0 && e[j - 1] > t; j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
	sp->level = UINT64_MAX;
	sp->spare = 0;
	if(sum <= budget_mcps) { /* it all fits: the spare goes evenly */
		sp->spare = (budget_mcps - sum) / (uint64_t)n;
		return;
	}
	rest = budget_mcps;
	for(i = 0; i < n; i++) {
		if(e[i] * (uint64_t)(n - i) > rest) {
			sp->level = rest / (uint64_t)(n - i);
			return;
		}
		rest -= e[i];
	}
}

void rg_share_all(uint32_t budget_mcps, const uint32_t *demand, int n,
		uint32_t floor_permille, uint32_t *out)
{
	struct split sp;
	uint64_t ask;
	int i;

	if(n <= 0 || n > RG_SHARE_NODES_MAX) {
		for(i = 0; i < n; i++)
			out[i] = 0;
		return;
	}
	split_of(budget_mcps, demand, n, floor_permille, &sp);
	for(i = 0; i < n; i++) {
		ask = demand[i] > sp.floor ? demand[i] : sp.floor;
		out[i] = (uint32_t)((ask < sp.level ? ask : sp.level) + sp.spare);
	}
}

uint32_t rg_share(uint32_t budget_mcps, const uint32_t *demand, int n,
		int self, uint32_t floor_permille)
{
	struct split sp;
	uint64_t ask;

	if(n <= 0 || n > RG_SHARE_NODES_MAX || self < 0 || self >= n)
		return budget_mcps;
	split_of(budget_mcps, demand, n, floor_permille, &sp);
	ask = demand[self] > sp.floor ? demand[self] : sp.floor;
	return (uint32_t)((ask < sp.level ? ask : sp.level) + sp.spare);
}
