/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded FIFO of fixed-size records in shared memory, for handing
 * work from SIP workers to one consumer process without making them wait.
 *
 * - Producers copy a record in under one short lock; when the queue is
 *   full the record is dropped and counted, never waited for.
 * - Or, with rg_queue_push_last(), records name a subject (a destination
 *   and what about it), and only the last record of each subject must
 *   reach the consumer: a full queue makes room by replacing an older
 *   record of the same subject, or one whose subject has a later record
 *   queued, never the reverse.
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
	uint64_t replaced;	   /* rg_queue_push_last(): older records it wrote
							  over to make room */
};

/*
 * Does the queued record name the same subject as `item`: 0 no, 1 yes,
 * RG_QUEUE_STALE yes and `item` is older than it (it is not queued).
 */
#define RG_QUEUE_STALE 2
typedef int (*rg_queue_same_f)(const void *queued, const void *item);

/* A queue of `capacity` records of `item_size` bytes, or NULL. */
struct rg_queue *rg_queue_new(unsigned int capacity, size_t item_size);
void rg_queue_free(struct rg_queue *q);

/* Copy `item` in: 0, or -1 when full (the record is dropped and counted). */
int rg_queue_push(struct rg_queue *q, const void *item);

/*
 * Copy `item` in, and keep the last word of each subject: 0 when queued;
 * 1 when the queue was full and `item` took the place of the newest
 * queued record of its subject, or else of the oldest record whose
 * subject has a later one queued (its place in line: the records it
 * overtakes are of other subjects); -1 when every queued record is the
 * last of its subject and none is `item`'s (dropped and counted). A
 * queue takes one kind of push only.
 */
int rg_queue_push_last(
		struct rg_queue *q, const void *item, rg_queue_same_f same);

/* Copy the oldest record out to `item`: 1, or 0 when empty. */
int rg_queue_pop(struct rg_queue *q, void *item);

void rg_queue_stats(struct rg_queue *q, struct rg_queue_stats *st);

#endif
