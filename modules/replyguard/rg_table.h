/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The destination table: a fixed-capacity hash table in shared memory,
 * one entry per normalised destination key.
 *
 * - All memory is taken once, at creation; nothing is allocated per call.
 * - Buckets are guarded by a lock set (bucket index masked to the set);
 *   every function here takes and drops the lock itself, and no lock is
 *   held when a function returns.
 * - A caller keeps a `struct rg_ref` (slot and generation) to reach an
 *   entry again without hashing. Freeing an entry bumps its generation, so
 *   a stale reference is detected (RG_ESTALE), never followed.
 * - When the table is full, new keys are refused and counted; entries idle
 *   for `idle_s` are freed by rg_table_expire(), which the host runs from a
 *   timer.
 */
#ifndef RG_TABLE_H
#define RG_TABLE_H

#include <stdint.h>

#include "rg_counters.h"
#include "rg_key.h"

enum rg_status
{
	RG_OK = 0,
	RG_ENOTFOUND = -1, /* no such key, or slot not in use */
	RG_EFULL = -2,	   /* table full: key not tracked */
	RG_ESTALE = -3,	   /* the reference's entry was freed */
};

struct rg_table_cfg
{
	unsigned int capacity; /* max destinations */
	unsigned int window_s; /* sliding window length */
	unsigned int idle_s;   /* free entries unused this long; 0 = never */
};

struct rg_ref
{
	uint32_t slot;
	uint32_t gen;
};

/* A reply as the core needs it: no SIP message, just the facts. */
struct rg_reply
{
	int code;
	int has_sdp;
	int has_retry_after; /* a well-formed Retry-After was present */
	int64_t pdd_ms;		 /* >= 0 when this is the branch's first 18x */
};

/* A consistent copy of one entry, taken under its lock. */
struct rg_snapshot
{
	char key[RG_KEY_MAX + 1];
	int key_len;
	const char *state; /* "up", "down", "probing" */
	uint64_t ctr[RG_C_COUNT];
	uint64_t win[RG_C_COUNT];
	uint64_t pdd_avg_ms;
	uint64_t pdd_max_ms;
	uint64_t pdd_samples;
	uint32_t retry_after_last;
	uint32_t blocked_for;
	uint32_t cps_limit;
	uint64_t idle_ms;
};

struct rg_summary
{
	unsigned int tracked;
	unsigned int capacity;
	uint64_t evictions;	  /* idle entries freed */
	uint64_t refused_full; /* new keys not tracked: table full */
	uint64_t refused_key;  /* keys refused as malformed */
	uint64_t stale_refs;   /* replies whose entry had been freed */
};

struct rg_table;

/* A new table in shared memory, or NULL (bad config or no memory). */
struct rg_table *rg_table_new(const struct rg_table_cfg *cfg);
void rg_table_free(struct rg_table *t);

/*
 * Find the entry for the normalised `key`, creating it when `create` is
 * set. RG_OK fills `ref`; RG_ENOTFOUND when absent and !create; RG_EFULL
 * when it would need a free slot and there is none.
 */
int rg_table_lookup(struct rg_table *t, const char *key, int len, int create,
		uint64_t now_ms, struct rg_ref *ref);

/*
 * Admission of a new call: counts an attempt. Returns 1 (admitted);
 * <0 is reserved for blocked/throttled. `retry_after` gets the seconds to
 * suggest upstream when refused. RG_ESTALE for a stale reference.
 */
int rg_table_admit(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, uint32_t *retry_after);

/* Add `n` to counter `c` (lifetime and window). */
int rg_table_count(struct rg_table *t, const struct rg_ref *ref,
		enum rg_counter c, uint32_t n, uint64_t now_ms);

/* Record one reply. */
int rg_table_reply(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_reply *r, uint64_t now_ms);

int rg_table_snapshot(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_snapshot *snap);

/*
 * Snapshot the entry in `slot` if it is in use (RG_OK), else RG_ENOTFOUND.
 * Iterate slots 0 .. rg_table_capacity() - 1 to visit every entry without
 * holding a lock across the caller's work.
 */
int rg_table_snapshot_slot(struct rg_table *t, unsigned int slot,
		uint64_t now_ms, struct rg_snapshot *snap);

unsigned int rg_table_capacity(const struct rg_table *t);

/* Zero the counters of one entry, or of all (ref == NULL). */
int rg_table_reset(struct rg_table *t, const struct rg_ref *ref);

/* Free entries idle for idle_s; returns how many were freed. */
unsigned int rg_table_expire(struct rg_table *t, uint64_t now_ms);

/* Count a key refused as malformed (the caller normalises keys). */
void rg_table_note_bad_key(struct rg_table *t);

void rg_table_summary(struct rg_table *t, struct rg_summary *s);

#endif
