/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_window.h"

uint64_t rg_window_slot_ms(unsigned int window_s)
{
	uint64_t ms = (uint64_t)window_s * 1000;
	uint64_t slot = (ms + RG_WIN_SLOTS - 1) / RG_WIN_SLOTS;

	/* whole seconds keep slot boundaries readable in tests and logs */
	slot = ((slot + 999) / 1000) * 1000;
	return slot ? slot : 1000;
}

void rg_window_add(struct rg_window *w, uint64_t slot_ms, uint64_t now_ms,
		enum rg_counter c, uint32_t n)
{
	uint32_t epoch = (uint32_t)(now_ms / slot_ms);
	unsigned int i = epoch % RG_WIN_SLOTS;

	if(w->epoch[i] != epoch) {
		/* counts older than the slot's are out of the window: they never
		 * write over newer ones */
		if((int32_t)(w->epoch[i] - epoch) > 0)
			return;
		w->epoch[i] = epoch;
		memset(w->c[i], 0, sizeof(w->c[i]));
	}
	/* saturates: a sum of durations must not wrap a slot */
	w->c[i][c] = w->c[i][c] > UINT32_MAX - n ? UINT32_MAX : w->c[i][c] + n;
}

void rg_window_sub(struct rg_window *w, uint64_t slot_ms, uint64_t at_ms,
		enum rg_counter c, uint32_t n)
{
	uint32_t epoch = (uint32_t)(at_ms / slot_ms);
	unsigned int i = epoch % RG_WIN_SLOTS;

	if(w->epoch[i] == epoch)
		w->c[i][c] = w->c[i][c] > n ? w->c[i][c] - n : 0;
}

void rg_window_series(const struct rg_window *w, uint64_t slot_ms,
		uint64_t now_ms, enum rg_counter c, uint32_t out[RG_WIN_SLOTS])
{
	uint32_t epoch = (uint32_t)(now_ms / slot_ms), age;
	unsigned int i;

	memset(out, 0, sizeof(uint32_t) * RG_WIN_SLOTS);
	for(i = 0; i < RG_WIN_SLOTS; i++) {
		age = epoch - w->epoch[i]; /* unsigned: the future is too old */
		if(age < RG_WIN_SLOTS)
			out[RG_WIN_SLOTS - 1 - age] = w->c[i][c];
	}
}

void rg_window_sum(const struct rg_window *w, uint64_t slot_ms,
		uint64_t now_ms, uint64_t out[RG_C_COUNT])
{
	rg_window_sum_after(w, slot_ms, now_ms, 0, out);
}

void rg_window_sum_after(const struct rg_window *w, uint64_t slot_ms,
		uint64_t now_ms, uint64_t after_ms, uint64_t out[RG_C_COUNT])
{
	uint32_t epoch = (uint32_t)(now_ms / slot_ms);
	uint32_t first = after_ms ? (uint32_t)(after_ms / slot_ms) + 1 : 0;
	unsigned int i, c;

	memset(out, 0, sizeof(uint64_t) * RG_C_COUNT);
	for(i = 0; i < RG_WIN_SLOTS; i++) {
		/* unsigned difference: also rejects slots from the future */
		if(epoch - w->epoch[i] >= RG_WIN_SLOTS || w->epoch[i] < first)
			continue;
		for(c = 0; c < RG_C_COUNT; c++)
			out[c] += w->c[i][c];
	}
}
