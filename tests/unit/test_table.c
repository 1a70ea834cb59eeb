/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The destination table: counters, PDD, full table, expiry (rg_table.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rg_table.h"
#include "seam_stub.h"

#define SEC 1000ULL
#define T0 (5000 * SEC)

static struct rg_change chg;
static const struct rg_health_cfg hcfg = {1, 300, 3, 30, 30};
/* no default limit; adaptive, 0.5, 1 cps floor, 1 s interval, 1 cps step */
static const struct rg_throttle_cfg tcfg = {{0, 1, 0}, 1, 500, 1000, 1000, 1000};

static struct rg_table *mk(unsigned int cap, unsigned int idle_s)
{
	struct rg_table_cfg cfg = {cap, 60, idle_s, hcfg, tcfg};
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
			rg_table_lookup(t, key, (int)strlen(key), 1, now, &ref), RG_OK);
	assert_int_equal(stub_locks_held(), 0);
	return ref;
}

/* Admission of `key` with an optional dispatcher name; the rc. */
static int admit_ext(struct rg_table *t, const char *key,
		const struct rg_ext *ext, uint64_t now, uint32_t *ra)
{
	struct rg_admission adm;
	int rc = rg_table_admit(t, key, (int)strlen(key), ext, now, &adm, &chg);

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

	assert_int_equal(rg_table_snapshot(t, &ref, now, &s), RG_OK);
	return s;
}

static void reply(struct rg_table *t, struct rg_ref ref, int code, int sdp,
		int ra, int64_t pdd, uint64_t now)
{
	struct rg_reply r = {code, sdp, ra, pdd, 0, 0};

	assert_int_equal(rg_table_reply(t, &ref, &r, now, &chg), RG_OK);
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
	assert_int_equal(rg_table_lookup(t, "sip:c:5060", 10, 0, T0, &miss),
			RG_ENOTFOUND);
	/* a prefix of a key is another key */
	assert_int_equal(rg_table_lookup(t, "sip:a:506", 9, 0, T0, &miss),
			RG_ENOTFOUND);
}

static void test_counters(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_snapshot s;
	uint32_t ra = 99;
	int i;

	for(i = 0; i < 10; i++)
		assert_int_equal(admit(t, "sip:a:5060", T0, &ra), 1);
	assert_int_equal(ra, 0);
	reply(t, a, 100, 0, -1, -1, T0);
	reply(t, a, 180, 0, -1, -1, T0);
	reply(t, a, 183, 1, -1, -1, T0);
	reply(t, a, 183, 0, -1, -1, T0);
	reply(t, a, 200, 0, -1, -1, T0);
	reply(t, a, 302, 0, -1, -1, T0);
	reply(t, a, 486, 0, -1, -1, T0);
	reply(t, a, 500, 0, -1, -1, T0);
	reply(t, a, 503, 0, -1, -1, T0);
	reply(t, a, 503, 0, 30, -1, T0);
	reply(t, a, 603, 0, -1, -1, T0);
	/* SDP and Retry-After mean nothing on other codes */
	reply(t, a, 200, 1, 30, -1, T0);
	assert_int_equal(rg_table_timeout(t, &a, 0, 0, 0, T0, &chg), RG_OK);
	assert_int_equal(rg_table_timeout(t, &a, 0, 0, 0, T0, &chg), RG_OK);

	s = snap(t, a, T0);
	assert_string_equal(s.key, "sip:a:5060");
	/* the 503 with Retry-After: 30 blocked it, and the 200 after it
	 * (a call admitted earlier) did not lift the block */
	assert_string_equal(s.state, "down");
	assert_int_equal(s.retry_after_last, 30);
	assert_int_equal(s.blocked_for, 30);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 10);
	assert_int_equal(s.ctr[RG_C_R180], 1);
	assert_int_equal(s.ctr[RG_C_R183], 2);
	assert_int_equal(s.ctr[RG_C_R183_SDP], 1);
	assert_int_equal(s.ctr[RG_C_R2XX], 2);
	assert_int_equal(s.ctr[RG_C_R3XX], 1);
	assert_int_equal(s.ctr[RG_C_R4XX], 1);
	assert_int_equal(s.ctr[RG_C_R5XX], 3); /* 500 and both 503s */
	assert_int_equal(s.ctr[RG_C_R503], 2);
	assert_int_equal(s.ctr[RG_C_R503_RA], 1);
	assert_int_equal(s.ctr[RG_C_R6XX], 1);
	assert_int_equal(s.ctr[RG_C_TIMEOUTS], 2);
	assert_memory_equal(s.ctr, s.win, sizeof(s.ctr));

	/* a minute and a slot later the window is empty, lifetime is not */
	s = snap(t, a, T0 + 65 * SEC);
	assert_int_equal(s.blocked_for, 0);
	assert_int_equal(s.win[RG_C_ATTEMPTS], 0);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 10);
	assert_int_equal(s.idle_ms, 65 * SEC);
}

static void test_pdd(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_snapshot s;

	s = snap(t, a, T0);
	assert_int_equal(s.pdd_avg_ms, 0);
	assert_int_equal(s.pdd_max_ms, 0);
	reply(t, a, 183, 0, -1, 100, T0);
	reply(t, a, 180, 0, -1, 300, T0);
	reply(t, a, 183, 0, -1, 200, T0);
	reply(t, a, 183, 0, -1, -1, T0); /* not a first 18x: no sample */
	s = snap(t, a, T0);
	assert_int_equal(s.pdd_samples, 3);
	assert_int_equal(s.pdd_avg_ms, 200);
	assert_int_equal(s.pdd_max_ms, 300);
	/* absurd delays saturate rather than wrap */
	reply(t, a, 183, 0, -1, INT64_MAX, T0);
	s = snap(t, a, T0);
	assert_int_equal(s.pdd_max_ms, UINT32_MAX);
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
	assert_int_equal(rg_table_reset(t, &a), RG_OK);
	assert_int_equal(snap(t, a, T0).ctr[RG_C_ATTEMPTS], 0);
	assert_int_equal(snap(t, a, T0).win[RG_C_ATTEMPTS], 0);
	assert_int_equal(snap(t, a, T0).pdd_samples, 0);
	assert_int_equal(snap(t, b, T0).ctr[RG_C_ATTEMPTS], 1);
	assert_int_equal(rg_table_reset(t, NULL), RG_OK);
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
	assert_int_equal(rg_table_lookup(t, "k4", 2, 1, T0, &r), RG_EFULL);
	assert_int_equal(rg_table_lookup(t, "k5", 2, 1, T0, &r), RG_EFULL);
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
	struct rg_reply rep = {183, 0, -1, -1, 0, 0};
	uint32_t ra;

	(void)state;
	old = add(t, "old", T0);
	add(t, "busy", T0);
	assert_int_equal(rg_table_lookup(t, "new", 3, 1, T0, &r), RG_EFULL);

	/* busy is used at +500 s; at +600 s only old has idled long enough */
	assert_int_equal(admit(t, "busy", T0 + 500 * SEC, &ra), 1);
	assert_int_equal(rg_table_expire(t, T0 + 599 * SEC), 0);
	assert_int_equal(rg_table_expire(t, T0 + 600 * SEC), 1);
	assert_int_equal(stub_locks_held(), 0);

	/* the freed slot takes a new key; the old reference is now stale */
	fresh = add(t, "new", T0 + 600 * SEC);
	assert_int_equal(fresh.slot, old.slot);
	assert_int_not_equal(fresh.gen, old.gen);
	assert_int_equal(rg_table_snapshot(t, &old, T0, &stale), RG_ESTALE);
	assert_int_equal(rg_table_reply(t, &old, &rep, T0, &chg), RG_ESTALE);
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
	assert_int_equal(rg_table_expire(t, T0 + 1000000 * SEC), 0);
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
		if(rg_table_snapshot_slot(t, slot, T0, &s) == RG_OK)
			seen++;
	}
	assert_int_equal(seen, 40);
	assert_int_equal(
			rg_table_snapshot_slot(t, rg_table_capacity(t), T0, &s),
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
				rg_table_lookup(t, key, (int)strlen(key), 0, T0, &r), RG_OK);
	}
	assert_int_equal(rg_table_lookup(t, "x", 1, 1, T0, &r), RG_EFULL);
	rg_table_free(t);
}

static void test_bad_config_and_alloc_failure(void **state)
{
	struct rg_table_cfg zero = {0, 60, 0, hcfg, tcfg};
	struct rg_table_cfg nowin = {10, 0, 0, hcfg, tcfg};
	struct rg_table_cfg ok = {10, 60, 0, hcfg, tcfg};
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

static void test_block_flow_through_table(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_reply r503 = {503, 0, 3, -1, 0, 0};
	struct rg_reply r200 = {200, 0, -1, -1, 0, 0};
	struct rg_admission adm;
	uint32_t ra;

	assert_int_equal(admit(t, "sip:a:5060", T0, &ra), 1);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(rg_table_reply(t, &a, &r503, T0, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_string_equal(chg.snap.key, "sip:a:5060");
	assert_string_equal(chg.snap.state, "down");
	assert_int_equal(chg.snap.blocked_for, 3);

	/* blocked: refused and counted, with the time left */
	assert_int_equal(admit(t, "sip:a:5060", T0 + 1 * SEC, &ra), -1);
	assert_int_equal(ra, 2);
	assert_int_equal(snap(t, a, T0).ctr[RG_C_REJ_BLOCKED], 1);
	assert_int_equal(snap(t, a, T0).ctr[RG_C_ATTEMPTS], 1);

	/* the timer sees the block end */
	assert_int_equal(rg_table_tick_slot(t, a.slot, T0 + 2 * SEC, &chg),
			RG_ENOTFOUND);
	assert_int_equal(rg_table_tick_slot(t, a.slot, T0 + 3 * SEC, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_PROBING);
	assert_string_equal(chg.snap.state, "probing");
	/* one trial, then its success brings it up */
	assert_int_equal(rg_table_admit(t, "sip:a:5060", 10, NULL, T0 + 3 * SEC,
							 &adm, &chg),
			1);
	assert_true(adm.trial != 0);
	assert_int_equal(admit(t, "sip:a:5060", T0 + 3 * SEC, &ra), -1);
	/* a call admitted before the block cannot lift it */
	assert_int_equal(rg_table_reply(t, &a, &r200, T0 + 4 * SEC, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_string_equal(snap(t, a, T0 + 4 * SEC).state, "probing");
	r200.trial = adm.trial;
	assert_int_equal(rg_table_reply(t, &a, &r200, T0 + 4 * SEC, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
	assert_int_equal(stub_locks_held(), 0);
}

static void test_timeouts_and_manual_block(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "gw", T0);
	uint32_t ra;
	int i;

	/* a timeout after the destination answered is not its failure */
	assert_int_equal(rg_table_timeout(t, &a, 0, 0, 0, T0, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE);
	for(i = 0; i < 3; i++)
		assert_int_equal(rg_table_timeout(t, &a, 1, 0, 0, T0, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(snap(t, a, T0).ctr[RG_C_TIMEOUTS], 4);
	assert_int_equal(snap(t, a, T0).blocked_for, 30);

	assert_int_equal(rg_table_unblock(t, &a, T0, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
	assert_int_equal(rg_table_block(t, &a, 1000, T0, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	/* a manual block is not clamped to retry_after_max */
	assert_int_equal(snap(t, a, T0).blocked_for, 1000);
	assert_int_equal(admit(t, "gw", T0, &ra), -1);
	assert_int_equal(ra, 1000);
	/* and a blocked destination does not expire as idle */
	assert_int_equal(rg_table_expire(t, T0 + 900 * SEC), 0);
}

static void test_warn_rate_limit(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_ref b = add(t, "sip:b:5060", T0);

	assert_int_equal(rg_table_warn_due(t, &a, T0, 10 * SEC), 1);
	assert_int_equal(rg_table_warn_due(t, &a, T0 + 9 * SEC, 10 * SEC), 0);
	/* per destination: b has its own clock */
	assert_int_equal(rg_table_warn_due(t, &b, T0 + 9 * SEC, 10 * SEC), 1);
	assert_int_equal(rg_table_warn_due(t, &a, T0 + 10 * SEC, 10 * SEC), 1);
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
	assert_int_equal(rg_table_min_blocked(t, 2, T0, &secs), 0);
	assert_int_equal(secs, 0);
	rg_table_block(t, &a, 50, T0, &chg);
	rg_table_block(t, &b, 20, T0, &chg);
	assert_int_equal(rg_table_min_blocked(t, 2, T0, &secs), 2);
	assert_int_equal(secs, 20);
	assert_int_equal(rg_table_min_blocked(t, 3, T0, &secs), 0);
	assert_int_equal(rg_table_min_blocked(t, 2, T0 + 30 * SEC, &secs), 1);
	assert_int_equal(secs, 20);
	assert_int_equal(stub_locks_held(), 0);
}

static int set_limit(struct rg_table *t, const char *key, uint32_t mcps,
		uint32_t burst, uint32_t cap, enum rg_limit_src src, uint32_t gen)
{
	struct rg_limit lim = {mcps, burst, cap};
	struct rg_ref ref;
	int rc = rg_table_set_limit(
			t, key, (int)strlen(key), &lim, src, gen, T0, &ref, &chg);

	assert_int_equal(stub_locks_held(), 0);
	return rc;
}

static void test_throttle_through_table(void **state)
{
	struct rg_table *t = *state;
	struct rg_admission adm;
	struct rg_reply r503 = {503, 0, -1, -1, 1, 0};
	struct rg_reply r486 = {486, 0, -1, -1, 1, 0};
	struct rg_snapshot s;
	uint32_t ra;
	int i;

	assert_int_equal(set_limit(t, "gw", 2000, 1, 2, RG_LIM_MANUAL, 0), RG_OK);
	assert_int_equal(rg_table_admit(t, "gw", 2, NULL, T0, &adm, &chg), 1);
	assert_int_equal(adm.held, 1);
	/* over the rate: -2, counted, with a Retry-After to suggest */
	assert_int_equal(admit(t, "gw", T0 + 1, &ra), RG_THROTTLED);
	assert_int_equal(ra, 1);
	assert_int_equal(admit(t, "gw", T0 + 500, &ra), 1);
	/* over the cap of 2 in flight */
	assert_int_equal(admit(t, "gw", T0 + 1000, &ra), RG_THROTTLED);
	s = snap(t, adm.ref, T0 + 1000);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 2);
	assert_int_equal(s.ctr[RG_C_REJ_THROTTLED], 2);
	assert_int_equal(s.concurrent, 2);
	assert_int_equal(s.max_concurrent, 2);
	assert_int_equal(s.cps_limit, 2);
	assert_string_equal(s.limit_src, "manual");
	/* a final reply with release ends a hold; a 503 without Retry-After
	 * also starts back-off */
	assert_int_equal(rg_table_reply(t, &adm.ref, &r486, T0 + 1000, &chg),
			RG_OK);
	assert_int_equal(rg_table_reply(t, &adm.ref, &r503, T0 + 1000, &chg),
			RG_OK);
	assert_int_equal(chg.tev, RG_TEV_THROTTLED);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(chg.snap.throttled, 1);
	assert_int_equal(chg.snap.cps_limit_mcps, 1000);
	assert_int_equal(chg.snap.concurrent, 0);
	/* a release of a hold that is gone changes nothing */
	assert_int_equal(rg_table_release(t, &adm.ref), RG_OK);
	assert_int_equal(snap(t, adm.ref, T0).concurrent, 0);
	/* the timer steps it back up, and reports the end */
	assert_int_equal(
			rg_table_tick_slot(t, adm.ref.slot, T0 + 1500, &chg), RG_ENOTFOUND);
	assert_int_equal(
			rg_table_tick_slot(t, adm.ref.slot, T0 + 2000, &chg), RG_OK);
	assert_int_equal(chg.tev, RG_TEV_UNTHROTTLED);
	assert_int_equal(chg.snap.cps_limit, 2);
	/* a timeout with release ends a hold too */
	for(i = 0; i < 2; i++)
		assert_int_equal(rg_table_admit(t, "gw", 2, NULL,
								 T0 + 10 * SEC + (uint64_t)i * SEC, &adm, &chg),
				1);
	assert_int_equal(rg_table_timeout(t, &adm.ref, 0, 1, 0, T0, &chg), RG_OK);
	assert_int_equal(snap(t, adm.ref, T0).concurrent, 1);
}

/*
 * One gateway spelled two ways in two sets: both pairs made inactive stay
 * until each is active again, whatever calls arrive meanwhile.
 */
static void test_ext_inactive_pairs_are_kept(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:a:5060", T0);
	struct rg_ext x1 = {1, "sip:1.2.3.4:5060", 16};
	struct rg_ext x2 = {2, "sip:gw@1.2.3.4:5060", 19};
	struct rg_ext other = {3, "sip:gw2@1.2.3.4", 15};
	struct rg_snapshot s;
	uint32_t secs;
	int i;

	admit_ext(t, "sip:a:5060", &x1, T0, &secs);
	admit_ext(t, "sip:a:5060", &x2, T0, &secs);
	s = snap(t, a, T0);
	assert_int_equal(s.ext_npairs, 2);
	/* the host made both inactive */
	s.ext_pairs[0].inactive = 1;
	s.ext_pairs[1].inactive = 1;
	assert_int_equal(rg_table_ext_mark(t, &a, &s), RG_OK);
	/* a pending pair keeps the entry for the timer's re-assertion */
	assert_int_equal(rg_table_ext_pending_slot(t, a.slot, &a), 1);
	/* calls through other names and sets cannot push them out */
	for(i = 0; i < 8; i++) {
		other.tag = 3 + i;
		admit_ext(t, "sip:a:5060", &other, T0, &secs);
	}
	s = snap(t, a, T0);
	assert_int_equal(s.ext_pairs[0].tag, 1);
	assert_int_equal(s.ext_pairs[0].inactive, 1);
	assert_string_equal(s.ext_names[s.ext_pairs[0].name], "sip:1.2.3.4:5060");
	assert_int_equal(s.ext_pairs[1].tag, 2);
	assert_int_equal(s.ext_pairs[1].inactive, 1);
	assert_string_equal(
			s.ext_names[s.ext_pairs[1].name], "sip:gw@1.2.3.4:5060");
	/* no room for a third name while both are pinned */
	assert_int_equal(s.ext_npairs, 2);
	/* an idle entry with inactive pairs is not expired */
	assert_int_equal(rg_table_expire(t, T0 + 10000 * SEC), 0);
	/* made active again: they may go now */
	s.ext_pairs[0].inactive = 0;
	s.ext_pairs[1].gone = 1;
	assert_int_equal(rg_table_ext_mark(t, &a, &s), RG_OK);
	s = snap(t, a, T0);
	assert_int_equal(s.ext_npairs, 1);
	assert_int_equal(s.ext_pairs[0].inactive, 0);
	assert_int_equal(rg_table_ext_pending_slot(t, a.slot, &a), 0);
	assert_int_equal(stub_locks_held(), 0);
}

/*
 * An admission whose call was never sent is taken back: attempt, window,
 * hold, rate token and trial.
 */
static void test_unadmit(void **state)
{
	struct rg_table *t = *state;
	struct rg_admission adm;
	struct rg_ref a;
	struct rg_snapshot s;
	uint32_t ra;

	assert_int_equal(set_limit(t, "gw", 1000, 1, 1, RG_LIM_MANUAL, 0), RG_OK);
	assert_int_equal(rg_table_admit(t, "gw", 2, NULL, T0, &adm, &chg), 1);
	a = adm.ref;
	assert_int_equal(adm.held, 1);
	/* a copy of it (a retransmission) is over the rate and the cap */
	assert_int_equal(admit(t, "gw", T0 + 1, &ra), RG_THROTTLED);
	assert_int_equal(
			rg_table_unadmit(t, &a, T0, adm.held, adm.trial, T0 + 2), RG_OK);
	s = snap(t, a, T0 + 2);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 0);
	assert_int_equal(s.win[RG_C_ATTEMPTS], 0);
	assert_int_equal(s.concurrent, 0);
	/* its token is back: the next call fits at once */
	assert_int_equal(admit(t, "gw", T0 + 3, &ra), 1);
	/* a trial that was never sent frees the probing slot */
	rg_table_block(t, &a, 1, T0 + 10, &chg);
	assert_int_equal(rg_table_unadmit(t, &a, T0 + 3, 1, 0, T0 + 10), RG_OK);
	assert_int_equal(rg_table_admit(t, "gw", 2, NULL, T0 + 2 * SEC, &adm,
							 &chg),
			1);
	assert_true(adm.trial != 0);
	assert_int_equal(admit(t, "gw", T0 + 2 * SEC + 1, &ra), RG_BLOCKED);
	rg_table_unadmit(t, &a, T0 + 2 * SEC, adm.held, adm.trial, T0 + 2 * SEC);
	assert_int_equal(rg_table_admit(t, "gw", 2, NULL, T0 + 4 * SEC, &adm,
							 &chg),
			1);
	assert_true(adm.trial != 0);
	/* a stale reference is refused */
	a.gen++;
	assert_int_equal(rg_table_unadmit(t, &a, T0, 0, 0, T0), RG_ESTALE);
	assert_int_equal(stub_locks_held(), 0);
}

/* An idle probing destination (a typo blocked by hand) is expired. */
static void test_idle_probing_expires(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "sip:typo:5060", T0);

	rg_table_block(t, &a, 5, T0, &chg);
	assert_int_equal(rg_table_tick_slot(t, a.slot, T0 + 5 * SEC, &chg), RG_OK);
	assert_string_equal(snap(t, a, T0 + 5 * SEC).state, "probing");
	/* setup's idle time is 600 s */
	assert_int_equal(rg_table_expire(t, T0 + 599 * SEC), 0);
	assert_int_equal(rg_table_expire(t, T0 + 700 * SEC), 1);
	assert_int_equal(rg_table_snapshot(t, &a, T0, &(struct rg_snapshot){0}),
			RG_ESTALE);
}

static void test_throttled_trial_is_not_spent(void **state)
{
	struct rg_table *t = *state;
	struct rg_ref a = add(t, "gw", T0);
	uint32_t ra;

	set_limit(t, "gw", 500, 1, 0, RG_LIM_MANUAL, 0);
	assert_int_equal(admit(t, "gw", T0, &ra), 1); /* next fits at T0 + 2 s */
	rg_table_block(t, &a, 1, T0, &chg);
	/* probing, but the rate refuses: the trial is not spent on it */
	assert_int_equal(admit(t, "gw", T0 + 1500, &ra), RG_THROTTLED);
	assert_string_equal(snap(t, a, T0 + 1500).state, "probing");
	assert_int_equal(admit(t, "gw", T0 + 2 * SEC, &ra), 1);
	/* now the trial is in flight */
	assert_int_equal(admit(t, "gw", T0 + 5 * SEC, &ra), RG_BLOCKED);
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
	assert_int_equal(rg_table_expire(t, T0 + 900 * SEC), 1);
	assert_int_equal(rg_table_snapshot(t, &c, T0, &s), RG_ESTALE);
	/* a reload (gen 2) that no longer lists "from-file" */
	assert_int_equal(rg_table_limits_sweep(t, 2), 1);
	s = snap(t, a, T0);
	assert_string_equal(s.limit_src, "default");
	assert_int_equal(s.cps_limit, 0);
	s = snap(t, b, T0);
	assert_string_equal(s.limit_src, "manual");
	assert_int_equal(s.cps_configured, 7000);
	/* listed again in gen 3: kept by that sweep */
	set_limit(t, "manual", 3000, 1, 0, RG_LIM_FILE, 3);
	assert_int_equal(rg_table_limits_sweep(t, 3), 0);
	for(slot = 0; slot < rg_table_capacity(t); slot++)
		n += rg_table_snapshot_slot(t, slot, T0, &s) == RG_OK;
	assert_int_equal(n, 2);
	assert_int_equal(stub_locks_held(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup_teardown(
					test_lookup_finds_same_entry, setup, teardown),
			cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
			cmocka_unit_test_setup_teardown(test_pdd, setup, teardown),
			cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
			cmocka_unit_test(test_full_table),
			cmocka_unit_test(test_expiry),
			cmocka_unit_test(test_no_expiry_when_disabled),
			cmocka_unit_test(test_iterate_slots),
			cmocka_unit_test(test_many_keys_all_distinct),
			cmocka_unit_test(test_bad_config_and_alloc_failure),
			cmocka_unit_test_setup_teardown(
					test_block_flow_through_table, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_timeouts_and_manual_block, setup, teardown),
			cmocka_unit_test_setup_teardown(test_ext_name, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_ext_inactive_pairs_are_kept, setup, teardown),
			cmocka_unit_test_setup_teardown(test_unadmit, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_idle_probing_expires, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_warn_rate_limit, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_throttle_through_table, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_throttled_trial_is_not_spent, setup, teardown),
			cmocka_unit_test_setup_teardown(
					test_limits_pin_and_sweep, setup, teardown),
	};
	return cmocka_run_group_tests_name("rg_table", tests, NULL, NULL);
}
