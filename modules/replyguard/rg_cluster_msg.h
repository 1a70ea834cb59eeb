/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's messages (replyguard over DMQ), as text:
 *
 *   RG1 <origin> <seq> <node>
 *   B <key> <left_ms> <reason> <ra_s>        a block, for that long
 *   U <key> <manual>                         up again: unblocked by hand
 *                                            (1), or a trial passed (0)
 *   L <key> <mcps> <burst> <max_concurrent>  a limit set by RPC or script
 *   C <key> <cur_mcps> <ceil_mcps>           an AIMD cut: back off to it
 *   D <key> <demand_mcps> <recv_mcps>        this interval: calls offered
 *                                            here, and sent on (rates)
 *   S                                        send me what you know
 *   E <records>
 *
 * origin is the sending instance (a random number at its start, in
 * hex), seq counts its messages from 1, node is its node_name. Fields
 * are separated by one space, numbers are canonical decimals within the
 * bounds of rg_limits.h, keys are keys the module would store. A message
 * is taken whole or not at all: rg_cmsg_parse() checks it all before it
 * hands out a record. No I/O, no locks.
 */
#ifndef RG_CLUSTER_MSG_H
#define RG_CLUSTER_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "rg_key.h"
#include "rg_throttle.h"

#define RG_CMSG_MAX 60000	  /* bytes in one message at most */
/* a heartbeat's batch of demands: at most this big, so that it crosses a
 * network in one datagram with dmq's SIP headers */
#define RG_CMSG_BATCH_MAX 1100
#define RG_CMSG_NODE_MAX 63	  /* node name bytes at most */
#define RG_CMSG_LINE_MAX (RG_KEY_MAX + 80)
#define RG_CMSG_BLOCK_MAX_MS (31536000ULL * 1000) /* a block: 365 days */

enum rg_crec_kind
{
	RG_CR_BLOCK = 'B',
	RG_CR_UNBLOCK = 'U',
	RG_CR_LIMIT = 'L',
	RG_CR_CUT = 'C',
	RG_CR_DEMAND = 'D',
	RG_CR_SYNC = 'S'
};

/* One record. */
struct rg_crec
{
	char kind; /* enum rg_crec_kind */
	char key[RG_KEY_MAX + 1];
	int key_len;
	uint64_t left_ms; /* B */
	uint8_t reason;	  /* B: enum rg_block_reason */
	uint32_t ra_s;	  /* B: the Retry-After, 0 when none */
	uint8_t manual;	  /* U: by hand (1) or a trial that passed (0) */
	struct rg_limit lim; /* L */
	uint32_t cur_mcps;	 /* C */
	uint32_t ceil_mcps;	 /* C */
	uint32_t demand_mcps; /* D */
	uint32_t recv_mcps;	  /* D */
};

/* Who sent a message. */
struct rg_chdr
{
	uint64_t origin;
	uint64_t seq;
	char node[RG_CMSG_NODE_MAX + 1];
};

/* A message being written, in the caller's buffer. */
struct rg_cbuf
{
	char *buf;
	size_t size, len;
	unsigned int n; /* records */
};

/* Start a message in `buf` (`size` bytes, at most RG_CMSG_MAX used). */
int rg_cmsg_begin(struct rg_cbuf *b, char *buf, size_t size,
		const struct rg_chdr *h);

/* Add a record: 0, or -1 when it does not fit (the message is intact). */
int rg_cmsg_add(struct rg_cbuf *b, const struct rg_crec *r);

/* Close the message: its length, or -1 when the end does not fit. */
int rg_cmsg_end(struct rg_cbuf *b);

/*
 * Check all of `buf` (`len` bytes), fill `h`, then call `each` on every
 * record in order: the number of records, or -1 with `why` (nothing
 * handed out).
 */
int rg_cmsg_parse(const char *buf, size_t len, struct rg_chdr *h,
		void (*each)(const struct rg_crec *r, void *arg), void *arg,
		const char **why);

#endif
