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

/* the window of sequence numbers: 1 when `seq` is new */
static int take_seq(struct rg_peer *e, uint64_t seq)
{
	uint64_t d;

	if(seq > e->max_seq) {
		d = seq - e->max_seq;
		e->seen = d >= 64 ? 0 : e->seen << d;
		e->seen |= 1;
		e->max_seq = seq;
		return 1;
	}
	d = e->max_seq - seq;
	if(d >= 64 || (e->seen & (1ULL << d)))
		return 0;
	e->seen |= 1ULL << d;
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
	int i;

	for(i = 0; i < p->n; i++) {
		if(p->peer[i].origin == origin)
			return &p->peer[i];
		if(old == NULL || p->peer[i].last_ms < old->last_ms)
			old = &p->peer[i];
	}
	if(p->n < RG_PEERS_MAX)
		old = &p->peer[p->n++];
	else if(old == NULL || now_ms - old->last_ms < stale_ms)
		return NULL;
	memset(old, 0, sizeof(*old));
	old->origin = origin;
	old->first_ms = now_ms;
	return old;
}

enum rg_peer_verdict rg_peers_accept(struct rg_peers *p, uint64_t origin,
		uint64_t seq, const char *node, const char *addr, uint64_t now_ms,
		uint64_t stale_ms)
{
	struct rg_peer *e;
	enum rg_peer_verdict v = RG_PEER_FULL;

	rg_lock(p->lock, 0);
	e = place(p, origin, now_ms, stale_ms);
	if(e != NULL) {
		v = take_seq(e, seq) ? RG_PEER_TAKEN : RG_PEER_REPLAYED;
		if(v == RG_PEER_TAKEN) {
			e->taken++;
			e->last_ms = now_ms;
			copy(e->node, sizeof(e->node), node);
			copy(e->addr, sizeof(e->addr), addr);
		}
	}
	rg_unlock(p->lock, 0);
	return v;
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
