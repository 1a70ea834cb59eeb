/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-transaction slots: the records of the branches replyguard admitted
 * in one transaction (which destination, when, what was already counted).
 *
 * Slots come from a pool made at start-up, so admitting a branch costs no
 * shared-memory allocation; a transaction with more than RG_TXN_BRANCHES
 * admitted branches chains a second slot. When the pool is empty a slot
 * is borrowed from shared memory and counted (rg_txn_pool_stats), so a
 * burst beyond the pool's size costs speed, never a record.
 *
 * A slot's records are read and written under its lock (rg_txn_lock):
 * replies of one transaction can be handled by several processes at once
 * when they are inspected from tm's reply-in callback, which runs before
 * tm's own reply lock. No SIP here: rg_branch.c ties slots to tm.
 */
#ifndef RG_TXN_H
#define RG_TXN_H

#include <stdint.h>

#include "rg_key.h"
#include "rg_types-t.h"

/* records per slot; most calls have one branch, failover adds a few */
#define RG_TXN_BRANCHES 4

struct rg_txn_rec
{
	int32_t index; /* tm's branch index */
	uint32_t flags;
	uint64_t t0_ms;	 /* when rg_allow admitted it */
	uint64_t trial;	 /* the probing trial's token, or 0 */
	struct rg_ref ref;
	uint32_t key_len;
	char key[RG_KEY_MAX + 1];
};

struct rg_txn
{
	struct rg_txn *next; /* more records; in the pool, the next free slot */
	uint32_t n;			 /* records used in this slot */
	uint32_t id;		 /* place in the pool, or RG_TXN_BORROWED */
	uint32_t marks;		 /* the user's own (rg_branch.c: callbacks held) */
	struct rg_txn_rec rec[RG_TXN_BRANCHES];
};
#define RG_TXN_BORROWED UINT32_MAX

struct rg_txn_pool;

struct rg_txn_stats
{
	uint64_t size;	   /* slots made at start-up */
	uint64_t in_use;   /* of them, taken now */
	uint64_t borrowed; /* taken from shared memory since start (pool empty) */
	uint64_t lent;	   /* of those, still out */
	uint64_t failed;   /* none to be had: the admission was taken back */
};

/* A pool of `n` slots (0: every slot is borrowed); NULL on no memory. */
struct rg_txn_pool *rg_txn_pool_new(unsigned int n);
void rg_txn_pool_free(struct rg_txn_pool *p);

/* An empty slot, or NULL (counted as failed) when none can be had. */
struct rg_txn *rg_txn_get(struct rg_txn_pool *p);

/* Give back `t` and every slot chained to it. */
void rg_txn_put(struct rg_txn_pool *p, struct rg_txn *t);

/* The lock of `t` (the first slot of a chain): short sections only. */
void rg_txn_lock(struct rg_txn_pool *p, const struct rg_txn *t);
void rg_txn_unlock(struct rg_txn_pool *p, const struct rg_txn *t);

/* The record of branch `index` in the chain `t`, or NULL. Under the lock. */
struct rg_txn_rec *rg_txn_find(struct rg_txn *t, int32_t index);

/*
 * A new, zeroed record for branch `index` at the end of the chain `t`
 * (the caller checked rg_txn_find first), chaining a slot when `t` is
 * full; NULL when none can be had. Under the lock.
 */
struct rg_txn_rec *rg_txn_add(
		struct rg_txn_pool *p, struct rg_txn *t, int32_t index);

/* Walk every record: `it` starts as the chain; NULL at the end. */
struct rg_txn_it
{
	struct rg_txn *slot;
	uint32_t i;
};
static inline struct rg_txn_rec *rg_txn_next(struct rg_txn_it *it)
{
	while(it->slot != NULL) {
		if(it->i < it->slot->n)
			return &it->slot->rec[it->i++];
		it->slot = it->slot->next;
		it->i = 0;
	}
	return NULL;
}

void rg_txn_pool_stats(struct rg_txn_pool *p, struct rg_txn_stats *st);

#endif
