/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One destination's rules (rg_entry.c), on a bare entry: no table, no
 * locks. What a reply counts and means, how admission combines health and
 * throttle, timeouts, releases, expiry and host pairs.
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

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 5000 * SEC)

static struct rg_entry E;
static struct rg_entry_cold EC;
static struct rg_entry_cfg C;
static struct rg_change chg;

/* a fresh entry "gw": no default limit; adaptive, 0.5, 1 cps floor, 1 s
 * interval, 1 cps step; idle after 600 s */
static int setup(void **state)
{
	static const struct rg_health_cfg h = {1, 300, 3, 30, 30, 1};
	static const struct rg_throttle_cfg th = {
			{0, 1, 0}, 1, 500, 1000, 1000, 1000, 0, 0, 0};

	(void)state;
	C.slot_ms = rg_window_slot_ms(60);
	C.idle_ms = 600 * SEC;
	C.health = h;
	C.throttle = th;
	memset(&C.fail, 0, sizeof(C.fail));
	C.fail.min_calls = 20;
	rg_entry_init(&E, &EC, &C, "gw", 2, T0);
	return 0;
}

/* run `op` as the table does: the snapshot only when something changed */
static int run(struct rg_op *op, uint64_t now)
{
	int rc = rg_entry_apply(&E, &C, op, now, &chg);

	if(chg.ev != RG_EV_NONE || chg.tev != RG_TEV_NONE)
		rg_entry_snapshot(&E, &C, now, &chg.snap);
	return rc;
}

static int admit_full(const struct rg_ext *ext, uint64_t now,
		struct rg_admission *adm)
{
	struct rg_op op = {.kind = RG_OP_ADMIT};

	op.u.admit.ext = ext;
	op.u.admit.out = adm;
	return run(&op, now);
}

static int admit(uint64_t now, uint32_t *ra)
{
	struct rg_admission adm;
	int rc = admit_full(NULL, now, &adm);

	*ra = adm.retry_after;
	return rc;
}

static int reply_r(const struct rg_reply *r, uint64_t now)
{
	struct rg_op op = {.kind = RG_OP_REPLY};

	op.u.reply = r;
	return run(&op, now);
}

static void reply(int code, int sdp, int ra, int64_t pdd, uint64_t now)
{
	struct rg_reply r = {.code = code, .has_sdp = sdp, .retry_after = ra, .pdd_ms = pdd, .release = 0, .trial = 0, .sdp_only = 0};

	assert_int_equal(reply_r(&r, now), RG_OK);
}

static int timeout(int failure, int release, uint64_t trial, uint64_t now)
{
	struct rg_op op = {.kind = RG_OP_TIMEOUT};

	op.u.timeout.failure = failure;
	op.u.timeout.release = release;
	op.u.timeout.trial = trial;
	return run(&op, now);
}

static int simple(enum rg_op_kind kind, uint64_t now)
{
	struct rg_op op = {.kind = kind};

	return run(&op, now);
}

static void block(uint32_t secs, uint64_t now)
{
	struct rg_op op = {.kind = RG_OP_BLOCK};

	op.u.block_s = secs;
	run(&op, now);
}

static int unadmit(uint64_t at, int held, uint64_t trial, uint64_t now)
{
	struct rg_op op = {.kind = RG_OP_UNADMIT};

	op.u.unadmit.admitted_ms = at;
	op.u.unadmit.held = held;
	op.u.unadmit.trial = trial;
	return run(&op, now);
}

static void set_limit(uint32_t mcps, uint32_t burst, uint32_t cap)
{
	struct rg_limit lim = {mcps, burst, cap};
	struct rg_op op = {.kind = RG_OP_SET_LIMIT};

	op.u.limit.lim = &lim;
	op.u.limit.src = RG_LIM_MANUAL;
	op.u.limit.gen = 0;
	assert_int_equal(run(&op, T0), RG_OK);
}

static struct rg_snapshot snap(uint64_t now)
{
	struct rg_snapshot s;

	rg_entry_snapshot(&E, &C, now, &s);
	return s;
}

/* every reply class, and what SDP and Retry-After add */
static void test_counters(void **state)
{
	struct rg_snapshot s;
	uint32_t ra = 99;
	int i;

	(void)state;
	for(i = 0; i < 10; i++)
		assert_int_equal(admit(T0, &ra), RG_ADMITTED);
	assert_int_equal(ra, 0);
	reply(100, 0, -1, -1, T0);
	reply(180, 0, -1, -1, T0);
	reply(183, 1, -1, -1, T0);
	reply(183, 0, -1, -1, T0);
	reply(200, 0, -1, -1, T0);
	reply(302, 0, -1, -1, T0);
	reply(486, 0, -1, -1, T0);
	reply(500, 0, -1, -1, T0);
	reply(503, 0, -1, -1, T0);
	reply(503, 0, 30, -1, T0);
	reply(603, 0, -1, -1, T0);
	/* SDP and Retry-After mean nothing on other codes */
	reply(200, 1, 30, -1, T0);
	assert_int_equal(timeout(0, 0, 0, T0), RG_OK);
	assert_int_equal(timeout(0, 0, 0, T0), RG_OK);

	s = snap(T0);
	assert_string_equal(s.key, "gw");
	/* the 503 with Retry-After: 30 blocked it, and the 200 after it
	 * (a call admitted earlier) did not lift the block */
	assert_int_equal(s.f[RG_F_STATE], RG_DOWN);
	assert_int_equal(s.f[RG_F_RA_LAST], 30);
	assert_int_equal(s.f[RG_F_BLOCKED_FOR], 30);
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
	s = snap(T0 + 65 * SEC);
	assert_int_equal(s.f[RG_F_BLOCKED_FOR], 0);
	assert_int_equal(s.win[RG_C_ATTEMPTS], 0);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 10);
	assert_int_equal(s.f[RG_F_IDLE], 65);
}

static void test_pdd(void **state)
{
	struct rg_snapshot s;

	(void)state;
	s = snap(T0);
	assert_int_equal(s.f[RG_F_PDD_AVG], 0);
	assert_int_equal(s.f[RG_F_PDD_MAX], 0);
	reply(183, 0, -1, 100, T0);
	reply(180, 0, -1, 300, T0);
	reply(183, 0, -1, 200, T0);
	reply(183, 0, -1, -1, T0); /* not a first 18x: no sample */
	s = snap(T0);
	assert_int_equal(s.f[RG_F_PDD_SAMPLES], 3);
	assert_int_equal(s.f[RG_F_PDD_AVG], 200);
	assert_int_equal(s.f[RG_F_PDD_MAX], 300);
	/* absurd delays saturate rather than wrap */
	reply(183, 0, -1, INT64_MAX, T0);
	assert_int_equal(snap(T0).f[RG_F_PDD_MAX], UINT32_MAX);
	/* reset zeroes the counters and the delays, not the state */
	simple(RG_OP_RESET, T0);
	s = snap(T0);
	assert_int_equal(s.f[RG_F_PDD_SAMPLES], 0);
	assert_int_equal(s.ctr[RG_C_R183], 0);
	assert_int_equal(s.win[RG_C_R183], 0);
}

static void test_block_flow(void **state)
{
	struct rg_reply r503 = {.code = 503, .has_sdp = 0, .retry_after = 3, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_reply r200 = {.code = 200, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_admission adm;
	uint32_t ra;

	(void)state;
	assert_int_equal(admit(T0, &ra), RG_ADMITTED);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(reply_r(&r503, T0), RG_OK);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(chg.old_state, RG_UP);
	assert_int_equal(chg.code, 503);
	assert_int_equal(chg.retry_after, 3);
	assert_int_equal(chg.snap.f[RG_F_STATE], RG_DOWN);
	assert_int_equal(chg.snap.f[RG_F_BLOCKED_FOR], 3);

	/* blocked: refused and counted, with the time left */
	assert_int_equal(admit(T0 + 1 * SEC, &ra), RG_BLOCKED);
	assert_int_equal(ra, 2);
	assert_int_equal(snap(T0).ctr[RG_C_REJ_BLOCKED], 1);
	assert_int_equal(snap(T0).ctr[RG_C_ATTEMPTS], 1);

	/* the timer sees the block end, and only then */
	assert_int_equal(rg_entry_peek(&E, &C, RG_OP_TICK, T0), 1);
	simple(RG_OP_TICK, T0 + 2 * SEC);
	assert_int_equal(chg.ev, RG_EV_NONE);
	simple(RG_OP_TICK, T0 + 3 * SEC);
	assert_int_equal(chg.ev, RG_EV_PROBING);
	assert_int_equal(chg.snap.f[RG_F_STATE], RG_PROBING);
	assert_int_equal(rg_entry_peek(&E, &C, RG_OP_TICK, T0), 0);
	/* one trial, then its success brings it up */
	assert_int_equal(admit_full(NULL, T0 + 3 * SEC, &adm), RG_ADMITTED);
	assert_true(adm.trial != 0);
	assert_int_equal(admit(T0 + 3 * SEC, &ra), RG_BLOCKED);
	/* a call admitted before the block cannot lift it */
	assert_int_equal(reply_r(&r200, T0 + 4 * SEC), RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(snap(T0 + 4 * SEC).f[RG_F_STATE], RG_PROBING);
	r200.trial = adm.trial;
	assert_int_equal(reply_r(&r200, T0 + 4 * SEC), RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
	assert_int_equal(chg.old_state, RG_PROBING);
}

static void test_timeouts_and_manual_block(void **state)
{
	uint32_t ra;
	int i;

	(void)state;
	/* a timeout after the destination answered is not its failure */
	assert_int_equal(timeout(0, 0, 0, T0), RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(chg.code, 408);
	for(i = 0; i < 3; i++)
		assert_int_equal(timeout(1, 0, 0, T0), RG_OK);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(snap(T0).ctr[RG_C_TIMEOUTS], 4);
	assert_int_equal(snap(T0).f[RG_F_BLOCKED_FOR], 30);

	simple(RG_OP_UNBLOCK, T0);
	assert_int_equal(chg.ev, RG_EV_UP);
	block(1000, T0);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	/* a manual block is not clamped to retry_after_max */
	assert_int_equal(snap(T0).f[RG_F_BLOCKED_FOR], 1000);
	assert_int_equal(admit(T0, &ra), RG_BLOCKED);
	assert_int_equal(ra, 1000);
	/* and a blocked destination is not expired as idle */
	assert_int_equal(simple(RG_OP_EXPIRE, T0 + 900 * SEC), 0);
}

/* rate, cap, adaptive cut and release: the throttle's rules in an entry */
static void test_throttle_rules(void **state)
{
	struct rg_reply r503 = {.code = 503, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 1, .trial = 0, .sdp_only = 0};
	struct rg_reply r486 = {.code = 486, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 1, .trial = 0, .sdp_only = 0};
	struct rg_admission adm;
	struct rg_snapshot s;
	uint32_t ra;
	int i;

	(void)state;
	set_limit(2000, 1, 2);
	assert_int_equal(admit_full(NULL, T0, &adm), RG_ADMITTED);
	assert_int_equal(adm.held, 1);
	/* over the rate: refused, counted, with a Retry-After to suggest */
	assert_int_equal(admit(T0 + 1, &ra), RG_THROTTLED);
	assert_int_equal(ra, 1);
	assert_int_equal(admit(T0 + 500, &ra), RG_ADMITTED);
	/* over the cap of 2 in flight */
	assert_int_equal(admit(T0 + 1000, &ra), RG_THROTTLED);
	s = snap(T0 + 1000);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 2);
	assert_int_equal(s.ctr[RG_C_REJ_THROTTLED], 2);
	assert_int_equal(s.f[RG_F_CONCURRENT], 2);
	assert_int_equal(s.f[RG_F_MAX_CONCURRENT], 2);
	assert_int_equal(s.f[RG_F_CPS_LIMIT], 2000);
	assert_int_equal(s.f[RG_F_LIMIT_SRC], RG_LIM_MANUAL);
	/* a busy entry is never expired */
	assert_int_equal(simple(RG_OP_EXPIRE, T0 + 9000 * SEC), 0);
	/* a final reply with release ends a hold; a 503 without Retry-After
	 * also starts back-off */
	assert_int_equal(reply_r(&r486, T0 + 1000), RG_OK);
	assert_int_equal(reply_r(&r503, T0 + 1000), RG_OK);
	assert_int_equal(chg.tev, RG_TEV_THROTTLED);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(chg.snap.f[RG_F_THROTTLED], 1);
	assert_int_equal(chg.snap.f[RG_F_CPS_LIMIT], 1000);
	assert_int_equal(chg.snap.f[RG_F_CONCURRENT], 0);
	/* releasing a hold that is gone is a defect, and changes nothing */
	assert_int_equal(simple(RG_OP_RELEASE, T0), RG_ENOHOLD);
	assert_int_equal(reply_r(&r486, T0 + 1000), RG_ENOHOLD);
	assert_int_equal(snap(T0).f[RG_F_CONCURRENT], 0);
	/* the timer steps it back up, and reports the end */
	simple(RG_OP_TICK, T0 + 1500);
	assert_int_equal(chg.tev, RG_TEV_NONE);
	simple(RG_OP_TICK, T0 + 2000);
	assert_int_equal(chg.tev, RG_TEV_UNTHROTTLED);
	assert_int_equal(chg.snap.f[RG_F_CPS_LIMIT], 2000);
	/* a timeout with release ends a hold too */
	for(i = 0; i < 2; i++)
		assert_int_equal(admit_full(NULL, T0 + 10 * SEC + (uint64_t)i * SEC,
								 &adm),
				RG_ADMITTED);
	assert_int_equal(timeout(0, 1, 0, T0), RG_OK);
	assert_int_equal(snap(T0).f[RG_F_CONCURRENT], 1);
}

/*
 * An admission whose call was never sent is taken back: attempt, window,
 * hold, rate token and trial.
 */
static void test_unadmit(void **state)
{
	struct rg_admission adm;
	struct rg_snapshot s;
	uint32_t ra;

	(void)state;
	set_limit(1000, 1, 1);
	assert_int_equal(admit_full(NULL, T0, &adm), RG_ADMITTED);
	assert_int_equal(adm.held, 1);
	/* a copy of it (a retransmission) is over the rate and the cap */
	assert_int_equal(admit(T0 + 1, &ra), RG_THROTTLED);
	assert_int_equal(unadmit(T0, adm.held, adm.trial, T0 + 2), RG_OK);
	s = snap(T0 + 2);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 0);
	assert_int_equal(s.win[RG_C_ATTEMPTS], 0);
	assert_int_equal(s.f[RG_F_CONCURRENT], 0);
	/* its token is back: the next call fits at once */
	assert_int_equal(admit(T0 + 3, &ra), RG_ADMITTED);
	/* a trial that was never sent frees the probing slot */
	block(1, T0 + 10);
	assert_int_equal(unadmit(T0 + 3, 1, 0, T0 + 10), RG_OK);
	assert_int_equal(admit_full(NULL, T0 + 2 * SEC, &adm), RG_ADMITTED);
	assert_true(adm.trial != 0);
	assert_int_equal(admit(T0 + 2 * SEC + 1, &ra), RG_BLOCKED);
	unadmit(T0 + 2 * SEC, adm.held, adm.trial, T0 + 2 * SEC);
	assert_int_equal(admit_full(NULL, T0 + 4 * SEC, &adm), RG_ADMITTED);
	assert_true(adm.trial != 0);
}

/*
 * A reset with calls in flight: a call admitted before it and found never
 * sent after it takes nothing from what was counted since.
 */
static void test_unadmit_after_reset(void **state)
{
	struct rg_admission old, adm;
	struct rg_snapshot s;

	(void)state;
	assert_int_equal(admit_full(NULL, T0, &old), RG_ADMITTED);
	assert_int_equal(simple(RG_OP_RESET, T0 + 5), RG_OK);
	assert_int_equal(admit_full(NULL, T0 + 6, &adm), RG_ADMITTED);
	assert_int_equal(unadmit(T0, old.held, old.trial, T0 + 7), RG_OK);
	s = snap(T0 + 7);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 1);
	assert_int_equal(s.win[RG_C_ATTEMPTS], 1);
	/* one admitted since is still taken back */
	assert_int_equal(unadmit(T0 + 6, adm.held, adm.trial, T0 + 8), RG_OK);
	s = snap(T0 + 8);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 0);
	assert_int_equal(s.win[RG_C_ATTEMPTS], 0);
}

static void test_throttled_trial_is_not_spent(void **state)
{
	uint32_t ra;

	(void)state;
	set_limit(500, 1, 0);
	assert_int_equal(admit(T0, &ra), RG_ADMITTED); /* next fits at +2 s */
	block(1, T0);
	/* probing, but the rate refuses: the trial is not spent on it */
	assert_int_equal(admit(T0 + 1500, &ra), RG_THROTTLED);
	assert_int_equal(snap(T0 + 1500).f[RG_F_STATE], RG_PROBING);
	assert_int_equal(admit(T0 + 2 * SEC, &ra), RG_ADMITTED);
	/* now the trial is in flight */
	assert_int_equal(admit(T0 + 5 * SEC, &ra), RG_BLOCKED);
}

/*
 * One gateway spelled two ways in two sets: both pairs made inactive stay
 * until each is active again, whatever calls arrive meanwhile.
 */
static void test_ext_inactive_pairs_are_kept(void **state)
{
	struct rg_ext x1 = {1, "sip:1.2.3.4:5060", 16};
	struct rg_ext x2 = {2, "sip:gw@1.2.3.4:5060", 19};
	struct rg_ext other = {3, "sip:gw2@1.2.3.4", 15};
	struct rg_admission adm;
	struct rg_op mark = {.kind = RG_OP_EXT_MARK};
	struct rg_snapshot s;
	int i;

	(void)state;
	admit_full(&x1, T0, &adm);
	admit_full(&x2, T0, &adm);
	s = snap(T0);
	assert_int_equal(s.ext_npairs, 2);
	assert_int_equal(simple(RG_OP_EXT_PENDING, T0), 0);
	/* the host made both inactive */
	s.ext_pairs[0].inactive = 1;
	s.ext_pairs[1].inactive = 1;
	mark.u.mark = &s;
	assert_int_equal(run(&mark, T0), RG_OK);
	/* a pending pair keeps the entry for the timer's re-assertion */
	assert_int_equal(rg_entry_peek(&E, &C, RG_OP_EXT_PENDING, T0), 1);
	assert_int_equal(simple(RG_OP_EXT_PENDING, T0), 1);
	/* calls through other names and sets cannot push them out */
	for(i = 0; i < 8; i++) {
		other.tag = 3 + i;
		admit_full(&other, T0, &adm);
	}
	s = snap(T0);
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
	assert_int_equal(simple(RG_OP_EXPIRE, T0 + 10000 * SEC), 0);
	/* made active again: they may go now */
	s.ext_pairs[0].inactive = 0;
	s.ext_pairs[1].gone = 1;
	mark.u.mark = &s;
	assert_int_equal(run(&mark, T0), RG_OK);
	s = snap(T0);
	assert_int_equal(s.ext_npairs, 1);
	assert_int_equal(s.ext_pairs[0].inactive, 0);
	assert_int_equal(simple(RG_OP_EXT_PENDING, T0), 0);
	assert_int_equal(simple(RG_OP_EXPIRE, T0 + 10000 * SEC), 1);
}

/*
 * A reload that no longer lists a destination puts it back on the
 * defaults; when they are below its back-off rate, the back-off ends,
 * and the change says so (rg_update applies it like any other).
 */
static void test_sweep_ends_backoff(void **state)
{
	struct rg_limit lim = {10000, 10, 0};
	struct rg_op op = {.kind = RG_OP_SET_LIMIT};
	uint32_t ra;
	int i;

	(void)state;
	C.throttle.dflt.mcps = 1000;
	op.u.limit.lim = &lim;
	op.u.limit.src = RG_LIM_FILE;
	op.u.limit.gen = 1;
	run(&op, T0);
	for(i = 0; i < 8; i++)
		assert_int_equal(admit(T0 + (uint64_t)i * 100, &ra), RG_ADMITTED);
	reply(503, 0, -1, -1, T0 + 900);
	assert_int_equal(chg.tev, RG_TEV_THROTTLED);
	assert_true(snap(T0 + 900).f[RG_F_CPS_LIMIT] > 1000);
	/* the same load: kept */
	op.kind = RG_OP_SWEEP_LIMITS;
	op.u.sweep_gen = 1;
	assert_int_equal(rg_entry_peek(&E, &C, RG_OP_SWEEP_LIMITS, T0), 1);
	assert_int_equal(run(&op, T0 + 1000), 0);
	assert_int_equal(chg.tev, RG_TEV_NONE);
	/* a later one that does not list it: defaults, back-off over */
	op.u.sweep_gen = 2;
	assert_int_equal(run(&op, T0 + 1000), 1);
	assert_int_equal(chg.tev, RG_TEV_UNTHROTTLED);
	assert_int_equal(chg.snap.f[RG_F_LIMIT_SRC], RG_LIM_DEFAULT);
	assert_int_equal(chg.snap.f[RG_F_CPS_LIMIT], 1000);
	assert_int_equal(rg_entry_peek(&E, &C, RG_OP_SWEEP_LIMITS, T0), 0);
}

/* a 503 without Retry-After under AIMD is overload, not death */
static void test_overloaded_is_not_dead(void **state)
{
	uint32_t ra;
	int i;

	(void)state;
	for(i = 0; i < 10; i++)
		assert_int_equal(admit(T0 + (uint64_t)i * 10, &ra), RG_ADMITTED);
	for(i = 0; i < 10; i++) {
		reply(503, 0, -1, -1, T0 + 100 + (uint64_t)i * 100);
		assert_int_equal(chg.ev, RG_EV_NONE);
	}
	assert_int_equal(snap(T0 + SEC).f[RG_F_STATE], RG_UP);
	assert_int_equal(snap(T0 + SEC).f[RG_F_THROTTLED], 1);
	/* but counted as failures, for the ratio */
	assert_int_equal(snap(T0 + SEC).ctr[RG_C_FAILURES], 10);
	/* without AIMD it is a health failure, as before */
	C.throttle.adaptive = 0;
	rg_entry_init(&E, &EC, &C, "gw", 2, T0);
	for(i = 0; i < 3; i++)
		reply(503, 0, -1, -1, T0);
	assert_int_equal(chg.ev, RG_EV_DOWN);
}

/* failure_codes are health failures; other finals are successes */
static void test_failure_codes(void **state)
{
	(void)state;
	assert_int_equal(rg_codes_parse("500, 502,504", &C.fail.codes), 0);
	reply(502, 0, -1, -1, T0);
	reply(500, 0, -1, -1, T0);
	assert_int_equal(chg.ev, RG_EV_NONE);
	reply(486, 0, -1, -1, T0); /* a success: the streak starts again */
	reply(504, 0, -1, -1, T0);
	reply(500, 0, -1, -1, T0);
	assert_int_equal(chg.ev, RG_EV_NONE);
	reply(502, 0, -1, -1, T0);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(snap(T0).ctr[RG_C_FAILURES], 5);
	/* the list's syntax */
	assert_int_equal(rg_codes_parse("", &C.fail.codes), 0);
	assert_int_equal(rg_codes_has(&C.fail.codes, 500), 0);
	assert_int_equal(rg_codes_parse("299", &C.fail.codes), -1);
	assert_int_equal(rg_codes_parse("700", &C.fail.codes), -1);
	assert_int_equal(rg_codes_parse("500x", &C.fail.codes), -1);
	assert_int_equal(rg_codes_parse("5000", &C.fail.codes), -1);
	assert_int_equal(rg_codes_parse("300,699", &C.fail.codes), 0);
	assert_int_equal(rg_codes_has(&C.fail.codes, 300), 1);
	assert_int_equal(rg_codes_has(&C.fail.codes, 699), 1);
	assert_int_equal(rg_codes_has(&C.fail.codes, 700), 0);
	assert_int_equal(rg_codes_has(&C.fail.codes, 200), 0);
}

/* 3 failures in 5, never 3 in a row: down by the ratio, not the streak */
static void test_failure_ratio(void **state)
{
	static const int pattern[] = {500, 200, 500, 486, 500, 200, 500};
	unsigned int i;
	int downs = 0;

	(void)state;
	assert_int_equal(rg_codes_parse("500", &C.fail.codes), 0);
	/* off: never down */
	for(i = 0; i < 7; i++) {
		reply(pattern[i], 0, -1, -1, T0 + i);
		downs += chg.ev == RG_EV_DOWN;
	}
	assert_int_equal(downs, 0);
	/* 50 %, at least 5 calls: the 5th reply (3 of 5) takes it down */
	C.fail.ratio_pct = 50;
	C.fail.min_calls = 5;
	rg_entry_init(&E, &EC, &C, "gw", 2, T0);
	for(i = 0; i < 4; i++) {
		reply(pattern[i], 0, -1, -1, T0 + i);
		assert_int_equal(chg.ev, RG_EV_NONE);
	}
	reply(pattern[4], 0, -1, -1, T0 + 4);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(snap(T0 + 4).f[RG_F_BLOCKED_FOR], 30);
	/* 503s without Retry-After count whatever adaptive says */
	rg_entry_init(&E, &EC, &C, "gw", 2, T0);
	for(i = 0; i < 5; i++)
		reply(i % 2 ? 200 : 503, 0, -1, -1, T0 + i);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	/* back up after its trial: the failures that took it down no longer
	 * count, and a 200 cannot take it down again */
	C.fail.min_calls = 5;
	rg_entry_init(&E, &EC, &C, "gw", 2, T0);
	for(i = 0; i < 5; i++)
		reply(500, 0, -1, -1, T0 + i);
	assert_int_equal(snap(T0 + 5).f[RG_F_STATE], RG_DOWN);
	simple(RG_OP_UNBLOCK, T0 + 6 * SEC);
	assert_int_equal(chg.ev, RG_EV_UP);
	reply(200, 0, -1, -1, T0 + 7 * SEC);
	assert_int_equal(chg.ev, RG_EV_NONE);
	reply(500, 0, -1, -1, T0 + 7 * SEC);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(snap(T0 + 7 * SEC).f[RG_F_STATE], RG_UP);
	/* a ratio trip names no reply as its cause */
	for(i = 0; i < 5; i++)
		reply(i % 2 ? 200 : 500, 0, -1, -1, T0 + 20 * SEC);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(chg.code, 0);
	/* below the minimum: never */
	C.fail.min_calls = 20;
	rg_entry_init(&E, &EC, &C, "gw", 2, T0);
	for(i = 0; i < 7; i++)
		reply(pattern[i], 0, -1, -1, T0 + i);
	assert_int_equal(snap(T0 + 7).f[RG_F_STATE], RG_UP);
}

/* up_threshold trials in a row; a trial fails on any 503 */
static void test_up_threshold(void **state)
{
	struct rg_reply ok = {.code = 200, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_reply busy = {.code = 503, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_admission adm;
	uint32_t ra;

	(void)state;
	C.health.up_threshold = 2;
	block(1, T0);
	simple(RG_OP_TICK, T0 + SEC);
	assert_int_equal(chg.ev, RG_EV_PROBING);
	assert_int_equal(admit_full(NULL, T0 + SEC, &adm), RG_ADMITTED);
	ok.trial = adm.trial;
	assert_int_equal(reply_r(&ok, T0 + SEC), RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE); /* one of two */
	assert_int_equal(snap(T0 + SEC).f[RG_F_STATE], RG_PROBING);
	/* the next call is the next trial */
	assert_int_equal(admit_full(NULL, T0 + SEC, &adm), RG_ADMITTED);
	assert_true(adm.trial != 0);
	assert_int_equal(admit(T0 + SEC, &ra), RG_BLOCKED);
	/* an overload 503 is no health failure, but it fails the trial */
	busy.trial = adm.trial;
	assert_int_equal(reply_r(&busy, T0 + SEC), RG_OK);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	/* probing again: two trials in a row now */
	simple(RG_OP_TICK, T0 + 40 * SEC);
	assert_int_equal(chg.ev, RG_EV_PROBING);
	assert_int_equal(admit_full(NULL, T0 + 40 * SEC, &adm), RG_ADMITTED);
	ok.trial = adm.trial;
	reply_r(&ok, T0 + 40 * SEC);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(admit_full(NULL, T0 + 40 * SEC, &adm), RG_ADMITTED);
	ok.trial = adm.trial;
	reply_r(&ok, T0 + 40 * SEC);
	assert_int_equal(chg.ev, RG_EV_UP);
}

/* what an idle entry may lose, and when */
static void test_expirable(void **state)
{
	(void)state;
	assert_int_equal(simple(RG_OP_EXPIRE, T0 + 599 * SEC), 0);
	assert_int_equal(simple(RG_OP_EXPIRE, T0 + 600 * SEC), 1);
	/* a limit of its own keeps it */
	set_limit(1000, 1, 0);
	assert_int_equal(simple(RG_OP_EXPIRE, T0 + 9000 * SEC), 0);
	/* never, with idle 0 */
	C.idle_ms = 0;
	rg_entry_init(&E, &EC, &C, "gw", 2, T0);
	assert_int_equal(simple(RG_OP_EXPIRE, T0 + 9000 * SEC), 0);
}

/* counts wait in the tally of the slot now running, and are all there
 * when read: across a slot's end, from a clock read before it, and past
 * what a tally counter holds */
static void test_tally(void **state)
{
	struct rg_snapshot s;
	uint64_t slot = C.slot_ms;
	uint32_t ra;
	int i;

	(void)state;
	for(i = 0; i < 3; i++)
		assert_int_equal(admit(T0, &ra), RG_ADMITTED);
	assert_int_equal(rg_entry_count(&E, RG_C_ATTEMPTS), 3);
	for(i = 0; i < 2; i++)
		assert_int_equal(admit(T0 + slot, &ra), RG_ADMITTED);
	/* a process that read the clock before the slot began */
	assert_int_equal(admit(T0 + slot - 1, &ra), RG_ADMITTED);
	assert_int_equal(rg_entry_count(&E, RG_C_ATTEMPTS), 6);
	s = snap(T0 + slot);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 6);
	assert_int_equal(s.win[RG_C_ATTEMPTS], 6);
	/* read twice: nothing counted twice */
	s = snap(T0 + slot);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 6);
	assert_int_equal(s.win[RG_C_ATTEMPTS], 6);
	/* more than a tally counter holds, in one slot */
	for(i = 0; i < 70000; i++)
		reply_r(&(struct rg_reply){.code = 183, .retry_after = -1, .pdd_ms = -1},
				T0 + slot);
	assert_int_equal(rg_entry_count(&E, RG_C_R183), 70000);
	s = snap(T0 + slot);
	assert_int_equal(s.ctr[RG_C_R183], 70000);
	assert_int_equal(s.win[RG_C_R183], 70000);
	assert_int_equal(s.series_183[RG_WIN_SLOTS - 1], 70000);
	/* the window forgets, the lifetime counters do not */
	s = snap(T0 + 13 * slot);
	assert_int_equal(s.win[RG_C_ATTEMPTS], 0);
	assert_int_equal(s.ctr[RG_C_ATTEMPTS], 6);
	assert_int_equal(s.ctr[RG_C_R183], 70000);
}

/* the tally's counts land in their own window slot, and a tally left
 * unread longer than the window is only lifetime counts */
static void test_tally_slots(void **state)
{
	const struct rg_reply r183 = {.code = 183, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = 0, .sdp_only = 0};
	struct rg_snapshot s;
	uint64_t slot = C.slot_ms;

	(void)state;
	reply_r(&r183, T0);
	reply_r(&r183, T0);
	reply_r(&r183, T0 + slot);
	reply_r(&r183, T0 + slot - 1); /* a clock read before the slot began */
	reply_r(&r183, T0 + 3 * slot);
	s = snap(T0 + 3 * slot);
	assert_int_equal(s.series_183[RG_WIN_SLOTS - 1], 1);
	assert_int_equal(s.series_183[RG_WIN_SLOTS - 2], 0);
	assert_int_equal(s.series_183[RG_WIN_SLOTS - 3], 1);
	assert_int_equal(s.series_183[RG_WIN_SLOTS - 4], 3);
	assert_int_equal(s.win[RG_C_R183], 5);
	/* counted, then not read for longer than the window */
	reply_r(&r183, T0 + 4 * slot);
	reply_r(&r183, T0 + 4 * slot);
	s = snap(T0 + 20 * slot);
	assert_int_equal(s.win[RG_C_R183], 0);
	assert_int_equal(s.series_183[RG_WIN_SLOTS - 1], 0);
	assert_int_equal(s.ctr[RG_C_R183], 7);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup(test_counters, setup),
			cmocka_unit_test_setup(test_pdd, setup),
			cmocka_unit_test_setup(test_block_flow, setup),
			cmocka_unit_test_setup(test_timeouts_and_manual_block, setup),
			cmocka_unit_test_setup(test_throttle_rules, setup),
			cmocka_unit_test_setup(test_unadmit, setup),
			cmocka_unit_test_setup(test_unadmit_after_reset, setup),
			cmocka_unit_test_setup(test_throttled_trial_is_not_spent, setup),
			cmocka_unit_test_setup(test_ext_inactive_pairs_are_kept, setup),
			cmocka_unit_test_setup(test_sweep_ends_backoff, setup),
			cmocka_unit_test_setup(test_overloaded_is_not_dead, setup),
			cmocka_unit_test_setup(test_failure_codes, setup),
			cmocka_unit_test_setup(test_failure_ratio, setup),
			cmocka_unit_test_setup(test_up_threshold, setup),
			cmocka_unit_test_setup(test_expirable, setup),
			cmocka_unit_test_setup(test_tally, setup),
			cmocka_unit_test_setup(test_tally_slots, setup),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("entry", tests, NULL, NULL);
}
