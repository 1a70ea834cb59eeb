/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The last rendered page of one kind, in shared memory, for a short
 * while: a scrape storm costs one walk of the table, not one per request.
 * The page is built under the cache's lock, so requests that come while
 * it is built wait for it and are served the same page.
 */
#ifndef RG_PAGE_CACHE_H
#define RG_PAGE_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct rg_page_cache;

struct rg_page_cache_stats
{
	uint64_t builds; /* pages built (table walks) */
	uint64_t hits;	 /* requests served a cached page */
};

/* An empty cache in shared memory, or NULL (no memory). */
struct rg_page_cache *rg_page_cache_new(void);
void rg_page_cache_free(struct rg_page_cache *c);

/*
 * Lock `c`, and say whether it holds a page built less than `max_ms` ago
 * (1, with `*page` and `*len`, valid until the unlock; counted as a hit)
 * or not (0: build one, rg_page_cache_put() it, then unlock).
 */
int rg_page_cache_lock(struct rg_page_cache *c, uint64_t now_ms,
		uint64_t max_ms, const char **page, size_t *len);

/* (locked) Keep `page` (shm, `len` bytes; the cache frees it) as built at
 * `now_ms`, instead of the one before; counted as a build. */
void rg_page_cache_put(
		struct rg_page_cache *c, char *page, size_t len, uint64_t now_ms);

void rg_page_cache_unlock(struct rg_page_cache *c);

/* Add `c`'s figures to `st`. */
void rg_page_cache_stats(struct rg_page_cache *c, struct rg_page_cache_stats *st);

#endif
