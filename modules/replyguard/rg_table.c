/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_seam.h"
#include "rg_table.h"
#include "rg_window.h"

#define RG_NIL (-1)
#define RG_MAX_LOCKS 1024u

struct rg_entry
{
	uint32_t gen;  /* bumped when freed: invalidates old references */
	int32_t next;  /* bucket chain, or free list when unused */
	uint32_t hash; /* of the key; names the bucket */
	uint8_t used;
	uint8_t key_len;
	char key[RG_KEY_MAX + 1];
	uint64_t last_ms; /* last admission or reply */
	uint64_t warn_ms; /* last log line about it */
	uint64_t ctr[RG_C_COUNT];
	uint64_t pdd_sum_ms;
	uint64_t pdd_n;
	uint32_t pdd_max_ms;
	struct rg_health health;
	struct rg_throttle thr;
	struct rg_ext_pair ext_pairs[RG_EXT_PAIRS];
	uint8_t ext_npairs;
	uint8_t ext_inactive; /* pairs marked inactive */
	uint8_t ext_len[RG_EXT_NAMES];
	char ext_names[RG_EXT_NAMES][RG_KEY_MAX + 1];
	struct rg_window win;
};

struct rg_table
{
	unsigned int capacity;
	unsigned int bucket_mask; /* buckets - 1, a power of two minus one */
	unsigned int lock_mask;	  /* locks - 1; lock index = bucket & mask */
	uint64_t slot_ms;		  /* window slot width */
	uint64_t idle_ms;
	struct rg_health_cfg hcfg;
	struct rg_throttle_cfg tcfg;
	struct rg_lockset *locks; /* lock_mask + 1 bucket locks, then free */
	int32_t *buckets;
	struct rg_entry *entries;
	int32_t free_head;		  /* under the free lock */
	unsigned int tracked;	  /* under the free lock */
	uint64_t evictions;		  /* atomics from here on */
	uint64_t refused_full;
	uint64_t refused_key;
	uint64_t stale_refs;
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

/* FNV-1a: short keys, no allocation, good enough spread for a mask */
static uint32_t hash_key(const char *key, int len)
{
	uint32_t h = 2166136261u;
	int i;

	for(i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 16777619u;
	}
	return h;
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
	t->slot_ms = rg_window_slot_ms(cfg->window_s);
	t->idle_ms = (uint64_t)cfg->idle_s * 1000;
	t->hcfg = cfg->health;
	t->tcfg = cfg->throttle;

	t->buckets = rg_shm_zalloc(sizeof(int32_t) * nbuckets);
	if(t->buckets == NULL)
		goto err_table;
	t->entries = rg_shm_zalloc(sizeof(struct rg_entry) * cfg->capacity);
	if(t->entries == NULL)
		goto err_buckets;
	t->locks = rg_lockset_new(nlocks + 1);
	if(t->locks == NULL)
		goto err_entries;

	for(i = 0; i < nbuckets; i++)
		t->buckets[i] = RG_NIL;
	for(i = 0; i < cfg->capacity; i++)
		t->entries[i].next = (i + 1 < cfg->capacity) ? (int32_t)(i + 1)
													 : RG_NIL;
	t->free_head = 0;
	return t;

err_entries:
	rg_shm_free(t->entries);
err_buckets:
	rg_shm_free(t->buckets);
err_table:
	rg_shm_free(t);
err:
	return NULL;
}

void rg_table_free(struct rg_table *t)
{
	if(t == NULL)
		return;
	rg_lockset_free(t->locks);
	rg_shm_free(t->entries);
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
		t->free_head = t->entries[s].next;
		t->tracked++;
	}
	rg_unlock(t->locks, free_lock(t));
	return s;
}

/* Return a slot to the free list; the caller holds its bucket lock. */
static void slot_release_locked(struct rg_table *t, int32_t s)
{
	struct rg_entry *e = &t->entries[s];

	e->used = 0;
	__atomic_add_fetch(&e->gen, 1, __ATOMIC_RELEASE);
	rg_lock(t->locks, free_lock(t));
	e->next = t->free_head;
	t->free_head = s;
	t->tracked--;
	rg_unlock(t->locks, free_lock(t));
}

/*
 * The entry for `key` (hash `h`) in its bucket, added when `create` and
 * new; the caller holds the bucket's lock. NULL with *rc RG_ENOTFOUND or
 * RG_EFULL (counted).
 */
static struct rg_entry *find_locked(struct rg_table *t, const char *key,
		int len, uint32_t h, int create, uint64_t now_ms, int *rc)
{
	unsigned int b = h & t->bucket_mask;
	struct rg_entry *e;
	uint32_t gen;
	int32_t s;

	*rc = RG_OK;
	for(s = t->buckets[b]; s != RG_NIL; s = t->entries[s].next) {
		e = &t->entries[s];
		if(e->hash == h && e->key_len == len
				&& memcmp(e->key, key, (size_t)len) == 0)
			return e;
	}
	if(!create) {
		*rc = RG_ENOTFOUND;
		return NULL;
	}
	s = slot_alloc_locked(t);
	if(s == RG_NIL) {
		stat_inc(&t->refused_full);
		*rc = RG_EFULL;
		return NULL;
	}
	e = &t->entries[s];
	/* wipe all but the generation, which must keep counting */
	gen = e->gen;
	memset(e, 0, sizeof(*e));
	e->gen = gen;
	e->hash = h;
	e->key_len = (uint8_t)len;
	memcpy(e->key, key, (size_t)len);
	e->last_ms = now_ms;
	rg_throttle_init(&e->thr, &t->tcfg);
	e->next = t->buckets[b];
	t->buckets[b] = s;
	e->used = 1;
	return e;
}

static void ref_of(const struct rg_table *t, const struct rg_entry *e,
		struct rg_ref *ref)
{
	ref->slot = (uint32_t)(e - t->entries);
	ref->gen = e->gen;
}

int rg_table_lookup(struct rg_table *t, const char *key, int len, int create,
		uint64_t now_ms, struct rg_ref *ref)
{
	uint32_t h = hash_key(key, len);
	unsigned int l = lock_of(t, h);
	struct rg_entry *e;
	int rc;

	rg_lock(t->locks, l);
	e = find_locked(t, key, len, h, create, now_ms, &rc);
	if(e != NULL)
		ref_of(t, e, ref);
	rg_unlock(t->locks, l);
	return rc;
}

/*
 * Lock the entry `ref` names and return it, or NULL (nothing held) when
 * the reference is stale. The generation is read under the lock of the
 * bucket the entry was in when the reference was taken; freeing bumps it
 * under that same lock, so a match proves the entry is still ours.
 */
static struct rg_entry *entry_lock(
		struct rg_table *t, const struct rg_ref *ref, unsigned int *lock)
{
	struct rg_entry *e;

	if(ref->slot >= t->capacity)
		return NULL;
	e = &t->entries[ref->slot];
	*lock = lock_of(t, __atomic_load_n(&e->hash, __ATOMIC_RELAXED));
	rg_lock(t->locks, *lock);
	if(!e->used || e->gen != ref->gen
			|| lock_of(t, e->hash) != *lock) {
		rg_unlock(t->locks, *lock);
		stat_inc(&t->stale_refs);
		return NULL;
	}
	return e;
}

static void count_locked(struct rg_table *t, struct rg_entry *e,
		enum rg_counter c, uint32_t n, uint64_t now_ms)
{
	e->ctr[c] += n;
	rg_window_add(&e->win, t->slot_ms, now_ms, c, n);
}

static void snapshot_locked(const struct rg_table *t,
		const struct rg_entry *e, uint64_t now_ms, struct rg_snapshot *s);

/* Report `ev` and `tev` with a snapshot taken under the lock still held. */
static void change_locked(const struct rg_table *t, const struct rg_entry *e,
		enum rg_event ev, enum rg_tevent tev, uint64_t now_ms,
		struct rg_change *chg)
{
	ref_of(t, e, &chg->ref);
	chg->ev = ev;
	chg->tev = tev;
	if(ev != RG_EV_NONE || tev != RG_TEV_NONE)
		snapshot_locked(t, e, now_ms, &chg->snap);
}

static void no_change(struct rg_change *chg)
{
	chg->ev = RG_EV_NONE;
	chg->tev = RG_TEV_NONE;
	chg->old_state = NULL;
	chg->code = 0;
	chg->retry_after = -1;
}

/* The state before this call's transitions: under the entry's lock. */
static void before_locked(const struct rg_entry *e, struct rg_change *chg)
{
	chg->old_state = rg_state_name((enum rg_state)e->health.state);
}

static int has_tag_locked(const struct rg_entry *e, int tag)
{
	int i;

	for(i = 0; i < e->ext_npairs; i++) {
		if(e->ext_pairs[i].tag == tag)
			return 1;
	}
	return 0;
}

static void count_inactive_locked(struct rg_entry *e)
{
	int i, n = 0;

	for(i = 0; i < e->ext_npairs; i++)
		n += e->ext_pairs[i].inactive != 0;
	e->ext_inactive = (uint8_t)n;
}

/* drop pair `i`, and its name when no other pair uses it */
static void drop_pair_locked(struct rg_entry *e, int i)
{
	int j, name = e->ext_pairs[i].name;

	for(j = i; j + 1 < e->ext_npairs; j++)
		e->ext_pairs[j] = e->ext_pairs[j + 1];
	e->ext_npairs--;
	for(j = 0; j < e->ext_npairs; j++) {
		if(e->ext_pairs[j].name == name)
			return;
	}
	e->ext_len[name] = 0;
	e->ext_names[name][0] = '\0';
}

static void set_name_locked(struct rg_entry *e, int i, const struct rg_ext *x)
{
	e->ext_len[i] = (uint8_t)x->len;
	memcpy(e->ext_names[i], x->name, (size_t)x->len);
	e->ext_names[i][x->len] = '\0';
}

/* the index of name `x`, added when new and there is room; -1 if not */
static int ext_name_locked(struct rg_entry *e, const struct rg_ext *x)
{
	int i, j, pinned;

	for(i = 0; i < RG_EXT_NAMES; i++) {
		if(e->ext_len[i] == x->len
				&& memcmp(e->ext_names[i], x->name, (size_t)x->len) == 0)
			return i;
	}
	for(i = 0; i < RG_EXT_NAMES && e->ext_len[i] != 0; i++)
		;
	if(i == RG_EXT_NAMES) {
		/* every name in use: free one none of whose pairs is inactive */
		for(i = 0; i < RG_EXT_NAMES; i++) {
			pinned = 0;
			for(j = 0; j < e->ext_npairs; j++)
				pinned |= e->ext_pairs[j].name == i
						  && e->ext_pairs[j].inactive;
			if(!pinned)
				break;
		}
		if(i == RG_EXT_NAMES)
			return -1;
		for(j = e->ext_npairs - 1; j >= 0; j--) {
			if(e->ext_pairs[j].name == i)
				drop_pair_locked(e, j);
		}
	}
	set_name_locked(e, i, x);
	return i;
}

static void set_ext_locked(struct rg_entry *e, const struct rg_ext *x)
{
	int i, n;

	if(x->len <= 0 || x->len > RG_KEY_MAX)
		return;
	n = ext_name_locked(e, x);
	if(n < 0)
		return;
	for(i = 0; i < e->ext_npairs; i++) {
		if(e->ext_pairs[i].tag == x->tag && e->ext_pairs[i].name == n)
			return;
	}
	if(e->ext_npairs == RG_EXT_PAIRS) {
		/* the oldest pair that is not waiting to be made active again */
		for(i = 0; i < e->ext_npairs && e->ext_pairs[i].inactive; i++)
			;
		if(i == e->ext_npairs)
			return;
		drop_pair_locked(e, i);
		if(e->ext_len[n] == 0) /* that was its name's last pair */
			set_name_locked(e, n, x);
	}
	e->ext_pairs[e->ext_npairs].tag = x->tag;
	e->ext_pairs[e->ext_npairs].name = (uint8_t)n;
	e->ext_pairs[e->ext_npairs].inactive = 0;
	e->ext_pairs[e->ext_npairs].gone = 0;
	e->ext_npairs++;
}

int rg_table_admit(struct rg_table *t, const char *key, int len,
		const struct rg_ext *ext, uint64_t now_ms, struct rg_admission *out,
		struct rg_change *chg)
{
	static const enum rg_counter verdict_ctr[3] = {
			RG_C_ATTEMPTS, RG_C_REJ_BLOCKED, RG_C_REJ_THROTTLED};
	uint32_t h = hash_key(key, len);
	unsigned int l = lock_of(t, h);
	struct rg_entry *e;
	enum rg_event ev;
	enum rg_tevent tev = RG_TEV_NONE;
	int rc;

	no_change(chg);
	out->retry_after = 0;
	out->held = 0;
	out->trial = 0;
	rg_lock(t->locks, l);
	e = find_locked(t, key, len, h, 1, now_ms, &rc);
	if(e == NULL) {
		rg_unlock(t->locks, l);
		return rc;
	}
	ref_of(t, e, &out->ref);
	if(ext != NULL)
		set_ext_locked(e, ext);
	before_locked(e, chg);
	rc = rg_health_admit(&e->health, &t->hcfg, now_ms, &out->retry_after,
			&out->trial, &ev);
	if(rc == RG_ADMITTED) {
		rc = rg_throttle_admit(&e->thr, &t->tcfg, now_ms, &out->retry_after,
				&out->held, &tev);
		if(rc != RG_ADMITTED) {
			rg_health_untrial(&e->health, out->trial);
			out->trial = 0;
		}
	}
	count_locked(t, e, verdict_ctr[rc == RG_ADMITTED ? 0 : -rc], 1, now_ms);
	e->last_ms = now_ms;
	change_locked(t, e, ev, tev, now_ms, chg);
	rg_unlock(t->locks, l);
	return rc;
}

/* The counters one reply adds to; returns how many were written. */
static int reply_counters(const struct rg_reply *r, enum rg_counter out[4])
{
	int n = 0;

	if(r->code == 180)
		out[n++] = RG_C_R180;
	else if(r->code == 183) {
		out[n++] = RG_C_R183;
		if(r->has_sdp)
			out[n++] = RG_C_R183_SDP;
	} else if(r->code >= 200 && r->code < 300)
		out[n++] = RG_C_R2XX;
	else if(r->code >= 300 && r->code < 400)
		out[n++] = RG_C_R3XX;
	else if(r->code >= 400 && r->code < 500)
		out[n++] = RG_C_R4XX;
	else if(r->code >= 500 && r->code < 600) {
		out[n++] = RG_C_R5XX;
		if(r->code == 503) {
			out[n++] = RG_C_R503;
			if(r->retry_after >= 0)
				out[n++] = RG_C_R503_RA;
		}
	} else if(r->code >= 600 && r->code < 700)
		out[n++] = RG_C_R6XX;
	return n;
}

int rg_table_reply(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_reply *r, uint64_t now_ms, struct rg_change *chg)
{
	enum rg_counter cs[4];
	enum rg_event ev = RG_EV_NONE;
	enum rg_tevent tev = RG_TEV_NONE;
	struct rg_entry *e;
	unsigned int l;
	int i, n;

	no_change(chg);
	n = reply_counters(r, cs);
	e = entry_lock(t, ref, &l);
	if(e == NULL)
		return RG_ESTALE;
	before_locked(e, chg);
	chg->code = r->code;
	chg->retry_after = r->retry_after;
	for(i = 0; i < n; i++)
		count_locked(t, e, cs[i], 1, now_ms);
	if(r->pdd_ms >= 0) {
		uint32_t pdd = r->pdd_ms > UINT32_MAX ? UINT32_MAX
											   : (uint32_t)r->pdd_ms;
		e->pdd_sum_ms += pdd;
		e->pdd_n++;
		if(pdd > e->pdd_max_ms)
			e->pdd_max_ms = pdd;
	}
	if(r->code == 503) {
		ev = rg_health_failure(
				&e->health, &t->hcfg, r->retry_after, r->trial, now_ms);
		if(r->retry_after < 0)
			tev = rg_throttle_overload(&e->thr, &t->tcfg, now_ms);
	} else if(r->code >= 200)
		ev = rg_health_success(&e->health, r->trial, now_ms);
	if(r->release)
		rg_throttle_release(&e->thr);
	e->last_ms = now_ms;
	change_locked(t, e, ev, tev, now_ms, chg);
	rg_unlock(t->locks, l);
	return RG_OK;
}

int rg_table_timeout(struct rg_table *t, const struct rg_ref *ref,
		int failure, int release, uint64_t trial, uint64_t now_ms,
		struct rg_change *chg)
{
	struct rg_entry *e;
	enum rg_event ev = RG_EV_NONE;
	unsigned int l;

	no_change(chg);
	e = entry_lock(t, ref, &l);
	if(e == NULL)
		return RG_ESTALE;
	before_locked(e, chg);
	chg->code = 408;
	count_locked(t, e, RG_C_TIMEOUTS, 1, now_ms);
	if(failure)
		ev = rg_health_failure(&e->health, &t->hcfg, -1, trial, now_ms);
	else if(trial != 0) /* a trial that rang out: the destination lives */
		ev = rg_health_success(&e->health, trial, now_ms);
	if(release)
		rg_throttle_release(&e->thr);
	e->last_ms = now_ms;
	change_locked(t, e, ev, RG_TEV_NONE, now_ms, chg);
	rg_unlock(t->locks, l);
	return RG_OK;
}

int rg_table_unadmit(struct rg_table *t, const struct rg_ref *ref,
		uint64_t admitted_ms, int held, uint64_t trial, uint64_t now_ms)
{
	struct rg_entry *e;
	unsigned int l;

	e = entry_lock(t, ref, &l);
	if(e == NULL)
		return RG_ESTALE;
	if(e->ctr[RG_C_ATTEMPTS] > 0)
		e->ctr[RG_C_ATTEMPTS]--;
	rg_window_sub(&e->win, t->slot_ms, admitted_ms, RG_C_ATTEMPTS, 1);
	if(held)
		rg_throttle_release(&e->thr);
	rg_throttle_unadmit(&e->thr, admitted_ms, now_ms);
	rg_health_untrial(&e->health, trial);
	rg_unlock(t->locks, l);
	return RG_OK;
}

int rg_table_release(struct rg_table *t, const struct rg_ref *ref)
{
	struct rg_entry *e;
	unsigned int l;

	e = entry_lock(t, ref, &l);
	if(e == NULL)
		return RG_ESTALE;
	rg_throttle_release(&e->thr);
	rg_unlock(t->locks, l);
	return RG_OK;
}

int rg_table_set_limit(struct rg_table *t, const char *key, int len,
		const struct rg_limit *lim, enum rg_limit_src src, uint32_t gen,
		uint64_t now_ms, struct rg_ref *ref, struct rg_change *chg)
{
	uint32_t h = hash_key(key, len);
	unsigned int l = lock_of(t, h);
	struct rg_entry *e;
	enum rg_tevent tev;
	int rc;

	no_change(chg);
	rg_lock(t->locks, l);
	e = find_locked(t, key, len, h, 1, now_ms, &rc);
	if(e == NULL) {
		rg_unlock(t->locks, l);
		return rc;
	}
	ref_of(t, e, ref);
	before_locked(e, chg);
	tev = rg_throttle_set(&e->thr, lim, src);
	e->thr.lim_gen = gen;
	change_locked(t, e, RG_EV_NONE, tev, now_ms, chg);
	rg_unlock(t->locks, l);
	return RG_OK;
}

unsigned int rg_table_limits_sweep(struct rg_table *t, uint32_t gen)
{
	unsigned int b, l, n = 0;
	struct rg_entry *e;
	int32_t s;

	for(b = 0; b <= t->bucket_mask; b++) {
		l = b & t->lock_mask;
		rg_lock(t->locks, l);
		for(s = t->buckets[b]; s != RG_NIL; s = t->entries[s].next) {
			e = &t->entries[s];
			if(e->thr.src == RG_LIM_FILE && e->thr.lim_gen != gen) {
				rg_throttle_set(&e->thr, &t->tcfg.dflt, RG_LIM_DEFAULT);
				n++;
			}
		}
		rg_unlock(t->locks, l);
	}
	return n;
}

int rg_table_block(struct rg_table *t, const struct rg_ref *ref,
		uint32_t seconds, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_entry *e;
	unsigned int l;

	no_change(chg);
	e = entry_lock(t, ref, &l);
	if(e == NULL)
		return RG_ESTALE;
	before_locked(e, chg);
	change_locked(t, e, rg_health_block(&e->health, seconds, now_ms),
			RG_TEV_NONE, now_ms, chg);
	rg_unlock(t->locks, l);
	return RG_OK;
}

int rg_table_unblock(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_change *chg)
{
	struct rg_entry *e;
	unsigned int l;

	no_change(chg);
	e = entry_lock(t, ref, &l);
	if(e == NULL)
		return RG_ESTALE;
	before_locked(e, chg);
	change_locked(
			t, e, rg_health_unblock(&e->health), RG_TEV_NONE, now_ms, chg);
	rg_unlock(t->locks, l);
	return RG_OK;
}

static void snapshot_locked(const struct rg_table *t, const struct rg_entry *e,
		uint64_t now_ms, struct rg_snapshot *s)
{
	memcpy(s->key, e->key, e->key_len);
	s->key[e->key_len] = '\0';
	s->key_len = e->key_len;
	s->state = rg_state_name((enum rg_state)e->health.state);
	s->state_id = e->health.state;
	memcpy(s->ctr, e->ctr, sizeof(s->ctr));
	rg_window_sum(&e->win, t->slot_ms, now_ms, s->win);
	s->pdd_samples = e->pdd_n;
	s->pdd_avg_ms = e->pdd_n ? e->pdd_sum_ms / e->pdd_n : 0;
	s->pdd_max_ms = e->pdd_max_ms;
	s->retry_after_last = e->health.ra_last;
	s->blocked_for = rg_health_blocked_for(&e->health, now_ms);
	s->cps_limit_mcps = rg_throttle_rate(&e->thr);
	s->cps_limit = s->cps_limit_mcps / 1000;
	if(s->cps_limit == 0 && s->cps_limit_mcps != 0)
		s->cps_limit = 1;
	s->cps_configured = e->thr.lim.mcps;
	s->cps_burst = e->thr.lim.burst;
	s->cps_received = rg_throttle_received(&e->thr, now_ms);
	s->max_concurrent = e->thr.lim.max_concurrent;
	s->concurrent = e->thr.inflight;
	s->throttled = e->thr.throttled;
	s->limit_src = rg_limit_src_name((enum rg_limit_src)e->thr.src);
	s->idle_ms = now_ms > e->last_ms ? now_ms - e->last_ms : 0;
	s->ext_npairs = e->ext_npairs;
	memcpy(s->ext_pairs, e->ext_pairs, sizeof(s->ext_pairs));
	memcpy(s->ext_names, e->ext_names, sizeof(s->ext_names));
}

int rg_table_snapshot(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_snapshot *snap)
{
	struct rg_entry *e;
	unsigned int l;

	e = entry_lock(t, ref, &l);
	if(e == NULL)
		return RG_ESTALE;
	snapshot_locked(t, e, now_ms, snap);
	rg_unlock(t->locks, l);
	return RG_OK;
}

int rg_table_snapshot_slot(struct rg_table *t, unsigned int slot,
		uint64_t now_ms, struct rg_snapshot *snap)
{
	struct rg_entry *e;
	unsigned int l;

	if(slot >= t->capacity)
		return RG_ENOTFOUND;
	e = &t->entries[slot];
	if(!__atomic_load_n(&e->used, __ATOMIC_RELAXED))
		return RG_ENOTFOUND;
	l = lock_of(t, __atomic_load_n(&e->hash, __ATOMIC_RELAXED));
	rg_lock(t->locks, l);
	/* freed, or reused under another lock, since we looked */
	if(!e->used || lock_of(t, e->hash) != l) {
		rg_unlock(t->locks, l);
		return RG_ENOTFOUND;
	}
	snapshot_locked(t, e, now_ms, snap);
	rg_unlock(t->locks, l);
	return RG_OK;
}

int rg_table_tick_slot(struct rg_table *t, unsigned int slot,
		uint64_t now_ms, struct rg_change *chg)
{
	struct rg_entry *e;
	unsigned int l;
	enum rg_event ev;
	enum rg_tevent tev;

	no_change(chg);
	if(slot >= t->capacity)
		return RG_ENOTFOUND;
	e = &t->entries[slot];
	/* an unlocked peek: most entries are up, and are skipped unlocked */
	if(!__atomic_load_n(&e->used, __ATOMIC_RELAXED)
			|| (__atomic_load_n(&e->health.state, __ATOMIC_RELAXED) != RG_DOWN
					&& !__atomic_load_n(&e->thr.throttled, __ATOMIC_RELAXED)))
		return RG_ENOTFOUND;
	l = lock_of(t, __atomic_load_n(&e->hash, __ATOMIC_RELAXED));
	rg_lock(t->locks, l);
	if(!e->used || lock_of(t, e->hash) != l) {
		rg_unlock(t->locks, l);
		return RG_ENOTFOUND;
	}
	before_locked(e, chg);
	ev = rg_health_tick(&e->health, now_ms);
	tev = rg_throttle_tick(&e->thr, &t->tcfg, now_ms);
	change_locked(t, e, ev, tev, now_ms, chg);
	rg_unlock(t->locks, l);
	return ev == RG_EV_NONE && tev == RG_TEV_NONE ? RG_ENOTFOUND : RG_OK;
}

int rg_table_min_blocked(
		struct rg_table *t, int tag, uint64_t now_ms, uint32_t *secs)
{
	struct rg_entry *e;
	unsigned int slot, l;
	uint32_t b;
	int n = 0;

	*secs = 0;
	for(slot = 0; slot < t->capacity; slot++) {
		e = &t->entries[slot];
		if(!__atomic_load_n(&e->used, __ATOMIC_RELAXED)
				|| __atomic_load_n(&e->health.state, __ATOMIC_RELAXED)
						   != RG_DOWN)
			continue;
		l = lock_of(t, __atomic_load_n(&e->hash, __ATOMIC_RELAXED));
		rg_lock(t->locks, l);
		if(e->used && lock_of(t, e->hash) == l && has_tag_locked(e, tag)) {
			b = rg_health_blocked_for(&e->health, now_ms);
			if(b > 0 && (n == 0 || b < *secs))
				*secs = b;
			if(b > 0)
				n++;
		}
		rg_unlock(t->locks, l);
	}
	return n;
}

static void reset_locked(struct rg_entry *e)
{
	memset(e->ctr, 0, sizeof(e->ctr));
	memset(&e->win, 0, sizeof(e->win));
	e->pdd_sum_ms = 0;
	e->pdd_n = 0;
	e->pdd_max_ms = 0;
}

int rg_table_reset(struct rg_table *t, const struct rg_ref *ref)
{
	struct rg_entry *e;
	unsigned int l, b;
	int32_t s;

	if(ref != NULL) {
		e = entry_lock(t, ref, &l);
		if(e == NULL)
			return RG_ESTALE;
		reset_locked(e);
		rg_unlock(t->locks, l);
		return RG_OK;
	}
	for(b = 0; b <= t->bucket_mask; b++) {
		l = b & t->lock_mask;
		rg_lock(t->locks, l);
		for(s = t->buckets[b]; s != RG_NIL; s = t->entries[s].next)
			reset_locked(&t->entries[s]);
		rg_unlock(t->locks, l);
	}
	return RG_OK;
}

unsigned int rg_table_expire(struct rg_table *t, uint64_t now_ms)
{
	unsigned int b, l, freed = 0;
	int32_t s, *link;
	struct rg_entry *e;

	if(t->idle_ms == 0)
		return 0;
	for(b = 0; b <= t->bucket_mask; b++) {
		l = b & t->lock_mask;
		rg_lock(t->locks, l);
		link = &t->buckets[b];
		while((s = *link) != RG_NIL) {
			e = &t->entries[s];
			/* kept: blocked, throttled, busy or configured; a probing
			 * destination that nobody calls any more goes too */
			if(e->health.state != RG_DOWN && !e->thr.throttled
					&& e->ext_inactive == 0
					&& e->thr.inflight == 0 && e->thr.src == RG_LIM_DEFAULT
					&& now_ms > e->last_ms
					&& now_ms - e->last_ms >= t->idle_ms) {
				*link = e->next;
				slot_release_locked(t, s);
				freed++;
			} else {
				link = &e->next;
			}
		}
		rg_unlock(t->locks, l);
	}
	if(freed)
		__atomic_add_fetch(&t->evictions, freed, __ATOMIC_RELAXED);
	return freed;
}

int rg_table_ext_mark(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_snapshot *s)
{
	const struct rg_ext_pair *p;
	struct rg_ext_pair *q;
	struct rg_entry *e;
	unsigned int l;
	int i, j;

	e = entry_lock(t, ref, &l);
	if(e == NULL)
		return RG_ESTALE;
	for(i = 0; i < s->ext_npairs; i++) {
		p = &s->ext_pairs[i];
		for(j = 0; j < e->ext_npairs; j++) {
			q = &e->ext_pairs[j];
			if(q->tag != p->tag
					|| strcmp(e->ext_names[q->name], s->ext_names[p->name])
							   != 0)
				continue;
			if(p->gone)
				drop_pair_locked(e, j);
			else
				q->inactive = p->inactive;
			break;
		}
	}
	count_inactive_locked(e);
	rg_unlock(t->locks, l);
	return RG_OK;
}

int rg_table_ext_pending_slot(
		struct rg_table *t, unsigned int slot, struct rg_ref *ref)
{
	struct rg_entry *e;

	if(slot >= t->capacity)
		return 0;
	e = &t->entries[slot];
	if(!__atomic_load_n(&e->used, __ATOMIC_RELAXED)
			|| __atomic_load_n(&e->ext_npairs, __ATOMIC_RELAXED) == 0)
		return 0;
	if(__atomic_load_n(&e->health.state, __ATOMIC_RELAXED) != RG_DOWN
			&& __atomic_load_n(&e->ext_inactive, __ATOMIC_RELAXED) == 0)
		return 0;
	ref->slot = slot;
	ref->gen = __atomic_load_n(&e->gen, __ATOMIC_ACQUIRE);
	return 1;
}

int rg_table_warn_due(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, uint64_t interval_ms)
{
	struct rg_entry *e;
	unsigned int l;
	int due;

	e = entry_lock(t, ref, &l);
	if(e == NULL)
		return 0;
	due = e->warn_ms == 0 || now_ms - e->warn_ms >= interval_ms;
	if(due)
		e->warn_ms = now_ms ? now_ms : 1;
	rg_unlock(t->locks, l);
	return due;
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
}
