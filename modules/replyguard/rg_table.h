/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The destination table: a fixed-capacity hash table in shared memory,
 * one entry (rg_entry.h) per normalised destination key. It finds, locks,
 * walks and frees entries; what happens to an entry is the entry's
 * business: every function runs one struct rg_op on it.
 *
 * - All memory is taken once, at creation; nothing is allocated per call.
 * - Buckets are guarded by a lock set (bucket index masked to the set);
 *   every function here takes and drops the lock itself, and no lock is
 *   held when a function returns.
 * - A caller keeps a `struct rg_ref` (slot and generation) to reach an
 *   entry again without hashing. Freeing an entry bumps its generation, so
 *   a stale reference is detected (RG_ESTALE), never followed.
 * - When the table is full, new keys are refused and counted; idle entries
 *   are freed by a walk with RG_OP_EXPIRE, which the host runs from a
 *   timer.
 * - Each operation reads: lock, entry operation, snapshot if it changed
 *   anything (into `chg`), unlock.
 */
#ifndef RG_TABLE_H
#define RG_TABLE_H

#include <stdint.h>

#include "rg_entry.h"
#include "rg_key.h"
#include "rg_types-t.h"

struct rg_table_cfg
{
	unsigned int capacity; /* max destinations */
	unsigned int window_s; /* sliding window length */
	unsigned int idle_s;   /* free entries unused this long; 0 = never */
	struct rg_health_cfg health;
	struct rg_throttle_cfg throttle;
	struct rg_fail_cfg fail;
	struct rg_kpi_cfg kpi;
	unsigned int max_blocked_pct; /* set guard, 1..100; 100 (or 0) = none */
	struct rg_hlc *hlc;	 /* cluster: the versions' clock, or NULL */
	uint64_t retain_ms;	 /* cluster: replicated facts kept this long */
};

struct rg_table;

/* A new table in shared memory, or NULL (bad config or no memory). */
struct rg_table *rg_table_new(const struct rg_table_cfg *cfg);
void rg_table_free(struct rg_table *t);

unsigned int rg_table_capacity(const struct rg_table *t);

/*
 * Run `op` on the entry `ref` names: its result, or RG_ESTALE when the
 * entry was freed. `chg` may be NULL for operations that change no state.
 */
int rg_table_apply(struct rg_table *t, const struct rg_ref *ref,
		struct rg_op *op, uint64_t now_ms, struct rg_change *chg);

/*
 * Run `op` on the entry of the normalised `key`, added first when new and
 * `create`; `ref` (may be NULL) gets its reference. RG_ENOTFOUND when
 * absent and !create; RG_EFULL (counted) when there is no free slot.
 */
int rg_table_apply_key(struct rg_table *t, const char *key, int len, int create,
		struct rg_op *op, uint64_t now_ms, struct rg_ref *ref,
		struct rg_change *chg);

/* rg_table_apply_key() with `h`, rg_key_hash() of the key, known. */
int rg_table_apply_key_h(struct rg_table *t, const char *key, int len,
		uint32_t h, int create, struct rg_op *op, uint64_t now_ms,
		struct rg_ref *ref, struct rg_change *chg);

/*
 * Run `op` on the entry in `slot`, if one is there and rg_entry_peek()
 * says the operation may have work: its result and `ref` (may be NULL);
 * RG_ENOTFOUND when not. Iterate slots 0 .. rg_table_capacity() - 1 to
 * visit every entry without holding a lock across the caller's work.
 */
int rg_table_apply_slot(struct rg_table *t, unsigned int slot, struct rg_op *op,
		uint64_t now_ms, struct rg_ref *ref, struct rg_change *chg);

/*
 * The same for a read-only `op` (RG_OP_SAVE), without the lock: only when
 * no other process can be in the table (at shutdown, after the children
 * are gone, one of which may have died holding a lock).
 */
int rg_table_read_slot_nolock(
		struct rg_table *t, unsigned int slot, struct rg_op *op, uint64_t now_ms);

/*
 * Run `op` on every entry, a bucket at a time under its lock; returns for
 * how many the result was > 0. With `free_them`, those entries are freed
 * (counted as evictions).
 */
unsigned int rg_table_walk(
		struct rg_table *t, struct rg_op *op, uint64_t now_ms, int free_them);

/*
 * Cluster: the share of its budget a destination added from now on
 * starts with (millionths; 0 = all of it), until its first interval.
 */
void rg_table_set_share(struct rg_table *t, uint32_t share_ppm);

/* Count a key refused as malformed (the caller normalises keys). */
void rg_table_note_bad_key(struct rg_table *t);

void rg_table_summary(struct rg_table *t, struct rg_summary *s);

#endif
