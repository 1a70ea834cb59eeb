/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's messages (replyguard over DMQ), as text:
 *
 *   RG2 <origin> <chan> <seq> <wall_ms> <node>
 *   B <key> <left_ms> <reason> <ra_s> <ver>  a block, for that long
 *   U <key> <manual> <keep_ms> <ver>         up again: unblocked by hand
 *                                            (1), or a trial passed (0);
 *                                            its marker kept until then
 *                                            (wall clock, 0: no block)
 *   L <key> <mcps> <burst> <max_concurrent> <ver>
 *                                            a limit set by RPC or script
 *                                            (mcps 0: none of its own)
 *   C <key> <cur_mcps> <ceil_mcps> <ver>     an AIMD cut: back off to it
 *   P <origin> <seq>                         a member this node hears: the
 *                                            last heartbeat taken of it
 *                                            (heartbeats: its lease)
 *   D <key> <demand_mcps> <recv_mcps> [<grant_mcps>...]
 *                                            this interval: calls offered
 *                                            here, and sent on (rates);
 *                                            with a budget, what of it
 *                                            this node grants each member
 *                                            of the P lines, in order
 *   G <bucket> <digest>                      what this node holds of the
 *                                            replicated facts of one
 *                                            bucket of keys (repair)
 *   S                                        send me what you know
 *   E <records>
 *   H <hmac>
 *
 * origin is the sending instance (a random number at its start, in
 * hex); chan is 'c' for changes and answers, 'h' for the heartbeat's
 * demands and digests: each counts its own seq from 1, so a flood of
 * heartbeats never pushes a change out of the receiver's replay window.
 * wall_ms is the sender's wall clock when it wrote the message, node its
 * node_name. <ver> is a version (rg_ver.h) as "<clock> <id in hex>".
 * The last line is HMAC-SHA256, in hex, of every byte before it, keyed
 * with cluster_secret: a message whose HMAC no key makes is refused
 * before anything else in it is read.
 *
 * Fields are separated by one space, numbers are canonical decimals
 * within the bounds of rg_limits.h, keys are keys the module would store.
 * A message is taken whole or not at all: rg_cmsg_parse() checks it all
 * before it hands out a record. No I/O, no locks.
 */
#ifndef RG_CLUSTER_MSG_H
#define RG_CLUSTER_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "rg_key.h"
#include "rg_peers.h"
#include "rg_throttle.h"
#include "rg_ver.h"

#define RG_CMSG_MAX 60000	  /* bytes in one message at most */
/* a heartbeat's batch of demands: at most this big, so that it crosses a
 * network in one datagram with dmq's SIP headers */
#define RG_CMSG_BATCH_MAX 1100
/* a heartbeat's message: its P lines (up to RG_PEERS_MAX) and a batch of
 * demands with a grant per member */
#define RG_CMSG_BEAT_MAX 16000
#define RG_CMSG_NODE_MAX 63	  /* node name bytes at most */
#define RG_CMSG_LINE_MAX (RG_KEY_MAX + 80)
#define RG_CMSG_BLOCK_MAX_MS (31536000ULL * 1000) /* a block: 365 days */
#define RG_CMSG_BUCKETS 16 /* repair: keys in this many buckets */
#define RG_CMSG_MAC_LEN 32 /* HMAC-SHA256 */
#define RG_CMSG_KEYS 2	   /* the secret, and the one it replaces */

enum rg_crec_kind
{
	RG_CR_BLOCK = 'B',
	RG_CR_UNBLOCK = 'U',
	RG_CR_LIMIT = 'L',
	RG_CR_CUT = 'C',
	RG_CR_DEMAND = 'D',
	RG_CR_PEER = 'P',
	RG_CR_DIGEST = 'G',
	RG_CR_SYNC = 'S'
};

/* a message's channel: each has its own sequence numbers */
enum rg_cchan
{
	RG_CCHAN_CHANGE = 'c', /* changes, sync requests and answers */
	RG_CCHAN_BEAT = 'h'	   /* the heartbeat: demands and digests */
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
	uint64_t keep_ms; /* U: the marker kept until (wall clock) */
	struct rg_limit lim; /* L */
	uint32_t cur_mcps;	 /* C */
	uint32_t ceil_mcps;	 /* C */
	uint32_t demand_mcps; /* D */
	uint32_t recv_mcps;	  /* D */
	struct rg_ver ver;	  /* B, U, L, C: never {0, 0} */
	uint8_t bucket;		  /* G: 0 .. RG_CMSG_BUCKETS - 1 */
	uint64_t digest;	  /* G */
	uint64_t origin;	  /* P */
	uint64_t ack;		  /* P */
	uint8_t ngrants;	  /* D: 0 .. RG_PEERS_MAX */
	uint32_t grant[RG_PEERS_MAX]; /* D */
};

/* Who sent a message. */
struct rg_chdr
{
	uint64_t origin;
	uint64_t seq;
	char node[RG_CMSG_NODE_MAX + 1];
	char chan;		  /* enum rg_cchan */
	uint64_t wall_ms; /* the sender's wall clock */
};

/* the keys a message may be signed with: [0] signs, any one verifies */
struct rg_ckeys
{
	const unsigned char *key[RG_CMSG_KEYS];
	size_t len[RG_CMSG_KEYS];
	int n;
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

/*
 * Close the message and sign it with keys->key[0]: its length, or -1
 * when the end does not fit.
 */
int rg_cmsg_end(struct rg_cbuf *b, const struct rg_ckeys *keys);

/* what rg_cmsg_parse() refused a message for */
enum rg_cmsg_err
{
	RG_CMSG_BAD = -1,  /* malformed, foreign or too large */
	RG_CMSG_AUTH = -2 /* no HMAC, or one no key makes */
};

/*
 * Check the HMAC of `buf` (`len` bytes) with `keys`, then all of it,
 * fill `h`, then call `each` on every record in order: the number of
 * records, or an rg_cmsg_err with `why` (nothing handed out).
 */
int rg_cmsg_parse(const char *buf, size_t len, const struct rg_ckeys *keys,
		struct rg_chdr *h, void (*each)(const struct rg_crec *r, void *arg),
		void *arg, const char **why);

/*
 * Was a message written at the sender's wall clock `sent_ms` too far from
 * this node's, `here_ms`: more than `max_ms` (cluster_max_skew) either
 * way? 1 with the reason in `why` (`size` bytes; the skew and the limit
 * in ms, nothing from the message but them), else 0.
 */
int rg_cmsg_stale(uint64_t here_ms, uint64_t sent_ms, uint64_t max_ms,
		char *why, size_t size);

/* The digest of one key's replicated facts, to XOR into its bucket's. */
uint64_t rg_cmsg_digest(const char *key, int len, const struct rg_ver *blk,
		const struct rg_ver *lim, const struct rg_ver *cut);

#endif
