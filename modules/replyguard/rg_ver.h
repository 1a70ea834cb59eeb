/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Versions of the cluster's replicated facts (a destination's block, its
 * limit, its AIMD cut), so every node orders two writes of one fact the
 * same way and keeps the last: last-writer-wins.
 *
 * A version is a hybrid clock reading and the writing instance's id. The
 * clock is the wall clock in ms shifted left by RG_VER_LC_BITS, the low
 * bits a counter: never less than one more than any version this node
 * wrote or took before, so a write made after another was seen is always
 * newer, whatever the clocks say, and a burst of writes within one ms
 * moves the counter, not the ms (65536 of them before the ms moves by
 * one). Ties (one clock value on two nodes) go to the larger id. Version
 * {0, 0} is "never written". No locks: the clock is one shared 64-bit
 * word, moved with compare-and-swap.
 *
 * What is taken is bounded: a version from further ahead of this node's
 * wall clock than the cluster's skew (`ahead_ms`, cluster_max_skew) is
 * one no honest peer could have written yet (a forged or foreign clock,
 * or a file saved while this host's clock was wrong). Taken, it would pin
 * the clock: every later write here would be last + 1, refused by every
 * peer as from the future, for as long as the false clock was ahead. So
 * such a version is refused (rg_hlc_trusted()), and `last` never moves
 * past wall + ahead_ms on what is seen. When this host's own wall clock
 * steps back by more than ahead_ms, `last` is beyond what any peer takes
 * (the peers refused what was written here meanwhile: it was from their
 * future), so the next write starts again from the wall clock, and a
 * register holding such a version takes any trusted write
 * (rg_entry_repl.c). A step back within ahead_ms keeps `last`: writes
 * here stay ordered after the ones before it.
 */
#ifndef RG_VER_H
#define RG_VER_H

#include <stdint.h>

struct rg_ver
{
	uint64_t clk; /* hybrid clock: ms << RG_VER_LC_BITS | counter; 0 =
					 never written */
	uint64_t id;  /* the writing instance */
};

#define RG_VER_LC_BITS 16

/* the wall clock, ms, of a version's clock */
static inline uint64_t rg_ver_ms(uint64_t clk)
{
	return clk >> RG_VER_LC_BITS;
}

/* the version clock at wall clock `ms` (ms < 2^47: the year 6429) */
static inline uint64_t rg_ver_clk(uint64_t ms)
{
	return ms << RG_VER_LC_BITS;
}

/* <0, 0, >0 as a is older, the same, newer than b */
static inline int rg_ver_cmp(const struct rg_ver *a, const struct rg_ver *b)
{
	if(a->clk != b->clk)
		return a->clk < b->clk ? -1 : 1;
	if(a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

/* the clock: one per node, in shared memory */
struct rg_hlc
{
	uint64_t last;		 /* the highest clock value written or seen */
	uint64_t id;		 /* this instance's id (versions it writes) */
	int64_t wall_off_ms; /* wall clock minus the host's now_ms */
	/* the most a version taken may be ahead of the wall clock: the
	 * cluster's max skew; set before use, read only after */
	uint64_t ahead_ms;
};

/* The wall clock at the host's `now_ms`. */
static inline uint64_t rg_hlc_wall(const struct rg_hlc *h, uint64_t now_ms)
{
	int64_t w = (int64_t)now_ms
				+ __atomic_load_n(&h->wall_off_ms, __ATOMIC_RELAXED);

	return w > 0 ? (uint64_t)w : 0;
}

/* A new version for a write at wall clock `wall_ms`. */
static inline struct rg_ver rg_hlc_next(struct rg_hlc *h, uint64_t wall_ms)
{
	struct rg_ver v;
	uint64_t last = __atomic_load_n(&h->last, __ATOMIC_RELAXED), next;
	uint64_t w = rg_ver_clk(wall_ms);

	do {
		if(rg_ver_ms(last) > wall_ms + h->ahead_ms)
			next = w; /* stepped back beyond the skew: start again */
		else
			next = w > last ? w : last + 1;
	} while(!__atomic_compare_exchange_n(&h->last, &last, next, 1,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED));
	v.clk = next;
	v.id = h->id;
	return v;
}

/* May a version of clock `clk`, written elsewhere, be taken at wall clock
 * `wall_ms`: 1, or 0 when it is from beyond the cluster's skew. */
static inline int rg_hlc_trusted(
		const struct rg_hlc *h, uint64_t clk, uint64_t wall_ms)
{
	/* wall_ms < 2^63 and ahead_ms <= an hour: no overflow */
	return rg_ver_ms(clk) <= wall_ms + h->ahead_ms;
}

/*
 * A version written elsewhere was taken at wall clock `wall_ms`: later
 * writes here are newer. Never past wall_ms + ahead_ms, whatever `clk`.
 */
static inline void rg_hlc_see(struct rg_hlc *h, uint64_t clk, uint64_t wall_ms)
{
	uint64_t last = __atomic_load_n(&h->last, __ATOMIC_RELAXED);

	if(!rg_hlc_trusted(h, clk, wall_ms))
		clk = rg_ver_clk(wall_ms + h->ahead_ms);
	while(clk > last
			&& !__atomic_compare_exchange_n(&h->last, &last, clk, 1,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

#endif
