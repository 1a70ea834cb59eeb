/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An entry's plain parts, which the operations (rg_entry.c) and what
 * reads an entry (rg_entry_snap.c, rg_entry_kpi.c, rg_entry_keep.c)
 * share: its key, and its tally's way into the counters.
 */
#include <string.h>

#include "rg_entry_base.h"

int rg_entry_key(const struct rg_entry *e, char *out)
{
	int hot = e->key_len < RG_KEY_HOT ? e->key_len : RG_KEY_HOT;

	memcpy(out, e->key_hot, (size_t)hot);
	memcpy(out + hot, e->cold->key_rest, (size_t)(e->key_len - hot));
	out[e->key_len] = '\0';
	return e->key_len;
}

uint64_t rg_entry_count(const struct rg_entry *e, enum rg_counter c)
{
	return e->cold->ctr[c] + (c < RG_C_TALLIED ? e->tally.c[c] : 0);
}

void rg_entry_flush(struct rg_entry *e, const struct rg_entry_cfg *cfg)
{
	struct rg_entry_cold *cold = e->cold;
	uint64_t at = (uint64_t)e->tally.epoch * cfg->slot_ms;
	int c;

	for(c = 0; c < RG_C_TALLIED; c++) {
		if(e->tally.c[c] == 0)
			continue;
		cold->ctr[c] += e->tally.c[c];
		rg_window_add(&cold->win, cfg->slot_ms, at, (enum rg_counter)c,
				e->tally.c[c]);
		e->tally.c[c] = 0;
	}
}
