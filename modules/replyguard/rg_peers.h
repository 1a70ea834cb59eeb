/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's other nodes, as their messages show them: per sending
 * instance (origin), its node name and address, when it was last heard
 * and how many of its messages were taken. A message is taken once:
 * each origin keeps, for each of its channels (changes, heartbeats), a
 * window of the last RG_PEER_WINDOW sequence numbers, so a message
 * replayed, or delivered twice, is refused, while messages that arrive
 * out of order (DMQ hands them to several workers) are not, and a flood
 * of heartbeats never pushes a late change out of its window. A restart
 * is a new origin, so a restarted sender is never refused as a replay.
 * Shared memory and one lock; no SIP.
 */
#ifndef RG_PEERS_H
#define RG_PEERS_H

#include <stddef.h>
#include <stdint.h>

#define RG_PEERS_MAX 16
#define RG_PEER_ADDR_MAX 63
#define RG_PEER_WINDOW 1024 /* sequence numbers remembered per channel */
#define RG_PEER_CHANS 2		/* channels: 0 changes, 1 heartbeats */
/* a sender's sequence number never jumps further ahead than this: no
 * single message (even a signed one) can close its window for good */
#define RG_PEER_JUMP_MAX 1000000

struct rg_peer
{
	uint64_t origin;
	char node[64];
	char addr[RG_PEER_ADDR_MAX + 1];
	uint64_t first_ms; /* first heard */
	uint64_t last_ms;  /* last heard */
	uint64_t taken;	   /* messages taken */
	uint64_t lease_ms; /* it acknowledged this node's heartbeat: its grants
						  are good until then (0: never) */
	uint32_t gen;	   /* counts the senders this place has held */
	uint8_t replaced;  /* a newer instance of the same node was heard */
	uint32_t new_keys; /* keys it added to the table this minute */
	uint64_t new_min;  /* that minute (now_ms / 60000) */
	uint64_t max_seq[RG_PEER_CHANS]; /* highest sequence number taken */
	/* bit i: max_seq - i was taken */
	uint64_t seen[RG_PEER_CHANS][RG_PEER_WINDOW / 64];
};

/* what rg_peers_accept() decided */
enum rg_peer_verdict
{
	RG_PEER_TAKEN = 1,
	RG_PEER_REPLAYED = 0, /* taken before, or too old to tell */
	RG_PEER_FULL = -1,	  /* a new origin, and no room (none stale) */
	RG_PEER_JUMP = -2	  /* a sequence number too far ahead */
};

struct rg_peers;

struct rg_peers *rg_peers_new(void);
void rg_peers_free(struct rg_peers *p);

/*
 * A message from `origin` numbered `seq` on channel `chan` (0 ..
 * RG_PEER_CHANS - 1), heard at `now_ms`. A new origin takes a free
 * place, or the one heard longest ago if it has been silent `stale_ms`.
 */
enum rg_peer_verdict rg_peers_accept(struct rg_peers *p, uint64_t origin,
		int chan, uint64_t seq, const char *node, const char *addr,
		uint64_t now_ms, uint64_t stale_ms);

/*
 * The place of `origin` (0 .. RG_PEERS_MAX - 1), or -1 when it has none;
 * `gen` (may be NULL) gets the place's generation.
 */
int rg_peers_place(struct rg_peers *p, uint64_t origin, uint32_t *gen);

/* `origin` acknowledged this node: its lease runs to `until_ms` at least. */
void rg_peers_lease(struct rg_peers *p, uint64_t origin, uint64_t until_ms);

/*
 * The members: peers heard and not replaced by a newer instance, most
 * recently heard first, at most `max`: their places into `places`, into
 * `leased` 1 for those whose lease runs past `now_ms`, and when each was
 * last heard into `heard`. How many.
 */
int rg_peers_members(struct rg_peers *p, uint64_t now_ms, int max,
		uint8_t *places, uint8_t *leased, uint64_t *heard);

/*
 * May the peer at `place` add one more key to this node's table at
 * `now_ms`? At most `per_min` a minute each; 1 (counted) or 0.
 */
int rg_peers_new_key(
		struct rg_peers *p, int place, uint64_t now_ms, uint32_t per_min);

/* The node name of `origin` into `out` (`size` bytes): 0, or -1 when
 * it has no place. */
int rg_peers_node_of(
		struct rg_peers *p, uint64_t origin, char *out, size_t size);

/* A copy of the peer at `place`: 0, or -1 when there is none. */
int rg_peers_get(struct rg_peers *p, int place, struct rg_peer *out);

/* Copy up to `max` peers into `out`, most recently heard first: how many. */
int rg_peers_list(struct rg_peers *p, struct rg_peer *out, int max);

#endif
