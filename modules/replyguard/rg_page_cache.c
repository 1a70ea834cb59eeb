/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "core/locking.h"
#include "core/mem/shm_mem.h"

#include "rg_page_cache.h"

struct rg_page_cache
{
	gen_lock_t lock;
	struct rg_page *page; /* the newest, or NULL; the cache holds a ref */
	uint64_t at_ms;		  /* when it was built */
	uint64_t builds;
	uint64_t hits;
};

struct rg_page_cache *rg_page_cache_new(void)
{
	struct rg_page_cache *c = shm_mallocxz(sizeof(*c));

	if(c == NULL)
		return NULL;
	if(lock_init(&c->lock) == NULL) {
		shm_free(c);
		return NULL;
	}
	return c;
}

/* (locked) one holder less: the last frees it */
static void unref(struct rg_page *p)
{
	if(--p->refs > 0)
		return;
	shm_free(p->body);
	shm_free(p);
}

void rg_page_cache_free(struct rg_page_cache *c)
{
	if(c == NULL)
		return;
	if(c->page)
		unref(c->page);
	lock_destroy(&c->lock);
	shm_free(c);
}

const struct rg_page *rg_page_cache_get(
		struct rg_page_cache *c, uint64_t now_ms, uint64_t max_ms)
{
	struct rg_page *p;

	lock_get(&c->lock);
	p = c->page;
	/* (a clock read before the build is as fresh as it) */
	if(p == NULL || max_ms == 0
			|| (now_ms > c->at_ms && now_ms - c->at_ms >= max_ms))
		return NULL; /* still locked: the caller builds */
	c->hits++;
	p->refs++;
	lock_release(&c->lock);
	return p;
}

const struct rg_page *rg_page_cache_put(
		struct rg_page_cache *c, char *body, size_t len, uint64_t now_ms)
{
	struct rg_page *p = NULL;

	if(body != NULL && (p = shm_malloc(sizeof(*p))) == NULL)
		shm_free(body);
	if(p != NULL) {
		p->body = body;
		p->len = len;
		p->refs = 2; /* the cache's and the caller's */
		if(c->page)
			unref(c->page);
		c->page = p;
		c->at_ms = now_ms;
		c->builds++;
	}
	lock_release(&c->lock);
	return p;
}

void rg_page_cache_release(struct rg_page_cache *c, const struct rg_page *page)
{
	if(page == NULL)
		return;
	lock_get(&c->lock);
	unref((struct rg_page *)page);
	lock_release(&c->lock);
}

void rg_page_cache_stats(struct rg_page_cache *c, struct rg_page_cache_stats *st)
{
	if(c == NULL)
		return;
	lock_get(&c->lock);
	st->builds += c->builds;
	st->hits += c->hits;
	lock_release(&c->lock);
}
