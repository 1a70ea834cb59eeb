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

/* set `tag`, added when new and `add`; NULL when absent or no room */
static struct rg_gset *find(struct rg_guard *g, int32_t tag, int add)
{
	uint32_t i, h = (uint32_t)tag * 2654435761u;
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
	} else if(!s->full && s->blocked > 0) {
		s->full = 1;
		if(note != NULL && note->full < 0)
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

/* take the footprint out of the counts */
static void drop_locked(struct rg_guard *g, struct rg_guard_fp *fp,
		struct rg_gset **t, int *nt)
{
	struct rg_gset *s;
	int i;

	for(i = 0; i < fp->n; i++) {
		s = find(g, fp->tags[i], 0);
		if(s == NULL)
			continue;
		if(s->members > 0)
			s->members--;
		if(fp->down && s->blocked > 0)
			s->blocked--;
		touch(t, nt, s);
	}
	fp->n = 0;
}

/* count the entry with the sets of `es`, `down` or not */
static void add_locked(struct rg_guard *g, struct rg_guard_fp *fp,
		const struct rg_ext_set *es, int down, struct rg_gset **t, int *nt)
{
	struct rg_gset *s;
	int i, j, dup;

	fp->down = down != 0;
	fp->gen = es->gen;
	for(i = 0; i < es->npairs; i++) {
		dup = 0;
		for(j = 0; j < fp->n; j++)
			dup |= fp->tags[j] == es->pairs[i].tag;
		if(dup)
			continue;
		s = find(g, es->pairs[i].tag, 1);
		if(s == NULL) {
			g->untracked++;
			continue;
		}
		s->members++;
		s->blocked += fp->down;
		fp->tags[fp->n++] = s->tag;
		touch(t, nt, s);
	}
}

static void judge_all(struct rg_guard *g, struct rg_gset **t, int nt,
		struct rg_guard_note *note)
{
	int i;

	for(i = 0; i < nt; i++)
		judge(g, t[i], note);
}

void rg_guard_sync(struct rg_guard *g, struct rg_guard_fp *fp,
		const struct rg_ext_set *es, int down, struct rg_guard_note *note)
{
	struct rg_gset *t[TOUCH_MAX];
	int nt = 0;

	rg_lock(g->lock, 0);
	drop_locked(g, fp, t, &nt);
	add_locked(g, fp, es, down, t, &nt);
	judge_all(g, t, nt, note);
	rg_unlock(g->lock, 0);
}

int rg_guard_try_block(struct rg_guard *g, struct rg_guard_fp *fp,
		const struct rg_ext_set *es, struct rg_guard_note *note)
{
	struct rg_gset *t[TOUCH_MAX], *s;
	int i, nt = 0, ok = 1;

	rg_lock(g->lock, 0);
	if(rg_guard_stale(fp, es, fp->down)) {
		drop_locked(g, fp, t, &nt);
		add_locked(g, fp, es, fp->down, t, &nt);
	}
	for(i = 0; i < fp->n && !fp->down; i++) {
		s = find(g, fp->tags[i], 0);
		if(s != NULL && over(g, s)) {
			ok = 0;
			note->held = s->tag;
			if(!s->full) { /* the limit is reached by this very block */
				s->full = 1;
				if(note->full < 0)
					note->full = s->tag;
			}
			break;
		}
	}
	if(ok && !fp->down) {
		fp->down = 1;
		for(i = 0; i < fp->n; i++) {
			s = find(g, fp->tags[i], 0);
			if(s == NULL)
				continue;
			s->blocked++;
			touch(t, &nt, s);
		}
	}
	judge_all(g, t, nt, note);
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
	judge_all(g, t, nt, NULL);
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
