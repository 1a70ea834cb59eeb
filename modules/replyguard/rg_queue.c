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
	unsigned char *items;
};

struct rg_queue *rg_queue_new(unsigned int capacity, size_t item_size)
{
	struct rg_queue *q;

	if(capacity == 0 || item_size == 0
			|| item_size > (size_t)-1 / capacity - sizeof(*q))
		return NULL;
	q = rg_shm_zalloc(sizeof(*q) + (size_t)capacity * item_size);
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
	rg_unlock(q->lock, 0);
}
