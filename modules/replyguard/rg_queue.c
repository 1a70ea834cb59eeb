/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_queue.h"
#include "rg_seam.h"

struct rg_queue
{
	struct rg_lockset *lock;
	unsigned int capacity;
	unsigned int head; /* next to pop */
	unsigned int count;
	size_t item_size;
	uint64_t pushed;
	uint64_t dropped;
	uint64_t replaced;
	unsigned char *items;
	unsigned char *later; /* per place: a later record of its subject is
							 queued (rg_queue_push_last) */
};

struct rg_queue *rg_queue_new(unsigned int capacity, size_t item_size)
{
	struct rg_queue *q;

	/* (each record has a byte of its own beside it: rg_queue.later) */
	if(capacity == 0 || item_size == 0
			|| item_size + 1 > ((size_t)-1 - sizeof(*q)) / capacity)
		return NULL;
	q = rg_shm_zalloc(sizeof(*q) + (size_t)capacity * (item_size + 1));
	if(q == NULL)
		return NULL;
	q->lock = rg_lockset_new(1);
	if(q->lock == NULL) {
		rg_shm_free(q);
		return NULL;
	}
	q->capacity = capacity;
	q->item_size = item_size;
	q->items = (unsigned char *)(q + 1);
	q->later = q->items + (size_t)capacity * item_size;
	return q;
}

void rg_queue_free(struct rg_queue *q)
{
	if(q == NULL)
		return;
	rg_lockset_free(q->lock);
	rg_shm_free(q);
}

int rg_queue_push(struct rg_queue *q, const void *item)
{
	unsigned int tail;

	rg_lock(q->lock, 0);
	if(q->count == q->capacity) {
		q->dropped++;
		rg_unlock(q->lock, 0);
		return -1;
	}
	tail = (q->head + q->count) % q->capacity;
	memcpy(q->items + (size_t)tail * q->item_size, item, q->item_size);
	q->count++;
	q->pushed++;
	rg_unlock(q->lock, 0);
	return 0;
}

static unsigned char *at(struct rg_queue *q, unsigned int i)
{
	return q->items + (size_t)((q->head + i) % q->capacity) * q->item_size;
}

static unsigned char *later(struct rg_queue *q, unsigned int i)
{
	return &q->later[(q->head + i) % q->capacity];
}

int rg_queue_push_last(
		struct rg_queue *q, const void *item, rg_queue_same_f same)
{
	unsigned int i, mine = q->capacity; /* newest of item's subject */
	int rc = 0, s = 0;

	rg_lock(q->lock, 0);
	for(i = q->count; i-- > 0;) {
		if((s = same(at(q, i), item)) != 0) {
			mine = i;
			break;
		}
	}
	if(s == RG_QUEUE_STALE) {
		/* a newer record of its subject is queued: it is the last word */
		q->replaced++;
		q->pushed++;
		rg_unlock(q->lock, 0);
		return 1;
	}
	if(q->count < q->capacity) {
		if(mine < q->capacity)
			*later(q, mine) = 1;
		memcpy(at(q, q->count), item, q->item_size);
		*later(q, q->count) = 0;
		q->count++;
	} else if(mine < q->capacity) {
		/* full: the newest of its subject becomes this one (the older
		 * ones stay before it) */
		memcpy(at(q, mine), item, q->item_size);
		q->replaced++;
		rc = 1;
	} else {
		/* full, none of its subject: the oldest record already followed
		 * by a later one of its own subject makes room */
		for(i = 0; i < q->count && !*later(q, i); i++)
			;
		if(i == q->count) {
			q->dropped++;
			rg_unlock(q->lock, 0);
			return -1;
		}
		memcpy(at(q, i), item, q->item_size);
		*later(q, i) = 0;
		q->replaced++;
		rc = 1;
	}
	q->pushed++;
	rg_unlock(q->lock, 0);
	return rc;
}

int rg_queue_pop(struct rg_queue *q, void *item)
{
	rg_lock(q->lock, 0);
	if(q->count == 0) {
		rg_unlock(q->lock, 0);
		return 0;
	}
	memcpy(item, q->items + (size_t)q->head * q->item_size, q->item_size);
	q->head = (q->head + 1) % q->capacity;
	q->count--;
	rg_unlock(q->lock, 0);
	return 1;
}

void rg_queue_stats(struct rg_queue *q, struct rg_queue_stats *st)
{
	rg_lock(q->lock, 0);
	st->queued = q->count;
	st->capacity = q->capacity;
	st->pushed = q->pushed;
	st->dropped = q->dropped;
	st->replaced = q->replaced;
	rg_unlock(q->lock, 0);
}
