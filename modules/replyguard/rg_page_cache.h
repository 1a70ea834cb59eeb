/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The last rendered page of one kind, in shared memory, for a short
 * while: a scrape storm costs one walk of the table, not one per request.
 * The page is built under the cache's lock, so requests that come while
 * it is built wait for it and are served the same page; it is sent with
 * no lock held (each holder counted, the last one frees it).
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

/* a page; read-only to those who hold it */
struct rg_page
{
	char *body; /* shm */
	size_t len;
	int refs; /* its holders (the cache's lock) */
};

/*
 * A page built less than `max_ms` ago, held for the caller (a hit; give
 * it back with rg_page_cache_release()), or NULL with the cache LOCKED:
 * the caller builds one and hands it to rg_page_cache_put(), which
 * unlocks. So requests that come while a page is built wait for it, and
 * no lock is held while a page is sent.
 */
const struct rg_page *rg_page_cache_get(
		struct rg_page_cache *c, uint64_t now_ms, uint64_t max_ms);

/*
 * (locked) Keep `body` (shm, `len` bytes; the cache frees it; NULL: the
 * build failed) as built at `now_ms`, instead of the one before, which is
 * freed when its last holder gives it back; counted as a build. Unlocks.
 * The page, held for the caller, or NULL.
 */
const struct rg_page *rg_page_cache_put(
		struct rg_page_cache *c, char *body, size_t len, uint64_t now_ms);

/* Give back a page from rg_page_cache_get() or _put() (NULL: nothing). */
void rg_page_cache_release(struct rg_page_cache *c, const struct rg_page *page);

/* Add `c`'s figures to `st`. */
void rg_page_cache_stats(struct rg_page_cache *c, struct rg_page_cache_stats *st);

#endif
