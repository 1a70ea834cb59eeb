/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded FIFO of fixed-size records in shared memory, for handing
 * work from SIP workers to one consumer process without making them wait.
 *
 * - Producers copy a record in under one short lock; when the queue is
 *   full the record is dropped and counted, never waited for.
 * - The consumer copies records out one at a time, in order.
 * - All memory is taken at creation.
 */
#ifndef RG_QUEUE_H
#define RG_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct rg_queue;

struct rg_queue_stats
{
	unsigned int queued;   /* records waiting now */
	unsigned int capacity; /* records it can hold */
	uint64_t pushed;	   /* accepted since creation */
	uint64_t dropped;	   /* refused: the queue was full */
};

/* A queue of `capacity` records of `item_size` bytes, or NULL. */
struct rg_queue *rg_queue_new(unsigned int capacity, size_t item_size);
void rg_queue_free(struct rg_queue *q);

/* Copy `item` in: 0, or -1 when full (the record is dropped and counted). */
int rg_queue_push(struct rg_queue *q, const void *item);

/* Copy the oldest record out to `item`: 1, or 0 when empty. */
int rg_queue_pop(struct rg_queue *q, void *item);

void rg_queue_stats(struct rg_queue *q, struct rg_queue_stats *st);

#endif
