/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Never shun a whole set (max_blocked_percent).
 *
 * Per host set (dispatcher set id): how many tracked destinations carry
 * it, and how many of them are blocked (down, whatever blocked them). An
 * inferred block (down_threshold, the failure ratio, a failed trial) of a
 * destination is applied only when, in every set it belongs to, the
 * blocked ones would then be at most `pct` percent of the members:
 *
 *     (blocked + 1) * 100 <= pct * members
 *
 * A Retry-After or manual block never asks; it is counted all the same.
 *
 * Each entry keeps its footprint (the sets and the down state the guard
 * counts for it); the entry's operation brings it in line after every
 * change (rg_guard_sync), so the counts follow the entries exactly. One
 * lock for the whole guard, taken only when a footprint changes or a
 * block is asked for, never on an ordinary call; it nests inside an entry
 * lock and takes none itself.
 */
#ifndef RG_GUARD_H
#define RG_GUARD_H

#include <stdint.h>

#include "rg_ext.h"

/* sets tracked; the sets beyond it are not guarded (and counted) */
#define RG_GUARD_SETS 1024

/* What the guard counts for one entry. */
struct rg_guard_fp
{
	int32_t tags[RG_EXT_PAIRS]; /* distinct sets */
	uint8_t n;
	uint8_t tracked; /* bit i: tags[i] is counted (the guard had room) */
	uint8_t down;
	uint8_t gen; /* the rg_ext_set generation these tags came from */
};

/* What a guard call reports. */
struct rg_guard_note
{
	int full; /* a set that has just reached its limit, or -1 */
	int held; /* the set that held a block back, or -1 */
};

struct rg_guard;

/* A guard of `pct` percent (1..99); NULL when out of memory. */
struct rg_guard *rg_guard_new(unsigned int pct);
void rg_guard_free(struct rg_guard *g);

/* Has the footprint `fp` fallen behind the entry (its sets, its state)? */
static inline int rg_guard_stale(
		const struct rg_guard_fp *fp, const struct rg_ext_set *es, int down)
{
	return fp->gen != es->gen || fp->down != (down != 0);
}

/* Count the entry as it is now: sets of `es`, `down` or not. */
void rg_guard_sync(struct rg_guard *g, struct rg_guard_fp *fp,
		const struct rg_ext_set *es, int down, struct rg_guard_note *note);

/*
 * May an inferred block of the entry be applied? 1: yes, and it is
 * counted blocked at once (so two entries cannot both take the last
 * place); 0: no, note->held names the set that held it.
 */
int rg_guard_try_block(struct rg_guard *g, struct rg_guard_fp *fp,
		const struct rg_ext_set *es, struct rg_guard_note *note);

/* The entry is freed: stop counting it. */
void rg_guard_leave(struct rg_guard *g, struct rg_guard_fp *fp);

/* Read one set's counts (for tests and RPC): 0, or -1 when untracked. */
int rg_guard_set(struct rg_guard *g, int tag, unsigned int *members,
		unsigned int *blocked);

/* Sets not tracked because the guard's table was full. */
uint64_t rg_guard_untracked(struct rg_guard *g);

#endif
