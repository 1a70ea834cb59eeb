/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A delay histogram of fixed buckets: for the lifetime (Prometheus'
 * cumulative buckets, with their sum) and over the window, slot by slot
 * as rg_window.h keeps counters, for its percentiles. Fixed size, no
 * allocation; one add is a bucket search and two increments.
 *
 * Bucket i holds delays up to rg_hist_le_ms[i] (its upper bound,
 * inclusive); the last one has no bound (+Inf).
 */
#ifndef RG_HIST_H
#define RG_HIST_H

#include <stdint.h>

#include "rg_window.h"

#define RG_HIST_BUCKETS 14

/* the upper bounds, ms; the last is UINT32_MAX (+Inf) */
extern const uint32_t rg_hist_le_ms[RG_HIST_BUCKETS];

struct rg_hist
{
	uint64_t life[RG_HIST_BUCKETS]; /* per bucket, not cumulative */
	uint64_t sum_ms;
	uint32_t epoch[RG_WIN_SLOTS]; /* the window slot each row holds */
	uint32_t win[RG_WIN_SLOTS][RG_HIST_BUCKETS];
};

/* what a snapshot keeps of one: the lifetime, and the window's quantiles */
struct rg_hist_view
{
	uint64_t life[RG_HIST_BUCKETS];
	uint64_t sum_ms;
	uint64_t count;
};

/* The bucket a delay of `ms` falls in. */
unsigned int rg_hist_bucket(uint32_t ms);

/* Add a delay of `ms` at `now_ms` (window slots of `slot_ms`). */
void rg_hist_add(struct rg_hist *h, uint64_t slot_ms, uint64_t now_ms,
		uint32_t ms);

/* The window's buckets ending at `now_ms` into out[]: their total. */
uint64_t rg_hist_window(const struct rg_hist *h, uint64_t slot_ms,
		uint64_t now_ms, uint64_t out[RG_HIST_BUCKETS]);

/*
 * The `permille` quantile (500: the median) of the buckets in `b`, ms:
 * interpolated inside its bucket as Prometheus' histogram_quantile()
 * does (the +Inf bucket gives the last bound); -1 when `b` is empty.
 */
int64_t rg_hist_quantile(const uint64_t b[RG_HIST_BUCKETS], unsigned int permille);

void rg_hist_view(const struct rg_hist *h, struct rg_hist_view *v);

#endif
