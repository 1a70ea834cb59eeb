/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The destination table: counters, PDD, full table, expiry (rg_table.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_ops.h"
#include "seam_stub.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 5000 * SEC)

static struct rg_change chg;
static const struct rg_health_cfg hcfg = {1, 300, 3, 30, 30, 1};
/* no default limit; adaptive, 0.5, 1 cps floor, 1 s interval, 1 cps step */
static const struct rg_throttle_cfg tcfg = {{0, 1, 0}, 1, 500, 1000, 1000, 1000, 0, 0, 0};
/* no failure codes, no failure ratio */
/* ratios from 20 seizures; no call-specific causes */
static const struct rg_kpi_cfg kcfg = {.min_samples = 20, .short_ms = 6000};
static const struct rg_fail_cfg fcfg = {{{0}}, 0, 20};

static struct rg_table *mk(unsigned int cap, unsigned int idle_s)
{
	struct rg_table_cfg cfg = {cap, 60, idle_s, hcfg, tcfg, fcfg, kcfg, 100, NULL, 0};
	struct rg_table *t = rg_table_new(&cfg);

	assert_non_null(t);
	return t;
}

static int setup(void **state)
{
	*state = mk(8, 600);
	return 0;
}

static int teardown(void **state)
{
	rg_table_free(*state);
	assert_int_equal(stub_locks_held(), 0);
	return 0;
}

static struct rg_ref add(struct rg_table *t, const char *key, uint64_t now)
{
	struct rg_ref ref;

	assert_int_equal(
			rg_op_lookup(t, key, (int)strlen(key), 1, now, &ref), RG_OK);
	assert_int_equal(stub_locks_held(), 0);
	return ref;
}

/* Admission of `key` with an optional dispatcher name; the rc. */
static int admit_ext(struct rg_table *t, const char *key,
		const struct rg_ext *ext, uint64_t now, uint32_t *ra)
{
	struct rg_admission adm;
	int rc = rg_op_admit(t, key, (int)strlen(key), ext, now, &adm, &chg);

	*ra = adm.retry_after;
	assert_int_equal(stub_locks_held(), 0);
	return rc;
}

static int admit(struct rg_table *t, const char *key, uint64_t now,
		uint32_t *ra)
{
	return admit_ext(t, key, NULL, now, ra);
}

static struct rg_snapshot snap(struct rg_table *t, struct rg_ref ref,
		uint64_t now)
{
	struct rg_snapshot s;

	assert_int_equal(rg_op_snapshot(t, &ref, now, &s), RG_OK);
	return s;
}

static void reply(struct rg_table *t, struct rg_ref ref, int code, int sdp,
		int ra, int64_t pdd, uint64_t now)
{
	struct rg_reply r = {.code = code, .has_sdp = sdp, .retry_after = ra, .pdd_ms = pdd, .release = 0, .trial = 0, .sdp_only = 0};

	assert_int_equal(rg_op_reply(t, &ref, &r, now, &chg), RG_OK);
	assert_int_equal(stub_locks_held(), 0);
}

static void test_lookup_finds_same_entry(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_ref b = add(t, "sip:b:5060", T0);
	struct rg_ref a2 = add(t, "sip:a:5060", T0);
	struct rg_ref miss;

	assert_int_equal(a.slot, a2.slot);
	assert_int_equal(a.gen, a2.gen);
	assert_int_not_equal(a.slot, b.slot);
	assert_int_equal(rg_op_lookup(t, "sip:c:5060", 10, 0, T0, &miss),
			RG_ENOTFOUND);
	/* a prefix of a key is another key */
	assert_int_equal(rg_op_lookup(t, "sip:a:506", 9, 0, T0, &miss),
			RG_ENOTFOUND);
}

static void test_reset(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_ref b = add(t, "sip:b:5060", T0);
	uint32_t ra;

	admit(t, "sip:a:5060", T0, &ra);
	admit(t, "sip:b:5060", T0, &ra);
	reply(t, a, 183, 0, -1, 50, T0);
	assert_int_equal(rg_op_reset(t, &a, 1000), RG_OK);
	assert_int_equal(snap(t, a, T0).ctr[RG_C_ATTEMPTS], 0);
	assert_int_equal(snap(t, a, T0).win[RG_C_ATTEMPTS], 0);
	assert_int_equal(snap(t, a, T0).f[RG_F_PDD_SAMPLES], 0);
	assert_int_equal(snap(t, b, T0).ctr[RG_C_ATTEMPTS], 1);
	assert_int_equal(rg_op_reset(t, NULL, 1000), RG_OK);
	assert_int_equal(snap(t, b, T0).ctr[RG_C_ATTEMPTS], 0);
	assert_int_equal(stub_locks_held(), 0);
}

static void test_full_table(void **state)
{
	struct rg_table *t = mk(3, 600);
	struct rg_summary sum;
	struct rg_ref r;
	uint32_t ra;

	(void)state;
	add(t, "k1", T0);
	add(t, "k2", T0);
	add(t, "k3", T0);
	assert_int_equal(rg_op_lookup(t, "k4", 2, 1, T0, &r), RG_EFULL);
	assert_int_equal(rg_op_lookup(t, "k5", 2, 1, T0, &r), RG_EFULL);
	/* what a refused key gets names no entry */
	assert_int_equal(r.slot, RG_SLOT_NONE);
	assert_int_equal(stub_locks_held(), 0);
	/* known keys still work when full */
	r = add(t, "k2", T0);
	assert_int_equal(admit(t, "k2", T0, &ra), 1);
	assert_int_equal(admit(t, "k6", T0, &ra), RG_EFULL);
	rg_table_note_bad_key(t);
	rg_table_summary(t, &sum);
	assert_int_equal(sum.tracked, 3);
	assert_int_equal(sum.capacity, 3);
	assert_int_equal(sum.refused_full, 3);
	assert_int_equal(sum.refused_key, 1);
	assert_int_equal(sum.evictions, 0);
	rg_table_free(t);
}

static void test_expiry(void **state)
{
	struct rg_table *t = mk(2, 600);
	struct rg_ref old, fresh, r;
	struct rg_snapshot stale;
	struct rg_summary sum;
	struct rg_reply rep = {.code = 183, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	uint32_t ra;

	(void)state;
	old = add(t, "old", T0);
	add(t, "busy", T0);
	assert_int_equal(rg_op_lookup(t, "new", 3, 1, T0, &r), RG_EFULL);

	/* busy is used at +500 s; at +600 s only old has idled long enough */
	assert_int_equal(admit(t, "busy", T0 + 500 * SEC, &ra), 1);
	assert_int_equal(rg_op_expire(t, T0 + 599 * SEC), 0);
	assert_int_equal(rg_op_expire(t, T0 + 600 * SEC), 1);
	assert_int_equal(stub_locks_held(), 0);

	/* the freed slot takes a new key; the old reference is now stale */
	fresh = add(t, "new", T0 + 600 * SEC);
	assert_int_equal(fresh.slot, old.slot);
	assert_int_not_equal(fresh.gen, old.gen);
	assert_int_equal(rg_op_snapshot(t, &old, T0, &stale), RG_ESTALE);
	assert_int_equal(rg_op_reply(t, &old, &rep, T0, &chg), RG_ESTALE);
	assert_int_equal(stub_locks_held(), 0);
	/* the new entry starts from zero, not from what "old" had */
	assert_int_equal(snap(t, fresh, T0 + 600 * SEC).ctr[RG_C_ATTEMPTS], 0);
	assert_string_equal(snap(t, fresh, T0 + 600 * SEC).key, "new");

	rg_table_summary(t, &sum);
	assert_int_equal(sum.evictions, 1);
	assert_int_equal(sum.tracked, 2);
	assert_int_equal(sum.stale_refs, 2);
	rg_table_free(t);
}

static void test_no_expiry_when_disabled(void **state)
{
	struct rg_table *t = mk(2, 0);

	(void)state;
	add(t, "a", T0);
	assert_int_equal(rg_op_expire(t, T0 + 1000000 * SEC), 0);
	rg_table_free(t);
}

static void test_iterate_slots(void **state)
{
	struct rg_table *t = mk(64, 600);
	struct rg_snapshot s;
	char key[16];
	unsigned int slot, seen = 0;
	int i;

	(void)state;
	for(i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "dst-%d", i);
		add(t, key, T0);
	}
	for(slot = 0; slot < rg_table_capacity(t); slot++) {
		if(rg_op_snapshot_slot(t, slot, T0, &s) == RG_OK)
			seen++;
	}
	assert_int_equal(seen, 40);
	assert_int_equal(
			rg_op_snapshot_slot(t, rg_table_capacity(t), T0, &s),
			RG_ENOTFOUND);
	rg_table_free(t);
}

static void test_many_keys_all_distinct(void **state)
{
	struct rg_table *t = mk(5000, 600);
	struct rg_ref r;
	char key[32];
	int i;

	(void)state;
	for(i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "sip:10.0.%d.%d:5060", i / 256, i % 256);
		add(t, key, T0);
	}
	/* every one is found again, at a distinct slot */
	for(i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "sip:10.0.%d.%d:5060", i / 256, i % 256);
		assert_int_equal(
				rg_op_lookup(t, key, (int)strlen(key), 0, T0, &r), RG_OK);
	}
	assert_int_equal(rg_op_lookup(t, "x", 1, 1, T0, &r), RG_EFULL);
	rg_table_free(t);
}

static void test_bad_config_and_alloc_failure(void **state)
{
	struct rg_table_cfg zero = {0, 60, 0, hcfg, tcfg, fcfg, kcfg, 100, NULL, 0};
	struct rg_table_cfg nowin = {10, 0, 0, hcfg, tcfg, fcfg, kcfg, 100, NULL, 0};
	struct rg_table_cfg ok = {10, 60, 0, hcfg, tcfg, fcfg, kcfg, 100, NULL, 0};
	int n;

	(void)state;
	assert_null(rg_table_new(NULL));
	assert_null(rg_table_new(&zero));
	assert_null(rg_table_new(&nowin));
	/* each of the allocations failing in turn unwinds without a leak */
	for(n = 1; n <= 5; n++) {
		stub_fail_alloc_in(n);
		assert_null(rg_table_new(&ok));
	}
	stub_fail_alloc_in(0);
	rg_table_free(NULL);
}

static void test_warn_rate_limit(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_ref b = add(t, "sip:b:5060", T0);

	assert_int_equal(rg_op_warn_due(t, &a, T0, 10 * SEC), 1);
	assert_int_equal(rg_op_warn_due(t, &a, T0 + 9 * SEC, 10 * SEC), 0);
	/* per destination: b has its own clock */
	assert_int_equal(rg_op_warn_due(t, &b, T0 + 9 * SEC, 10 * SEC), 1);
	assert_int_equal(rg_op_warn_due(t, &a, T0 + 10 * SEC, 10 * SEC), 1);
	/* a clock read before that line (another process, before the lock) */
	assert_int_equal(rg_op_warn_due(t, &a, T0 + 10 * SEC - 1, 10 * SEC), 0);
	assert_int_equal(stub_locks_held(), 0);
}

static void test_ext_name(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_ref b = add(t, "sip:b:5060", T0);
	struct rg_ext xa = {7, "sip:A", 5};
	struct rg_ext xa2 = {2, "sip:A2", 6};
	struct rg_ext xb = {2, "sip:B", 5};
	char big[RG_KEY_MAX + 2];
	struct rg_snapshot s;
	uint32_t secs;
	int i;

	assert_int_equal(snap(t, a, T0).ext_npairs, 0);
	assert_int_equal(admit_ext(t, "sip:a:5060", &xa, T0, &secs), 1);
	assert_int_equal(snap(t, a, T0).ext_npairs, 1);
	assert_int_equal(snap(t, a, T0).ext_pairs[0].tag, 7);
	assert_string_equal(snap(t, a, T0).ext_names[0], "sip:A");
	/* one gateway in several sets: each pair remembered once, up to 4 */
	for(i = 0; i < 6; i++) {
		xa.tag = 7 + i;
		admit_ext(t, "sip:a:5060", &xa, T0, &secs);
	}
	assert_int_equal(snap(t, a, T0).ext_npairs, RG_EXT_PAIRS);
	/* the oldest made room */
	assert_int_equal(snap(t, a, T0).ext_pairs[3].tag, 12);
	/* another spelling in another set is a pair of its own */
	admit_ext(t, "sip:a:5060", &xa2, T0, &secs);
	s = snap(t, a, T0);
	assert_int_equal(s.ext_npairs, RG_EXT_PAIRS);
	assert_int_equal(s.ext_pairs[3].tag, 2);
	assert_string_equal(s.ext_names[s.ext_pairs[3].name], "sip:A2");
	assert_string_equal(s.ext_names[s.ext_pairs[0].name], "sip:A");
	memset(big, 'x', sizeof(big));
	xa.tag = 1;
	xa.name = big;
	xa.len = (int)sizeof(big);
	/* an over-long name is ignored; the call is still admitted */
	assert_int_equal(admit_ext(t, "sip:a:5060", &xa, T0, &secs), 1);
	assert_int_equal(snap(t, a, T0).ext_npairs, RG_EXT_PAIRS);

	/* the shortest block among the down members of a set */
	admit_ext(t, "sip:b:5060", &xb, T0, &secs);
	assert_int_equal(rg_op_min_blocked(t, 2, T0, &secs), 0);
	assert_int_equal(secs, 0);
	rg_op_block(t, &a, 50, T0, &chg);
	rg_op_block(t, &b, 20, T0, &chg);
	assert_int_equal(rg_op_min_blocked(t, 2, T0, &secs), 2);
	assert_int_equal(secs, 20);
	assert_int_equal(rg_op_min_blocked(t, 3, T0, &secs), 0);
	assert_int_equal(rg_op_min_blocked(t, 2, T0 + 30 * SEC, &secs), 1);
	assert_int_equal(secs, 20);
	assert_int_equal(stub_locks_held(), 0);
}

static int set_limit(struct rg_table *t, const char *key, uint32_t mcps,
		uint32_t burst, uint32_t cap, enum rg_limit_src src, uint32_t gen)
{
	struct rg_limit lim = {mcps, burst, cap};
	struct rg_ref ref;
	int rc = rg_op_set_limit(
			t, key, (int)strlen(key), &lim, src, gen, T0, &ref, &chg);

	assert_int_equal(stub_locks_held(), 0);
	return rc;
}

/* An idle probing destination (a typo blocked by hand) is expired. */
static void test_idle_probing_expires(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:typo:5060", T0);

	rg_op_block(t, &a, 5, T0, &chg);
	assert_int_equal(rg_op_tick_slot(t, a.slot, T0 + 5 * SEC, &chg), 1);
	assert_int_equal(snap(t, a, T0 + 5 * SEC).f[RG_F_STATE], RG_PROBING);
	/* setup's idle time is 600 s */
	assert_int_equal(rg_op_expire(t, T0 + 599 * SEC), 0);
	assert_int_equal(rg_op_expire(t, T0 + 700 * SEC), 1);
	assert_int_equal(rg_op_snapshot(t, &a, T0, &(struct rg_snapshot){0}),
			RG_ESTALE);
}

/*
 * Every operation through the table: the change carries its reference
 * and a snapshot, the lock is dropped, and a release with nothing held
 * is counted as a defect (the policy itself: test_entry.c).
 */
static void test_ops_through_table(void **state)
{
	struct rg_table *t = *state;
	struct rg_reply r503 = {.code = 503, .has_sdp = 0, .retry_after = 3, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_admission adm;
	struct rg_summary sum;
	struct rg_ref a, stale;
	uint32_t ra;

	assert_int_equal(admit(t, "sip:a:5060", T0, &ra), RG_ADMITTED);
	a = add(t, "sip:a:5060", T0);
	assert_int_equal(rg_op_reply(t, &a, &r503, T0, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(chg.ref.slot, a.slot);
	assert_int_equal(chg.ref.gen, a.gen);
	assert_string_equal(chg.snap.key, "sip:a:5060");
	assert_int_equal(chg.snap.f[RG_F_BLOCKED_FOR], 3);
	assert_int_equal(admit(t, "sip:a:5060", T0 + SEC, &ra), RG_BLOCKED);
	assert_int_equal(rg_op_tick_slot(t, a.slot, T0 + 2 * SEC, &chg), 0);
	assert_int_equal(rg_op_tick_slot(t, a.slot, T0 + 3 * SEC, &chg), 1);
	assert_int_equal(chg.ev, RG_EV_PROBING);
	assert_int_equal(chg.ref.slot, a.slot);
	assert_int_equal(rg_op_timeout(t, &a, 1, 0, 0, T0 + 3 * SEC, &chg), RG_OK);
	assert_int_equal(snap(t, a, T0).ctr[RG_C_TIMEOUTS], 1);
	assert_int_equal(rg_op_block(t, &a, 9, T0, &chg), RG_OK);
	assert_int_equal(rg_op_unblock(t, &a, T0, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
	/* a double release must not hide: refused and counted */
	assert_int_equal(rg_op_release(t, &a), RG_ENOHOLD);
	assert_int_equal(rg_op_release(t, &a), RG_ENOHOLD);
	rg_table_summary(t, &sum);
	assert_int_equal(sum.unheld_release, 2);
	assert_int_equal(sum.stale_refs, 0);
	/* a held call's release is no defect */
	assert_int_equal(set_limit(t, "gw", 0, 1, 1, RG_LIM_MANUAL, 0), RG_OK);
	assert_int_equal(rg_op_admit(t, "gw", 2, NULL, T0, &adm, &chg), 1);
	assert_int_equal(adm.held, 1);
	assert_int_equal(rg_op_release(t, &adm.ref), RG_OK);
	rg_table_summary(t, &sum);
	assert_int_equal(sum.unheld_release, 2);
	/* a stale reference is refused and counted, by every operation */
	stale = a;
	stale.gen++;
	assert_int_equal(rg_op_unadmit(t, &stale, T0, 0, 0, T0), RG_ESTALE);
	assert_int_equal(rg_op_release(t, &stale), RG_ESTALE);
	assert_int_equal(rg_op_reply(t, &stale, &r503, T0, &chg), RG_ESTALE);
	/* a reference past the table is a defect too; one that names no
	 * entry on purpose ($rg after rg_ds_retry_after) is not counted */
	stale.slot = rg_table_capacity(t);
	assert_int_equal(rg_op_release(t, &stale), RG_ESTALE);
	stale.slot = RG_SLOT_NONE;
	assert_int_equal(rg_op_reply(t, &stale, &r503, T0, &chg), RG_ESTALE);
	assert_int_equal(chg.ev, RG_EV_NONE);
	rg_table_summary(t, &sum);
	assert_int_equal(sum.stale_refs, 4);
	assert_int_equal(sum.unheld_release, 2);
	assert_int_equal(stub_locks_held(), 0);
}

/* a limits-file sweep over every slot: how many went back to defaults */
static int sweep(struct rg_table *t, uint32_t gen)
{
	unsigned int slot;
	int n = 0;

	for(slot = 0; slot < rg_table_capacity(t); slot++)
		n += rg_op_sweep_slot(t, slot, gen, T0, &chg);
	assert_int_equal(stub_locks_held(), 0);
	return n;
}

static void test_limits_pin_and_sweep(void **state)
{
	struct rg_table *t = *state;
	struct rg_snapshot s;
	struct rg_ref a, b, c;
	unsigned int slot;
	int n = 0;

	(void)state;
	assert_int_equal(set_limit(t, "from-file", 5000, 2, 0, RG_LIM_FILE, 1),
			RG_OK);
	assert_int_equal(set_limit(t, "manual", 7000, 1, 0, RG_LIM_MANUAL, 0),
			RG_OK);
	a = add(t, "from-file", T0);
	b = add(t, "manual", T0);
	c = add(t, "plain", T0);
	/* only the entry with no limit of its own expires */
	assert_int_equal(rg_op_expire(t, T0 + 900 * SEC), 1);
	assert_int_equal(rg_op_snapshot(t, &c, T0, &s), RG_ESTALE);
	/* a reload (gen 2) that no longer lists "from-file" */
	assert_int_equal(sweep(t, 2), 1);
	s = snap(t, a, T0);
	assert_int_equal(s.f[RG_F_LIMIT_SRC], RG_LIM_DEFAULT);
	assert_int_equal(s.f[RG_F_CPS_LIMIT], 0);
	s = snap(t, b, T0);
	assert_int_equal(s.f[RG_F_LIMIT_SRC], RG_LIM_MANUAL);
	assert_int_equal(s.f[RG_F_CPS_CONF], 7000);
	/* listed again in gen 3: kept by that sweep */
	set_limit(t, "manual", 3000, 1, 0, RG_LIM_FILE, 3);
	assert_int_equal(sweep(t, 3), 0);
	for(slot = 0; slot < rg_table_capacity(t); slot++)
		n += rg_op_snapshot_slot(t, slot, T0, &s) == RG_OK;
	assert_int_equal(n, 2);
	assert_int_equal(stub_locks_held(), 0);
}

/* keys longer than the part kept with the hot fields: told apart by their
 * tails, and given back whole */
static void test_long_keys(void **state)
{
	struct rg_table *t = *state;
	char k1[RG_KEY_MAX + 1], k2[RG_KEY_MAX + 1], k3[RG_KEY_MAX + 1];
	struct rg_ref a, b, c, again;

	memset(k1, 'h', RG_KEY_MAX);
	k1[RG_KEY_MAX] = '\0';
	memcpy(k2, k1, sizeof(k1));
	k2[RG_KEY_MAX - 1] = 'z';			/* the last byte differs */
	memcpy(k3, k1, 50);
	k3[50] = '\0'; /* a prefix of k1 */
	a = add(t, k1, T0);
	b = add(t, k2, T0);
	c = add(t, k3, T0);
	assert_int_not_equal(a.slot, b.slot);
	assert_int_not_equal(a.slot, c.slot);
	again = add(t, k2, T0);
	assert_int_equal(again.slot, b.slot);
	assert_string_equal(snap(t, a, T0).key, k1);
	assert_string_equal(snap(t, b, T0).key, k2);
	assert_string_equal(snap(t, c, T0).key, k3);
	assert_int_equal(snap(t, a, T0).key_len, RG_KEY_MAX);
}

/* the key comparison itself (the table compares hashes first), on both
 * sides of the hot part's end */
static void test_key_compare(void **state)
{
	static const int lens[] = {1, RG_KEY_HOT - 1, RG_KEY_HOT, RG_KEY_HOT + 1,
			RG_KEY_HOT + 2, RG_KEY_MAX - 1, RG_KEY_MAX};
	const struct rg_entry_cfg cfg = {.slot_ms = 5000};
	struct rg_entry e;
	struct rg_entry_cold cold;
	char k[RG_KEY_MAX + 1], o[RG_KEY_MAX + 1];
	size_t i;
	int n, j;

	(void)state;
	for(i = 0; i < sizeof(lens) / sizeof(*lens); i++) {
		n = lens[i];
		for(j = 0; j < n; j++)
			k[j] = (char)('a' + j % 26);
		rg_entry_init(&e, &cold, &cfg, k, n, T0);
		assert_true(rg_entry_key_is(&e, k, n));
		assert_int_equal(rg_entry_key(&e, o), n);
		assert_memory_equal(o, k, (size_t)n);
		assert_int_equal(o[n], '\0');
		assert_false(rg_entry_key_is(&e, k, n - 1));
		for(j = 0; j < n; j++) { /* one byte differs, anywhere */
			memcpy(o, k, (size_t)n);
			o[j] = '#';
			assert_false(rg_entry_key_is(&e, o, n));
		}
	}
}

/* the walks visit slots never used (their cold parts are zero, not
 * absent): a table of 8 with one destination; the free slots have nothing
 * to do */
static void test_walk_sparse(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0), ref;
	struct rg_cview v = {0};
	struct rg_demand_out out;
	char key[RG_KEY_MAX + 1];
	unsigned int s;
	int len;

	for(s = 0; s < rg_table_capacity(t); s++) {
		if(s == a.slot)
			continue;
		assert_int_equal(rg_op_ext_pending_slot(t, s, &ref), 0);
		assert_int_equal(
				rg_op_cluster_tick_slot(t, s, &v, T0, &out, key, &len), 0);
	}
}

/* does the entry `ref` have a host pair of set `tag`? */
static int has_tag(struct rg_table *t, struct rg_ref ref, int tag)
{
	struct rg_snapshot s = snap(t, ref, T0);
	int i;

	for(i = 0; i < s.ext_npairs; i++)
		if(s.ext_pairs[i].tag == tag)
			return 1;
	return 0;
}

/* a host pair pushed out of the set by a seed comes back with the next
 * call that brings it, though it was also the last call's */
static void test_ext_after_seed(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_ext x = {1, "sip:A", 5};
	struct rg_ext seed = {0, "sip:A", 5};
	uint32_t secs;
	int i;

	assert_int_equal(admit_ext(t, "sip:a:5060", &x, T0, &secs), 1);
	assert_true(has_tag(t, a, 1));
	/* four seeded pairs fill the set and push the admitted one out */
	for(i = 0; i < RG_EXT_PAIRS; i++) {
		seed.tag = 10 + i;
		assert_int_equal(rg_op_seed(t, "sip:a:5060", 10, &seed, T0), RG_OK);
	}
	assert_false(has_tag(t, a, 1));
	assert_int_equal(admit_ext(t, "sip:a:5060", &x, T0, &secs), 1);
	assert_true(has_tag(t, a, 1));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup_teardown(
					test_lookup_finds_same_entry, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_ops_through_table, setup, teardown),
			cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
			cmocka_unit_test_setup_teardown(test_long_keys, setup, teardown),
			cmocka_unit_test(test_key_compare),
			cmocka_unit_test_setup_teardown(test_walk_sparse, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_ext_after_seed, setup, teardown),
			cmocka_unit_test(test_full_table),
			cmocka_unit_test(test_expiry),
			cmocka_unit_test(test_no_expiry_when_disabled),
			cmocka_unit_test(test_iterate_slots),
			cmocka_unit_test(test_many_keys_all_distinct),
			cmocka_unit_test(test_bad_config_and_alloc_failure),
			cmocka_unit_test_setup_teardown(test_ext_name, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_idle_probing_expires, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_warn_rate_limit, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_limits_pin_and_sweep, setup, teardown),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("rg_table", tests, NULL, NULL);
}
