/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_guard.h"
#include "rg_seam.h"

struct rg_gset
{
	int32_t tag;
	uint8_t used;
	uint8_t full; /* reached its limit, reported once */
	uint32_t members;
	uint32_t blocked;
};

struct rg_guard
{
	struct rg_lockset *lock;
	unsigned int pct;
	uint64_t untracked;
	struct rg_gset sets[RG_GUARD_SETS];
};

/* at most this many sets change in one call: the old and the new ones */
#define TOUCH_MAX (2 * RG_EXT_PAIRS)

struct rg_guard *rg_guard_new(unsigned int pct)
{
	struct rg_guard *g = rg_shm_zalloc(sizeof(*g));

	if(g == NULL)
		return NULL;
	g->lock = rg_lockset_new(1);
	if(g->lock == NULL) {
		rg_shm_free(g);
		return NULL;
	}
	g->pct = pct;
	return g;
}

void rg_guard_free(struct rg_guard *g)
{
	if(g == NULL)
		return;
	rg_lockset_free(g->lock);
	rg_shm_free(g);
}

static uint32_t home(int32_t tag)
{
	return ((uint32_t)tag * 2654435761u) % RG_GUARD_SETS;
}

/* set `tag`, added when new and `add`; NULL when absent or no room */
static struct rg_gset *find(struct rg_guard *g, int32_t tag, int add)
{
	uint32_t i, h = home(tag);
	struct rg_gset *s;

	for(i = 0; i < RG_GUARD_SETS; i++) {
		s = &g->sets[(h + i) % RG_GUARD_SETS];
		if(s->used && s->tag == tag)
			return s;
		if(!s->used) {
			if(!add)
				return NULL;
			s->used = 1;
			s->tag = tag;
			return s;
		}
	}
	return NULL;
}

/* a set with no member left frees its place (linear probing: the sets
 * after it that would not be found past the hole move back) */
static void forget(struct rg_guard *g, int32_t tag)
{
	uint32_t i, j, k, n;
	struct rg_gset *s = find(g, tag, 0);

	if(s == NULL || s->members != 0)
		return;
	i = (uint32_t)(s - g->sets);
	/* at most once round: a full table has no empty place to stop at */
	for(n = 1, j = (i + 1) % RG_GUARD_SETS;
			n < RG_GUARD_SETS && g->sets[j].used;
			n++, j = (j + 1) % RG_GUARD_SETS) {
		k = home(g->sets[j].tag);
		/* does k lie cyclically in (i, j]? then the set stays */
		if(i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		g->sets[i] = g->sets[j];
		i = j;
	}
	memset(&g->sets[i], 0, sizeof(g->sets[i]));
}

/* would one more block leave more than pct percent of the set blocked? */
static int over(const struct rg_guard *g, const struct rg_gset *s)
{
	return ((uint64_t)s->blocked + 1) * 100 > (uint64_t)g->pct * s->members;
}

/* report a set that has just reached its limit (with a block in it) */
static void judge(struct rg_guard *g, struct rg_gset *s,
		struct rg_guard_note *note)
{
	if(!over(g, s)) {
		s->full = 0;
	} else if(!s->full && s->blocked > 0 && note != NULL
			  && note->full < 0) {
		/* one set reported per operation: another one is next time */
		s->full = 1;
		note->full = s->tag;
	}
}

static void touch(struct rg_gset **t, int *nt, struct rg_gset *s)
{
	int i;

	for(i = 0; i < *nt; i++) {
		if(t[i] == s)
			return;
	}
	if(*nt < TOUCH_MAX)
		t[(*nt)++] = s;
}

/* the set of the footprint's i-th tag, when the guard counts it there */
static struct rg_gset *counted(
		struct rg_guard *g, const struct rg_guard_fp *fp, int i)
{
	return (fp->tracked & (1u << i)) ? find(g, fp->tags[i], 0) : NULL;
}

/* take the footprint out of the counts */
static void drop_locked(struct rg_guard *g, struct rg_guard_fp *fp,
		struct rg_gset **t, int *nt)
{
	struct rg_gset *s;
	int i;

	for(i = 0; i < fp->n; i++) {
		s = counted(g, fp, i);
		if(s == NULL)
			continue;
		if(s->members > 0)
			s->members--;
		if(fp->down && s->blocked > 0)
			s->blocked--;
		touch(t, nt, s);
	}
	fp->n = 0;
	fp->tracked = 0;
}

static int has_tag(const int32_t *tags, int n, int32_t tag)
{
	int i;

	for(i = 0; i < n; i++) {
		if(tags[i] == tag)
			return 1;
	}
	return 0;
}

/* count the entry with the sets of `es`, `down` or not; `old` (`nold`)
 * are the sets counted before, so a set with no room counts once */
static void add_locked(struct rg_guard *g, struct rg_guard_fp *fp,
		const struct rg_ext_set *es, int down, const int32_t *old, int nold,
		struct rg_gset **t, int *nt)
{
	struct rg_gset *s;
	int32_t tag;
	int i;

	fp->down = down != 0;
	fp->gen = es->gen;
	for(i = 0; i < es->npairs; i++) {
		tag = es->pairs[i].tag;
		if(has_tag(fp->tags, fp->n, tag))
			continue;
		s = find(g, tag, 1);
		fp->tags[fp->n++] = tag; /* kept even when untracked */
		if(s == NULL) {
			if(!has_tag(old, nold, tag))
				g->untracked++;
			continue;
		}
		fp->tracked |= (uint8_t)(1u << (fp->n - 1));
		s->members++;
		s->blocked += fp->down;
		touch(t, nt, s);
	}
}

/* judge the sets touched, then free those with no member left */
static void settle(struct rg_guard *g, struct rg_gset **t, int nt,
		struct rg_guard_note *note)
{
	int32_t gone[TOUCH_MAX];
	int i, ngone = 0;

	for(i = 0; i < nt; i++) {
		judge(g, t[i], note);
		if(t[i]->members == 0)
			gone[ngone++] = t[i]->tag;
	}
	for(i = 0; i < ngone; i++)
		forget(g, gone[i]);
}

/* recount the entry: out with the old footprint, in with the new */
static void resync_locked(struct rg_guard *g, struct rg_guard_fp *fp,
		const struct rg_ext_set *es, int down, struct rg_gset **t, int *nt)
{
	int32_t old[RG_EXT_PAIRS];
	int nold = fp->n;

	memcpy(old, fp->tags, sizeof(old));
	drop_locked(g, fp, t, nt);
	add_locked(g, fp, es, down, old, nold, t, nt);
}

void rg_guard_sync(struct rg_guard *g, struct rg_guard_fp *fp,
		const struct rg_ext_set *es, int down, struct rg_guard_note *note)
{
	struct rg_gset *t[TOUCH_MAX];
	int nt = 0;

	rg_lock(g->lock, 0);
	resync_locked(g, fp, es, down, t, &nt);
	settle(g, t, nt, note);
	rg_unlock(g->lock, 0);
}

int rg_guard_try_block(struct rg_guard *g, struct rg_guard_fp *fp,
		const struct rg_ext_set *es, struct rg_guard_note *note)
{
	struct rg_gset *t[TOUCH_MAX], *s;
	int i, nt = 0, ok = 1;

	rg_lock(g->lock, 0);
	if(rg_guard_stale(fp, es, fp->down))
		resync_locked(g, fp, es, fp->down, t, &nt);
	for(i = 0; i < fp->n && !fp->down; i++) {
		s = counted(g, fp, i);
		if(s != NULL && over(g, s)) {
			ok = 0;
			note->held = s->tag;
			if(!s->full && note->full < 0) {
				/* the limit is reached by this very block */
				s->full = 1;
				note->full = s->tag;
			}
			break;
		}
	}
	if(ok && !fp->down) {
		fp->down = 1;
		for(i = 0; i < fp->n; i++) {
			s = counted(g, fp, i);
			if(s == NULL)
				continue;
			s->blocked++;
			touch(t, &nt, s);
		}
	}
	settle(g, t, nt, note);
	rg_unlock(g->lock, 0);
	return ok;
}

void rg_guard_leave(struct rg_guard *g, struct rg_guard_fp *fp)
{
	struct rg_gset *t[TOUCH_MAX];
	int nt = 0;

	rg_lock(g->lock, 0);
	drop_locked(g, fp, t, &nt);
	fp->down = 0;
	settle(g, t, nt, NULL);
	rg_unlock(g->lock, 0);
}

int rg_guard_set(struct rg_guard *g, int tag, unsigned int *members,
		unsigned int *blocked)
{
	struct rg_gset *s;
	int rc = -1;

	rg_lock(g->lock, 0);
	s = find(g, tag, 0);
	if(s != NULL) {
		*members = s->members;
		*blocked = s->blocked;
		rc = 0;
	}
	rg_unlock(g->lock, 0);
	return rc;
}

uint64_t rg_guard_untracked(struct rg_guard *g)
{
	uint64_t n;

	rg_lock(g->lock, 0);
	n = g->untracked;
	rg_unlock(g->lock, 0);
	return n;
}
