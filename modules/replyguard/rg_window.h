/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sliding window of counters, kept as a ring of RG_WIN_SLOTS time
 * slots. Slots are recycled lazily when written, so no timer walks the
 * table. A window of W seconds uses slots of ceil(W / RG_WIN_SLOTS)
 * seconds; a sum covers the current slot and the RG_WIN_SLOTS - 1 before
 * it, i.e. between W - slot and W seconds of history.
 */
#ifndef RG_WINDOW_H
#define RG_WINDOW_H

#include <stdint.h>

#include "rg_counters.h"

#define RG_WIN_SLOTS 12

/*
 * A zeroed window holds epoch 0 with no counts in every slot: read at any
 * now, each is an empty slot, and the first write to one of epoch e > 0
 * finds 0 older than e and clears it (the signed test in rg_window_add()
 * holds while e < 2^31: 68 years of uptime, slots being 1 s at least).
 * The one slot a write of epoch 0 finds as its own is slot 0 of a zeroed
 * window, empty: nothing stale is ever taken for a fresh slot.
 */
struct rg_window
{
	uint32_t epoch[RG_WIN_SLOTS]; /* slot number (now / width) held */
	uint32_t c[RG_WIN_SLOTS][RG_C_COUNT];
};

/* The slot width, in ms, for a window of `window_s` seconds (>= 1 s). */
uint64_t rg_window_slot_ms(unsigned int window_s);

void rg_window_add(struct rg_window *w, uint64_t slot_ms, uint64_t now_ms,
		enum rg_counter c, uint32_t n);

/*
 * Take back `n` of counter `c` added at `at_ms`, when that slot still holds
 * it (a recycled slot has nothing of it left to take back).
 */
void rg_window_sub(struct rg_window *w, uint64_t slot_ms, uint64_t at_ms,
		enum rg_counter c, uint32_t n);

/* Sum every counter over the window ending at `now_ms` into out[]. */
void rg_window_sum(const struct rg_window *w, uint64_t slot_ms,
		uint64_t now_ms, uint64_t out[RG_C_COUNT]);

/*
 * The same, counting only the slots that began after the one holding
 * `after_ms` (0: every slot): what happened since an event, to slot
 * precision, never before it.
 */
void rg_window_sum_after(const struct rg_window *w, uint64_t slot_ms,
		uint64_t now_ms, uint64_t after_ms, uint64_t out[RG_C_COUNT]);

/*
 * Counter `c` slot by slot over the window ending at `now_ms`, oldest
 * first: out[RG_WIN_SLOTS - 1] is the current slot; a slot nothing was
 * written to is 0.
 */
void rg_window_series(const struct rg_window *w, uint64_t slot_ms,
		uint64_t now_ms, enum rg_counter c, uint32_t out[RG_WIN_SLOTS]);

#endif
