/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rg_share.h"

uint32_t rg_share(uint32_t budget_mcps, const uint32_t *demand, int n,
		int self, uint32_t floor_permille)
{
	uint64_t e[RG_SHARE_NODES_MAX] = {0}, floor, sum = 0, rest, level, t, mine;
	int i, j;

	if(n <= 0 || n > RG_SHARE_NODES_MAX || self < 0 || self >= n)
		return budget_mcps;
	if(floor_permille > 1000)
		floor_permille = 1000;
	floor = (uint64_t)budget_mcps * floor_permille / 1000 / (uint64_t)n;
	/* what each node asks for, at least the floor; sorted, ascending */
	for(i = 0; i < n; i++) {
		t = demand[i] > floor ? demand[i] : floor;
		sum += t;
		for(j = i; j > 0 && e[j - 1] > t; j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
	mine = demand[self] > floor ? demand[self] : floor;
	if(sum <= budget_mcps) /* it all fits: the spare goes evenly */
		return (uint32_t)(mine + (budget_mcps - sum) / (uint64_t)n);
	/* max-min fair: the smaller asks in full, the others cut to a level */
	rest = budget_mcps;
	level = 0;
	for(i = 0; i < n; i++) {
		if(e[i] * (uint64_t)(n - i) > rest) {
			level = rest / (uint64_t)(n - i);
			break;
		}
		rest -= e[i];
	}
	return (uint32_t)(mine < level ? mine : level);
}
