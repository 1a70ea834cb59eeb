/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Never shun a whole set (rg_guard.c, and its use by rg_entry.c): the
 * percent with 2, 3 and 4 destinations, what counts as blocked, what is
 * always applied, and the footprint following sets and state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_entry.h"
#include "seam_stub.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 5000 * SEC)
#define N 4

static struct rg_entry E[N];
static struct rg_entry_cold EC[N];
static struct rg_entry_cfg C;
static struct rg_change chg;

/* N entries gw0..gw3, all in set 1; down_threshold 3, down_time 30 s */
static void start(unsigned int pct, int n, int tag)
{
	static const struct rg_health_cfg h = {1, 300, 3, 30, 30, 1};
	static const struct rg_throttle_cfg th = {
			{0, 1, 0}, 1, 500, 1000, 1000, 1000, 0, 0, 0};
	struct rg_op op = {.kind = RG_OP_SEED};
	struct rg_ext x;
	char name[16];
	int i;

	memset(&C, 0, sizeof(C));
	C.slot_ms = rg_window_slot_ms(60);
	C.health = h;
	C.throttle = th;
	C.fail.min_calls = 20;
	C.guard = rg_guard_new(pct);
	assert_non_null(C.guard);
	for(i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "gw%d", i);
		rg_entry_init(&E[i], &EC[i], &C, name, 3, T0);
		x.tag = tag;
		x.name = name;
		x.len = 3;
		op.u.seed = &x;
		rg_entry_apply(&E[i], &C, &op, T0, &chg);
	}
}

static void teardown(void **state)
{
	(void)state;
	rg_guard_free(C.guard);
	C.guard = NULL;
}

static void counts(int tag, unsigned int members, unsigned int blocked)
{
	unsigned int m = 99, b = 99;

	assert_int_equal(rg_guard_set(C.guard, tag, &m, &b), 0);
	assert_int_equal(m, members);
	assert_int_equal(b, blocked);
}

/* a call admitted to gw`i`, then a timeout after 100 Trying only */
static void fail_once(int i, uint64_t now)
{
	struct rg_admission adm;
	struct rg_op op = {.kind = RG_OP_ADMIT};

	op.u.admit.ext = NULL;
	op.u.admit.out = &adm;
	rg_entry_apply(&E[i], &C, &op, now, &chg);
	op.kind = RG_OP_TIMEOUT;
	op.u.timeout.failure = 1;
	op.u.timeout.release = adm.held;
	op.u.timeout.trial = adm.trial;
	rg_entry_apply(&E[i], &C, &op, now, &chg);
}

/* down_threshold failures in a row: 1 when gw`i` went down */
static int knock_down(int i, uint64_t now)
{
	int k, down = 0;

	for(k = 0; k < 3; k++) {
		fail_once(i, now);
		down |= chg.ev == RG_EV_DOWN;
	}
	return down && E[i].health.state == RG_DOWN;
}

static void test_two_destinations(void **state)
{
	(void)state;
	/* 50 % of 2: one may be blocked, not both */
	start(50, 2, 1);
	counts(1, 2, 0);
	assert_true(knock_down(0, T0));
	counts(1, 2, 1);
	assert_false(knock_down(1, T0));
	assert_int_equal(E[1].health.state, RG_UP);
	assert_int_equal(rg_entry_count(&E[1], RG_C_BLOCKS_SKIPPED), 1);
	counts(1, 2, 1);
	teardown(NULL);
	/* 49 % of 2: none may be */
	start(49, 2, 1);
	assert_false(knock_down(0, T0));
	counts(1, 2, 0);
	teardown(NULL);
}

static void test_three_destinations(void **state)
{
	(void)state;
	/* 67 % of 3 is 2.01: two may be blocked */
	start(67, 3, 1);
	assert_true(knock_down(0, T0));
	assert_true(knock_down(1, T0));
	assert_false(knock_down(2, T0));
	assert_int_equal(rg_entry_count(&E[2], RG_C_BLOCKS_SKIPPED), 1);
	/* each further failure is another block skipped; reported once */
	fail_once(2, T0 + 1);
	assert_int_equal(rg_entry_count(&E[2], RG_C_BLOCKS_SKIPPED), 2);
	assert_int_equal(chg.guard_held, -1);
	counts(1, 3, 2);
	teardown(NULL);
	/* 66 % of 3 is 1.98: only one */
	start(66, 3, 1);
	assert_true(knock_down(0, T0));
	assert_false(knock_down(1, T0));
	teardown(NULL);
}

static void test_four_destinations(void **state)
{
	(void)state;
	/* 50 % of 4: two; 75 %: three; 74 %: two */
	start(50, 4, 1);
	assert_true(knock_down(0, T0));
	assert_true(knock_down(1, T0));
	assert_false(knock_down(2, T0));
	teardown(NULL);
	start(75, 4, 1);
	assert_true(knock_down(0, T0));
	assert_true(knock_down(1, T0));
	assert_true(knock_down(2, T0));
	assert_false(knock_down(3, T0));
	teardown(NULL);
	start(74, 4, 1);
	assert_true(knock_down(0, T0));
	assert_true(knock_down(1, T0));
	assert_false(knock_down(2, T0));
	teardown(NULL);
}

/* what the guard reports: the held block once per state, the set full
 * once until it is below its limit again */
static void test_reports(void **state)
{
	struct rg_reply ok = {.code = 200, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_op op = {.kind = RG_OP_REPLY};
	int k, full = -1, held = -1;

	(void)state;
	start(67, 3, 7);
	assert_true(knock_down(0, T0));
	for(k = 0; k < 3; k++) {
		fail_once(1, T0);
		if(chg.guard_full >= 0)
			full = chg.guard_full;
	}
	assert_int_equal(E[1].health.state, RG_DOWN);
	assert_int_equal(full, 7); /* 2 of 3 blocked: the next would be over */
	for(k = 0; k < 3; k++) {
		fail_once(2, T0);
		if(chg.guard_held >= 0)
			held = chg.guard_held;
		assert_int_equal(chg.guard_full, -1); /* reported already */
	}
	assert_int_equal(held, 7);
	/* gw2's state changes (blocked by hand, then freed): its next held
	 * block is reported again */
	op.kind = RG_OP_BLOCK;
	op.u.block_s = 60;
	rg_entry_apply(&E[2], &C, &op, T0, &chg);
	counts(7, 3, 3);
	op.kind = RG_OP_UNBLOCK;
	rg_entry_apply(&E[2], &C, &op, T0, &chg);
	counts(7, 3, 2);
	assert_false(knock_down(2, T0 + 1));
	assert_int_equal(chg.guard_held, 7);
	/* gw0 is freed by hand: 1 of 3, below the limit; then a block fits */
	rg_entry_apply(&E[0], &C, &op, T0, &chg);
	counts(7, 3, 1);
	op.kind = RG_OP_REPLY;
	op.u.reply = &ok;
	rg_entry_apply(&E[2], &C, &op, T0, &chg);
	assert_true(knock_down(2, T0 + 1));
	assert_int_equal(chg.guard_full, 7); /* at the limit once more */
	counts(7, 3, 2);
	teardown(NULL);
}

/* Retry-After and manual blocks are always applied, and count */
static void test_always_applied(void **state)
{
	struct rg_reply ra = {.code = 503, .has_sdp = 0, .retry_after = 20, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_op op = {.kind = RG_OP_REPLY};

	(void)state;
	start(50, 2, 1);
	assert_true(knock_down(0, T0));
	op.u.reply = &ra;
	rg_entry_apply(&E[1], &C, &op, T0, &chg);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(rg_entry_count(&E[1], RG_C_BLOCKS_SKIPPED), 0);
	counts(1, 2, 2);
	/* a manual block of a third, in the set too */
	teardown(NULL);
	start(50, 2, 1);
	op.kind = RG_OP_BLOCK;
	op.u.block_s = 60;
	rg_entry_apply(&E[0], &C, &op, T0, &chg);
	rg_entry_apply(&E[1], &C, &op, T0, &chg);
	assert_int_equal(E[1].health.state, RG_DOWN);
	counts(1, 2, 2);
	/* and every blocked one counts toward the share */
	op.kind = RG_OP_UNBLOCK;
	rg_entry_apply(&E[1], &C, &op, T0, &chg);
	assert_false(knock_down(1, T0));
	teardown(NULL);
}

/* a probing destination still counts as blocked (one trial call at a
 * time is no service): another's block is held, and its own failed trial
 * is always applied (it counts already) */
static void test_failed_trial(void **state)
{
	struct rg_op op = {.kind = RG_OP_TICK};

	(void)state;
	start(50, 2, 1);
	assert_true(knock_down(0, T0));
	rg_entry_apply(&E[0], &C, &op, T0 + 31 * SEC, &chg);
	assert_int_equal(E[0].health.state, RG_PROBING);
	counts(1, 2, 1);
	assert_false(knock_down(1, T0 + 31 * SEC));
	assert_int_equal(rg_entry_count(&E[1], RG_C_BLOCKS_SKIPPED), 1);
	fail_once(0, T0 + 32 * SEC); /* its trial fails */
	assert_int_equal(E[0].health.state, RG_DOWN);
	assert_int_equal(rg_entry_count(&E[0], RG_C_BLOCKS_SKIPPED), 0);
	counts(1, 2, 1);
	teardown(NULL);
}

/* a restart's inferred block asks the guard; a Retry-After one does not */
static void test_restore(void **state)
{
	struct rg_saved rec;
	struct rg_op op = {.kind = RG_OP_RESTORE};

	(void)state;
	start(50, 2, 1);
	assert_true(knock_down(0, T0));
	memset(&rec, 0, sizeof(rec));
	rec.block_end = 60 * SEC; /* the wall clock below is 0 at T0 */
	rec.reason = RG_BR_INFERRED;
	op.u.saved.rec = &rec;
	op.u.saved.wall_ms = -(int64_t)T0;
	rg_entry_apply(&E[1], &C, &op, T0, &chg);
	assert_int_equal(E[1].health.state, RG_UP);
	assert_int_equal(rg_entry_count(&E[1], RG_C_BLOCKS_SKIPPED), 1);
	rec.reason = RG_BR_RA;
	rg_entry_apply(&E[1], &C, &op, T0, &chg);
	assert_int_equal(E[1].health.state, RG_DOWN);
	counts(1, 2, 2);
	teardown(NULL);
}

/* the failure ratio's block asks too */
static void test_ratio_held(void **state)
{
	struct rg_reply bad = {.code = 503, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0}; /* no Retry-After */
	struct rg_reply ok = {.code = 200, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_op op = {.kind = RG_OP_REPLY};
	int k;

	(void)state;
	start(50, 2, 1);
	C.fail.ratio_pct = 50;
	C.fail.min_calls = 4;
	assert_true(knock_down(0, T0));
	/* bad, ok, bad, ok: 2 in 4 at the 4th reply; then bad: 3 in 5 */
	for(k = 0; k < 5; k++) {
		op.u.reply = (k % 2) ? &ok : &bad;
		rg_entry_apply(&E[1], &C, &op, T0, &chg);
		assert_int_equal(rg_entry_count(&E[1], RG_C_BLOCKS_SKIPPED), k < 3 ? 0 : k - 2);
	}
	assert_int_equal(E[1].health.state, RG_UP);
	teardown(NULL);
}

/* the footprint follows the sets: a new set, a pair gone, an entry freed */
static void test_footprint(void **state)
{
	struct rg_ext x = {2, "gw0", 3};
	struct rg_op op = {.kind = RG_OP_SEED};
	struct rg_snapshot s;

	(void)state;
	start(50, 2, 1);
	op.u.seed = &x;
	rg_entry_apply(&E[0], &C, &op, T0, &chg);
	counts(2, 1, 0);
	counts(1, 2, 0);
	/* the host no longer knows gw0 in set 2 */
	rg_entry_snapshot(&E[0], &C, T0, &s);
	assert_int_equal(s.ext_npairs, 2);
	s.ext_pairs[1].gone = 1;
	op.kind = RG_OP_EXT_MARK;
	op.u.mark = &s;
	rg_entry_apply(&E[0], &C, &op, T0, &chg);
	{ /* no member left: the set's place is free again */
		unsigned int m, b;
		assert_int_equal(rg_guard_set(C.guard, 2, &m, &b), -1);
	}
	/* gw1 is freed when idle */
	C.idle_ms = 60 * SEC;
	E[1].seeded = 0;
	op.kind = RG_OP_EXPIRE;
	assert_int_equal(rg_entry_apply(&E[1], &C, &op, T0 + 61 * SEC, &chg), 1);
	counts(1, 1, 0);
	assert_int_equal(stub_locks_held(), 0);
	teardown(NULL);
}

/* more sets than the guard holds: the rest are not guarded, and counted */
static void test_untracked(void **state)
{
	struct rg_guard_fp fp;
	struct rg_ext_set es;
	struct rg_guard_note note = {-1, -1};
	struct rg_guard *g = rg_guard_new(50);
	int i;

	(void)state;
	for(i = 0; i < RG_GUARD_SETS + 3; i++) {
		memset(&fp, 0, sizeof(fp));
		memset(&es, 0, sizeof(es));
		es.npairs = 1;
		es.pairs[0].tag = i;
		es.gen = 1;
		rg_guard_sync(g, &fp, &es, 0, &note);
	}
	assert_int_equal(rg_guard_untracked(g), 3);
	rg_guard_free(g);
}

/* sets come and go (every place used, then half freed in a scattered
 * order): the rest are still found, with their counts */
static void test_sets_come_and_go(void **state)
{
	static struct rg_guard_fp fp[RG_GUARD_SETS];
	struct rg_ext_set es, none;
	struct rg_guard_note note = {-1, -1};
	struct rg_guard *g = rg_guard_new(50);
	unsigned int m, b;
	int i;

	(void)state;
	memset(fp, 0, sizeof(fp));
	memset(&none, 0, sizeof(none));
	none.gen = 9;
	for(i = 0; i < RG_GUARD_SETS; i++) {
		memset(&es, 0, sizeof(es));
		es.npairs = 1;
		es.pairs[0].tag = i * 7919;
		es.gen = 1;
		rg_guard_sync(g, &fp[i], &es, i % 3 == 0, &note);
	}
	for(i = 0; i < RG_GUARD_SETS; i += 2)
		rg_guard_sync(g, &fp[(i * 37) % RG_GUARD_SETS], &none, 0, &note);
	for(i = 0; i < RG_GUARD_SETS; i++) {
		int rc = rg_guard_set(g, i * 7919, &m, &b);

		if(fp[i].n == 0) {
			assert_int_equal(rc, -1);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(m, 1);
			assert_int_equal(b, i % 3 == 0);
		}
	}
	assert_int_equal(rg_guard_untracked(g), 0);
	rg_guard_free(g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_two_destinations),
			cmocka_unit_test(test_three_destinations),
			cmocka_unit_test(test_four_destinations),
			cmocka_unit_test(test_reports),
			cmocka_unit_test(test_always_applied),
			cmocka_unit_test(test_failed_trial),
			cmocka_unit_test(test_restore),
			cmocka_unit_test(test_ratio_held),
			cmocka_unit_test(test_footprint),
			cmocka_unit_test(test_untracked),
			cmocka_unit_test(test_sets_come_and_go),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
