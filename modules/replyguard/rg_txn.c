/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <string.h>

#include "rg_seam.h"
#include "rg_txn.h"

/* slot locks, shared by slots whose places differ by a multiple of it */
#define RG_TXN_LOCKS 256
/* the pool's own lock: the last of the set */
#define POOL_LOCK RG_TXN_LOCKS

struct rg_txn_pool
{
	struct rg_lockset *locks; /* RG_TXN_LOCKS slot locks, then the pool's */
	struct rg_txn *free;	  /* slots not taken */
	struct rg_txn *slots;	  /* all of them, `size` */
	uint32_t size;
	uint32_t in_use;
	uint64_t borrowed;
	uint64_t lent;
	uint64_t failed;
};

struct rg_txn_pool *rg_txn_pool_new(unsigned int n)
{
	struct rg_txn_pool *p = rg_shm_zalloc(sizeof(*p));
	unsigned int i;

	if(p == NULL)
		return NULL;
	p->locks = rg_lockset_new(RG_TXN_LOCKS + 1);
	if(p->locks == NULL)
		goto err;
	if(n > 0) {
		p->slots = rg_shm_zalloc((size_t)n * sizeof(struct rg_txn));
		if(p->slots == NULL)
			goto err;
	}
	p->size = n;
	/* the free list in order, so the first slots taken are the first made */
	for(i = n; i-- > 0;) {
		p->slots[i].id = i;
		p->slots[i].next = p->free;
		p->free = &p->slots[i];
	}
	return p;
err:
	rg_txn_pool_free(p);
	return NULL;
}

void rg_txn_pool_free(struct rg_txn_pool *p)
{
	if(p == NULL)
		return;
	rg_lockset_free(p->locks);
	rg_shm_free(p->slots);
	rg_shm_free(p);
}

struct rg_txn *rg_txn_get(struct rg_txn_pool *p)
{
	struct rg_txn *t;

	rg_lock(p->locks, POOL_LOCK);
	t = p->free;
	if(t != NULL) {
		p->free = t->next;
		p->in_use++;
	}
	rg_unlock(p->locks, POOL_LOCK);
	if(t == NULL) {
		t = rg_shm_zalloc(sizeof(*t));
		rg_lock(p->locks, POOL_LOCK);
		if(t != NULL) {
			p->borrowed++;
			p->lent++;
		} else
			p->failed++;
		rg_unlock(p->locks, POOL_LOCK);
		if(t == NULL)
			return NULL;
		t->id = RG_TXN_BORROWED;
	}
	t->next = NULL;
	t->n = 0;
	t->marks = 0;
	return t;
}

void rg_txn_put(struct rg_txn_pool *p, struct rg_txn *t)
{
	struct rg_txn *next;

	for(; t != NULL; t = next) {
		next = t->next;
		if(t->id == RG_TXN_BORROWED) {
			rg_lock(p->locks, POOL_LOCK);
			p->lent--;
			rg_unlock(p->locks, POOL_LOCK);
			rg_shm_free(t);
			continue;
		}
		rg_lock(p->locks, POOL_LOCK);
		t->next = p->free;
		p->free = t;
		p->in_use--;
		rg_unlock(p->locks, POOL_LOCK);
	}
}

static unsigned int lock_of(const struct rg_txn *t)
{
	uintptr_t a;

	if(t->id != RG_TXN_BORROWED)
		return t->id % RG_TXN_LOCKS;
	a = (uintptr_t)t / sizeof(*t);
	return (unsigned int)(a % RG_TXN_LOCKS);
}

void rg_txn_lock(struct rg_txn_pool *p, const struct rg_txn *t)
{
	rg_lock(p->locks, lock_of(t));
}

void rg_txn_unlock(struct rg_txn_pool *p, const struct rg_txn *t)
{
	rg_unlock(p->locks, lock_of(t));
}

struct rg_txn_rec *rg_txn_find(struct rg_txn *t, int32_t index)
{
	struct rg_txn_it it = {t, 0};
	struct rg_txn_rec *r;

	while((r = rg_txn_next(&it)) != NULL) {
		if(r->index == index)
			return r;
	}
	return NULL;
}

struct rg_txn_rec *rg_txn_add(
		struct rg_txn_pool *p, struct rg_txn *t, int32_t index)
{
	struct rg_txn_rec *r;

	while(t->n == RG_TXN_BRANCHES) {
		if(t->next == NULL) {
			t->next = rg_txn_get(p);
			if(t->next == NULL)
				return NULL;
		}
		t = t->next;
	}
	r = &t->rec[t->n++];
	memset(r, 0, offsetof(struct rg_txn_rec, key));
	r->key[0] = '\0';
	r->index = index;
	return r;
}

void rg_txn_pool_stats(struct rg_txn_pool *p, struct rg_txn_stats *st)
{
	rg_lock(p->locks, POOL_LOCK);
	st->size = p->size;
	st->in_use = p->in_use;
	st->borrowed = p->borrowed;
	st->lent = p->lent;
	st->failed = p->failed;
	rg_unlock(p->locks, POOL_LOCK);
}
