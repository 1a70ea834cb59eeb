/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An entry's plain parts, shared by what runs and what reads an entry. */
#ifndef RG_ENTRY_BASE_H
#define RG_ENTRY_BASE_H

#include "rg_entry-t.h"

/* The entry's key into `out` (RG_KEY_MAX + 1 bytes), terminated: its
 * length. */
int rg_entry_key(const struct rg_entry *e, char *out);

/* Move the tally into the lifetime counters and its window slot. */
void rg_entry_flush(struct rg_entry *e, const struct rg_entry_cfg *cfg);

/* The lifetime count of `c`, the tally's included. */
uint64_t rg_entry_count(const struct rg_entry *e, enum rg_counter c);

#endif
