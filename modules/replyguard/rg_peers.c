/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_peers.h"
#include "rg_seam.h"

struct rg_peers
{
	struct rg_lockset *lock;
	int n;
	struct rg_peer peer[RG_PEERS_MAX];
};

struct rg_peers *rg_peers_new(void)
{
	struct rg_peers *p = rg_shm_zalloc(sizeof(*p));

	if(p == NULL)
		return NULL;
	p->lock = rg_lockset_new(1);
	if(p->lock == NULL) {
		rg_shm_free(p);
		return NULL;
	}
	return p;
}

void rg_peers_free(struct rg_peers *p)
{
	if(p == NULL)
		return;
	rg_lockset_free(p->lock);
	rg_shm_free(p);
}

/* bit `d` of a window (d < RG_PEER_WINDOW) */
static int seen_bit(const uint64_t *seen, uint64_t d)
{
	return (int)((seen[d / 64] >> (d % 64)) & 1);
}

static void set_bit(uint64_t *seen, uint64_t d)
{
	seen[d / 64] |= 1ULL << (d % 64);
}

/* move a window up by `d`: bit i becomes bit i + d */
static void shift(uint64_t *seen, uint64_t d)
{
	const int w = RG_PEER_WINDOW / 64;
	uint64_t out[RG_PEER_WINDOW / 64] = {0};
	int i, q = (int)(d / 64), r = (int)(d % 64);

	if(d >= RG_PEER_WINDOW) {
		memset(seen, 0, sizeof(out));
		return;
	}
	for(i = w - 1; i >= q; i--) {
		out[i] = seen[i - q] << r;
		if(r != 0 && i - q - 1 >= 0)
			out[i] |= seen[i - q - 1] >> (64 - r);
	}
	memcpy(seen, out, sizeof(out));
}

/* a channel's window of sequence numbers: 1 when `seq` is new, 0 when
 * taken before or too old, -1 when too far ahead */
static int take_seq(struct rg_peer *e, int chan, uint64_t seq)
{
	uint64_t *seen = e->seen[chan], d;

	if(seq > e->max_seq[chan]) {
		if(e->max_seq[chan] != 0
				&& seq - e->max_seq[chan] > RG_PEER_JUMP_MAX)
			return -1;
		shift(seen, seq - e->max_seq[chan]);
		set_bit(seen, 0);
		e->max_seq[chan] = seq;
		return 1;
	}
	d = e->max_seq[chan] - seq;
	if(d >= RG_PEER_WINDOW || seen_bit(seen, d))
		return 0;
	set_bit(seen, d);
	return 1;
}

static void copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if(n >= size)
		n = size - 1;
	if(n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* the place of `origin`, a new one, or NULL */
static struct rg_peer *place(
		struct rg_peers *p, uint64_t origin, uint64_t now_ms, uint64_t stale_ms)
{
	struct rg_peer *old = NULL;
	uint32_t gen;
	int i;

	for(i = 0; i < p->n; i++) {
		if(p->peer[i].origin == origin)
			return &p->peer[i];
		if(old == NULL || p->peer[i].last_ms < old->last_ms)
			old = &p->peer[i];
	}
	if(p->n < RG_PEERS_MAX)
		old = &p->peer[p->n++];
	else if(old == NULL
			|| (now_ms >= old->last_ms && now_ms - old->last_ms < stale_ms)
			|| now_ms < old->last_ms)
		return NULL;
	gen = old->gen;
	memset(old, 0, sizeof(*old));
	old->origin = origin;
	old->first_ms = now_ms;
	old->gen = gen + 1;
	return old;
}

/* a new instance `e` of a node: the older ones of that name are no
 * longer members (their places are kept for their sequence windows) */
static void replace_older(
		struct rg_peers *p, const struct rg_peer *e, const char *node)
{
	int i;

	for(i = 0; i < p->n; i++) {
		/* node_name is unique in a cluster; the address may change (a
		 * container restarted elsewhere) */
		if(&p->peer[i] != e && strcmp(p->peer[i].node, node) == 0)
			p->peer[i].replaced = 1;
	}
}

enum rg_peer_verdict rg_peers_accept(struct rg_peers *p, uint64_t origin,
		int chan, uint64_t seq, const char *node, const char *addr,
		uint64_t now_ms, uint64_t stale_ms)
{
	struct rg_peer *e;
	enum rg_peer_verdict v = RG_PEER_FULL;

	if(chan < 0 || chan >= RG_PEER_CHANS)
		return RG_PEER_REPLAYED;
	rg_lock(p->lock, 0);
	e = place(p, origin, now_ms, stale_ms);
	if(e != NULL) {
		int t = take_seq(e, chan, seq);

		v = t > 0 ? RG_PEER_TAKEN : (t < 0 ? RG_PEER_JUMP : RG_PEER_REPLAYED);
		if(v == RG_PEER_TAKEN) {
			if(e->taken == 0)
				replace_older(p, e, node);
			e->taken++;
			e->last_ms = now_ms;
			copy(e->node, sizeof(e->node), node);
			copy(e->addr, sizeof(e->addr), addr);
		}
	}
	rg_unlock(p->lock, 0);
	return v;
}

int rg_peers_place(struct rg_peers *p, uint64_t origin, uint32_t *gen)
{
	int i, at = -1;

	rg_lock(p->lock, 0);
	for(i = 0; i < p->n && at < 0; i++) {
		if(p->peer[i].origin == origin) {
			at = i;
			if(gen != NULL)
				*gen = p->peer[i].gen;
		}
	}
	rg_unlock(p->lock, 0);
	return at;
}

void rg_peers_lease(struct rg_peers *p, uint64_t origin, uint64_t until_ms)
{
	int i;

	rg_lock(p->lock, 0);
	for(i = 0; i < p->n; i++) {
		if(p->peer[i].origin == origin && p->peer[i].lease_ms < until_ms)
			p->peer[i].lease_ms = until_ms;
	}
	rg_unlock(p->lock, 0);
}

int rg_peers_members(struct rg_peers *p, uint64_t now_ms, int max,
		uint8_t *places, uint8_t *leased, uint64_t *heard)
{
	int i, j, n = 0;

	rg_lock(p->lock, 0);
	for(i = 0; i < p->n && n < RG_PEERS_MAX; i++) {
		const struct rg_peer *e = &p->peer[i];

		if(e->last_ms == 0 || e->replaced)
			continue;
		/* most recently heard first (few: insertion) */
		for(j = n; j > 0 && heard[j - 1] < e->last_ms; j--) {
			heard[j] = heard[j - 1];
			places[j] = places[j - 1];
			leased[j] = leased[j - 1];
		}
		heard[j] = e->last_ms;
		places[j] = (uint8_t)i;
		leased[j] = e->lease_ms > now_ms;
		n++;
	}
	rg_unlock(p->lock, 0);
	return n < max ? n : max;
}

int rg_peers_new_key(
		struct rg_peers *p, int place, uint64_t now_ms, uint32_t per_min)
{
	struct rg_peer *e;
	uint64_t min = now_ms / 60000;
	int ok = 0;

	if(place < 0 || place >= RG_PEERS_MAX)
		return 0;
	rg_lock(p->lock, 0);
	if(place < p->n) {
		e = &p->peer[place];
		if(e->new_min != min) {
			e->new_min = min;
			e->new_keys = 0;
		}
		if(e->new_keys < per_min) {
			e->new_keys++;
			ok = 1;
		}
	}
	rg_unlock(p->lock, 0);
	return ok;
}

int rg_peers_node_of(
		struct rg_peers *p, uint64_t origin, char *out, size_t size)
{
	int i, rc = -1;

	rg_lock(p->lock, 0);
	for(i = 0; i < p->n && rc < 0; i++) {
		if(p->peer[i].origin == origin) {
			copy(out, size, p->peer[i].node);
			rc = 0;
		}
	}
	rg_unlock(p->lock, 0);
	return rc;
}

int rg_peers_get(struct rg_peers *p, int place, struct rg_peer *out)
{
	int rc = -1;

	rg_lock(p->lock, 0);
	if(place >= 0 && place < p->n) {
		*out = p->peer[place];
		rc = 0;
	}
	rg_unlock(p->lock, 0);
	return rc;
}

int rg_peers_list(struct rg_peers *p, struct rg_peer *out, int max)
{
	struct rg_peer t;
	int i, j, n;

	rg_lock(p->lock, 0);
	n = p->n < max ? p->n : max;
	memcpy(out, p->peer, sizeof(*out) * (size_t)n);
	rg_unlock(p->lock, 0);
	for(i = 1; i < n; i++) { /* few: insertion sort, newest first */
		t = out[i];
		for(j = i; j > 0 && out[j - 1].last_ms < t.last_ms; j--)
			out[j] = out[j - 1];
		out[j] = t;
	}
	return n;
}
