/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "core/locking.h"
#include "core/mem/shm_mem.h"

#include "rg_page_cache.h"

struct rg_page_cache
{
	gen_lock_t lock;
	char *page; /* shm, or NULL */
	size_t len;
	uint64_t at_ms; /* when it was built */
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

void rg_page_cache_free(struct rg_page_cache *c)
{
	if(c == NULL)
		return;
	if(c->page)
		shm_free(c->page);
	lock_destroy(&c->lock);
	shm_free(c);
}

int rg_page_cache_lock(struct rg_page_cache *c, uint64_t now_ms,
		uint64_t max_ms, const char **page, size_t *len)
{
	lock_get(&c->lock);
	/* (a clock read before the build is as fresh as it) */
	if(c->page == NULL || max_ms == 0
			|| (now_ms > c->at_ms && now_ms - c->at_ms >= max_ms))
		return 0;
	c->hits++;
	*page = c->page;
	*len = c->len;
	return 1;
}

void rg_page_cache_put(
		struct rg_page_cache *c, char *page, size_t len, uint64_t now_ms)
{
	if(c->page)
		shm_free(c->page);
	c->page = page;
	c->len = len;
	c->at_ms = now_ms;
	c->builds++;
}

void rg_page_cache_unlock(struct rg_page_cache *c)
{
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
