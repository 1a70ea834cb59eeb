/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_hist.h"

/* post-dial delays: from a quick gateway to a slow international route */
const uint32_t rg_hist_le_ms[RG_HIST_BUCKETS] = {50, 150, 300, 500, 750,
		1000, 2000, 3000, 5000, 8000, 13000, 20000, 30000, UINT32_MAX};

unsigned int rg_hist_bucket(uint32_t ms)
{
	unsigned int i = 0;

	while(ms > rg_hist_le_ms[i]) /* the last bound holds every value */
		i++;
	return i;
}

void rg_hist_add(struct rg_hist *h, uint64_t slot_ms, uint64_t now_ms,
		uint32_t ms)
{
	uint32_t epoch = (uint32_t)(now_ms / slot_ms);
	unsigned int i = epoch % RG_WIN_SLOTS, b = rg_hist_bucket(ms);

	h->life[b]++;
	h->sum_ms += ms;
	if(h->epoch[i] != epoch) {
		if((int32_t)(h->epoch[i] - epoch) > 0)
			return; /* older than the slot's: out of the window */
		h->epoch[i] = epoch;
		memset(h->win[i], 0, sizeof(h->win[i]));
	}
	h->win[i][b]++;
}

uint64_t rg_hist_window(const struct rg_hist *h, uint64_t slot_ms,
		uint64_t now_ms, uint64_t out[RG_HIST_BUCKETS])
{
	uint32_t epoch = (uint32_t)(now_ms / slot_ms);
	uint64_t n = 0;
	unsigned int i, b;

	memset(out, 0, sizeof(uint64_t) * RG_HIST_BUCKETS);
	for(i = 0; i < RG_WIN_SLOTS; i++) {
		if(epoch - h->epoch[i] >= RG_WIN_SLOTS) /* unsigned: future too */
			continue;
		for(b = 0; b < RG_HIST_BUCKETS; b++) {
			out[b] += h->win[i][b];
			n += h->win[i][b];
		}
	}
	return n;
}

int64_t rg_hist_quantile(const uint64_t b[RG_HIST_BUCKETS], unsigned int permille)
{
	uint64_t n = 0, below = 0, lo;
	unsigned int i;

	for(i = 0; i < RG_HIST_BUCKETS; i++)
		n += b[i];
	if(n == 0)
		return -1;
	/* the rank, in thousandths of a sample */
	for(i = 0; i < RG_HIST_BUCKETS; i++) {
		if(b[i] != 0 && (below + b[i]) * 1000 >= n * permille)
			break;
		below += b[i];
	}
	if(i >= RG_HIST_BUCKETS - 1) /* +Inf: the last bound we know */
		return rg_hist_le_ms[RG_HIST_BUCKETS - 2];
	lo = i ? rg_hist_le_ms[i - 1] : 0;
	/* linear inside the bucket */
	return (int64_t)(lo
					 + ((rg_hist_le_ms[i] - lo) * (n * permille - below * 1000))
							   / (b[i] * 1000));
}

void rg_hist_view(const struct rg_hist *h, struct rg_hist_view *v)
{
	unsigned int b;

	memcpy(v->life, h->life, sizeof(v->life));
	v->sum_ms = h->sum_ms;
	v->count = 0;
	for(b = 0; b < RG_HIST_BUCKETS; b++)
		v->count += h->life[b];
}
