/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <string.h>

#include "rg_key.h"
#include "rg_seam.h"
#include "rg_table.h"

#define RG_NIL (-1)
#define RG_MAX_LOCKS 1024u

#define RG_LINE 64u

/* a slot of the table: the container's fields, then the entry's hot part
 * (its cold part is in the table's array of them, at the same index) */
struct rg_slot
{
	uint32_t gen;  /* bumped when freed: invalidates old references */
	int32_t next;  /* bucket chain, or free list when unused */
	uint32_t hash; /* of the key; names the bucket */
	uint8_t used;
	struct rg_entry e;
} __attribute__((aligned(RG_LINE)));

/* a call's lookup, admission and replies touch one slot: 4 cache lines */
_Static_assert(sizeof(struct rg_slot) == (size_t)4 * RG_LINE, "a slot is 4 lines");

struct rg_table
{
	unsigned int capacity;
	unsigned int bucket_mask; /* buckets - 1, a power of two minus one */
	unsigned int lock_mask;	  /* locks - 1; lock index = bucket & mask */
	struct rg_entry_cfg ecfg;
	struct rg_lockset *locks; /* lock_mask + 1 bucket locks, then free */
	int32_t *buckets;
	struct rg_slot *slots; /* in slots_mem, aligned to a cache line */
	void *slots_mem;
	struct rg_entry_cold *colds; /* slot i's cold part: colds[i] */
	int32_t free_head;	  /* under the free lock */
	unsigned int tracked; /* under the free lock */
	uint64_t evictions;	  /* atomics from here on */
	uint64_t refused_full;
	uint64_t refused_key;
	uint64_t stale_refs;
	uint64_t unheld_release;
};

static inline unsigned int free_lock(const struct rg_table *t)
{
	return t->lock_mask + 1;
}

static inline unsigned int lock_of(const struct rg_table *t, uint32_t hash)
{
	return hash & t->bucket_mask & t->lock_mask;
}

static inline void stat_inc(uint64_t *v)
{
	__atomic_add_fetch(v, 1, __ATOMIC_RELAXED);
}

static unsigned int pow2_at_least(unsigned int n)
{
	unsigned int p = 16;

	while(p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

struct rg_table *rg_table_new(const struct rg_table_cfg *cfg)
{
	struct rg_table *t;
	unsigned int nbuckets, nlocks, i;

	if(cfg == NULL || cfg->capacity == 0 || cfg->capacity > (1u << 24)
			|| cfg->window_s == 0)
		return NULL;
	nbuckets = pow2_at_least(cfg->capacity);
	nlocks = nbuckets < RG_MAX_LOCKS ? nbuckets : RG_MAX_LOCKS;

	t = rg_shm_zalloc(sizeof(*t));
	if(t == NULL)
		goto err;
	t->capacity = cfg->capacity;
	t->bucket_mask = nbuckets - 1;
	t->lock_mask = nlocks - 1;
	t->ecfg.slot_ms = rg_window_slot_ms(cfg->window_s);
	t->ecfg.idle_ms = (uint64_t)cfg->idle_s * 1000;
	t->ecfg.health = cfg->health;
	t->ecfg.throttle = cfg->throttle;
	t->ecfg.fail = cfg->fail;
	t->ecfg.kpi = cfg->kpi;
	t->ecfg.kpi.judge = (uint32_t)rg_kpi_cfg_judges(&cfg->kpi);
	t->ecfg.hlc = cfg->hlc;
	t->ecfg.retain_ms = cfg->retain_ms;
	if(cfg->max_blocked_pct > 0 && cfg->max_blocked_pct < 100) {
		t->ecfg.guard = rg_guard_new(cfg->max_blocked_pct);
		if(t->ecfg.guard == NULL)
			goto err_table;
	}

	t->buckets = rg_shm_zalloc(sizeof(int32_t) * nbuckets);
	if(t->buckets == NULL)
		goto err_table;
	t->slots_mem =
			rg_shm_zalloc(sizeof(struct rg_slot) * cfg->capacity + RG_LINE - 1);
	if(t->slots_mem == NULL)
		goto err_buckets;
	t->slots = (struct rg_slot *)(((uintptr_t)t->slots_mem + RG_LINE - 1)
								  & ~(uintptr_t)(RG_LINE - 1));
	t->colds = rg_shm_zalloc(sizeof(struct rg_entry_cold) * cfg->capacity);
	if(t->colds == NULL)
		goto err_slots;
	t->locks = rg_lockset_new(nlocks + 1);
	if(t->locks == NULL)
		goto err_colds;

	for(i = 0; i < nbuckets; i++)
		t->buckets[i] = RG_NIL;
	for(i = 0; i < cfg->capacity; i++) {
		t->slots[i].next = (i + 1 < cfg->capacity) ? (int32_t)(i + 1) : RG_NIL;
		/* set for good: rg_entry_peek() reads it, unlocked, in free slots */
		t->slots[i].e.cold = &t->colds[i];
	}
	t->free_head = 0;
	return t;

err_colds:
	rg_shm_free(t->colds);
err_slots:
	rg_shm_free(t->slots_mem);
err_buckets:
	rg_shm_free(t->buckets);
err_table:
	rg_guard_free(t->ecfg.guard);
	rg_shm_free(t);
err:
	return NULL;
}

void rg_table_set_share(struct rg_table *t, uint32_t share_ppm)
{
	__atomic_store_n(&t->ecfg.throttle.share_ppm, share_ppm, __ATOMIC_RELAXED);
}

void rg_table_free(struct rg_table *t)
{
	if(t == NULL)
		return;
	rg_lockset_free(t->locks);
	rg_guard_free(t->ecfg.guard);
	rg_shm_free(t->colds);
	rg_shm_free(t->slots_mem);
	rg_shm_free(t->buckets);
	rg_shm_free(t);
}

unsigned int rg_table_capacity(const struct rg_table *t)
{
	return t->capacity;
}

/* Take a free slot; the caller holds the bucket lock. RG_NIL when full. */
static int32_t slot_alloc_locked(struct rg_table *t)
{
	int32_t s;

	rg_lock(t->locks, free_lock(t));
	s = t->free_head;
	if(s != RG_NIL) {
		t->free_head = t->slots[s].next;
		t->tracked++;
	}
	rg_unlock(t->locks, free_lock(t));
	return s;
}

/* Return a slot to the free list; the caller holds its bucket lock. */
static void slot_release_locked(struct rg_table *t, int32_t s)
{
	struct rg_slot *sl = &t->slots[s];

	sl->used = 0;
	__atomic_add_fetch(&sl->gen, 1, __ATOMIC_RELEASE);
	rg_lock(t->locks, free_lock(t));
	sl->next = t->free_head;
	t->free_head = s;
	t->tracked--;
	rg_unlock(t->locks, free_lock(t));
}

/*
 * The slot of `key` (hash `h`) in its bucket, added when `create` and
 * new; the caller holds the bucket's lock. RG_NIL with *rc RG_ENOTFOUND
 * or RG_EFULL (counted).
 */
static int32_t find_locked(struct rg_table *t, const char *key, int len,
		uint32_t h, int create, uint64_t now_ms, int *rc)
{
	unsigned int b = h & t->bucket_mask;
	struct rg_slot *sl;
	int32_t s;

	*rc = RG_OK;
	for(s = t->buckets[b]; s != RG_NIL; s = t->slots[s].next) {
		sl = &t->slots[s];
		if(sl->hash == h && rg_entry_key_is(&sl->e, key, len))
			return s;
	}
	if(!create) {
		*rc = RG_ENOTFOUND;
		return RG_NIL;
	}
	s = slot_alloc_locked(t);
	if(s == RG_NIL) {
		stat_inc(&t->refused_full);
		*rc = RG_EFULL;
		return RG_NIL;
	}
	sl = &t->slots[s];
	rg_entry_init(&sl->e, &t->colds[s], &t->ecfg, key, len, now_ms);
	sl->hash = h;
	sl->next = t->buckets[b];
	t->buckets[b] = s;
	sl->used = 1;
	return s;
}

/* what an operation that did not run reports: no change */
static void no_change(struct rg_change *chg)
{
	if(chg != NULL)
		rg_change_none(chg, 0);
}

/* The one sequence every operation runs under the entry's lock. */
static inline int run_locked(struct rg_table *t, uint32_t slot,
		struct rg_op *op, uint64_t now_ms, struct rg_ref *ref,
		struct rg_change *chg)
{
	struct rg_slot *sl = &t->slots[slot];
	int rc;

	if(ref != NULL) {
		ref->slot = slot;
		ref->gen = sl->gen;
	}
	rc = rg_entry_apply(&sl->e, &t->ecfg, op, now_ms, chg);
	if(chg != NULL) {
		chg->ref.slot = slot;
		chg->ref.gen = sl->gen;
		if(rg_change_any(chg) || chg->pub)
			rg_entry_snapshot(&sl->e, &t->ecfg, now_ms, &chg->snap);
	}
	if(rc == RG_ENOHOLD)
		stat_inc(&t->unheld_release);
	return rc;
}

int rg_table_apply_key(struct rg_table *t, const char *key, int len, int create,
		struct rg_op *op, uint64_t now_ms, struct rg_ref *ref,
		struct rg_change *chg)
{
	return rg_table_apply_key_h(t, key, len, rg_key_hash(key, len),
			create, op, now_ms, ref, chg);
}

int rg_table_apply_key_h(struct rg_table *t, const char *key, int len,
		uint32_t h, int create, struct rg_op *op, uint64_t now_ms,
		struct rg_ref *ref, struct rg_change *chg)
{
	unsigned int l = lock_of(t, h);
	int32_t s;
	int rc;

	rg_lock(t->locks, l);
	s = find_locked(t, key, len, h, create, now_ms, &rc);
	if(s != RG_NIL) {
		rc = run_locked(t, (uint32_t)s, op, now_ms, ref, chg);
	} else {
		no_change(chg);
		if(ref != NULL) {
			ref->slot = RG_SLOT_NONE;
			ref->gen = 0;
		}
	}
	rg_unlock(t->locks, l);
	return rc;
}

/*
 * Lock the slot `slot` when it is in use: its lock index in *lock, or -1
 * (nothing held). The bucket is read unlocked, then checked again under
 * its lock: freeing, and reuse under another key, happen under the lock
 * of the bucket the slot was in.
 */
static int slot_lock(struct rg_table *t, struct rg_slot *sl, unsigned int *lock)
{
	if(!__atomic_load_n(&sl->used, __ATOMIC_RELAXED))
		return -1;
	*lock = lock_of(t, __atomic_load_n(&sl->hash, __ATOMIC_RELAXED));
	rg_lock(t->locks, *lock);
	if(!sl->used || lock_of(t, sl->hash) != *lock) {
		rg_unlock(t->locks, *lock);
		return -1;
	}
	return 0;
}

int rg_table_apply(struct rg_table *t, const struct rg_ref *ref,
		struct rg_op *op, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_slot *sl;
	unsigned int l;
	int rc;

	/* names no entry on purpose ($rg after rg_ds_retry_after): not counted */
	if(ref->slot == RG_SLOT_NONE) {
		no_change(chg);
		return RG_ESTALE;
	}
	if(ref->slot >= t->capacity)
		goto stale;
	sl = &t->slots[ref->slot];
	if(slot_lock(t, sl, &l) < 0)
		goto stale;
	/* the generation is bumped under this lock when the slot is freed */
	if(sl->gen != ref->gen) {
		rg_unlock(t->locks, l);
		goto stale;
	}
	rc = run_locked(t, ref->slot, op, now_ms, NULL, chg);
	rg_unlock(t->locks, l);
	return rc;
stale:
	no_change(chg);
	stat_inc(&t->stale_refs);
	return RG_ESTALE;
}

int rg_table_apply_slot(struct rg_table *t, unsigned int slot, struct rg_op *op,
		uint64_t now_ms, struct rg_ref *ref, struct rg_change *chg)
{
	struct rg_slot *sl;
	unsigned int l;
	int rc;

	no_change(chg);
	if(slot >= t->capacity)
		return RG_ENOTFOUND;
	sl = &t->slots[slot];
	if(!rg_entry_peek(&sl->e, &t->ecfg, op->kind, now_ms)
			|| slot_lock(t, sl, &l) < 0)
		return RG_ENOTFOUND;
	rc = run_locked(t, slot, op, now_ms, ref, chg);
	rg_unlock(t->locks, l);
	return rc;
}

int rg_table_read_slot_nolock(
		struct rg_table *t, unsigned int slot, struct rg_op *op, uint64_t now_ms)
{
	struct rg_slot *sl;

	if(slot >= t->capacity || op->kind != RG_OP_SAVE)
		return RG_ENOTFOUND;
	sl = &t->slots[slot];
	if(!sl->used || !rg_entry_peek(&sl->e, &t->ecfg, op->kind, now_ms))
		return RG_ENOTFOUND;
	return rg_entry_apply(&sl->e, &t->ecfg, op, now_ms, NULL);
}

unsigned int rg_table_walk(
		struct rg_table *t, struct rg_op *op, uint64_t now_ms, int free_them)
{
	unsigned int b, l, n = 0, freed = 0;
	int32_t s, *link;
	struct rg_slot *sl;

	for(b = 0; b <= t->bucket_mask; b++) {
		l = b & t->lock_mask;
		rg_lock(t->locks, l);
		link = &t->buckets[b];
		while((s = *link) != RG_NIL) {
			sl = &t->slots[s];
			if(run_locked(t, (uint32_t)s, op, now_ms, NULL, NULL) <= 0) {
				link = &sl->next;
				continue;
			}
			n++;
			if(!free_them) {
				link = &sl->next;
				continue;
			}
			*link = sl->next;
			slot_release_locked(t, s);
			freed++;
		}
		rg_unlock(t->locks, l);
	}
	if(freed)
		__atomic_add_fetch(&t->evictions, freed, __ATOMIC_RELAXED);
	return n;
}

void rg_table_note_bad_key(struct rg_table *t)
{
	stat_inc(&t->refused_key);
}

void rg_table_summary(struct rg_table *t, struct rg_summary *s)
{
	rg_lock(t->locks, free_lock(t));
	s->tracked = t->tracked;
	rg_unlock(t->locks, free_lock(t));
	s->capacity = t->capacity;
	s->evictions = __atomic_load_n(&t->evictions, __ATOMIC_RELAXED);
	s->refused_full = __atomic_load_n(&t->refused_full, __ATOMIC_RELAXED);
	s->refused_key = __atomic_load_n(&t->refused_key, __ATOMIC_RELAXED);
	s->stale_refs = __atomic_load_n(&t->stale_refs, __ATOMIC_RELAXED);
	s->unheld_release = __atomic_load_n(&t->unheld_release, __ATOMIC_RELAXED);
	s->guard_untracked =
			t->ecfg.guard ? rg_guard_untracked(t->ecfg.guard) : 0;
}
