/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The carrier figures: the formulas (rg_kpi.c), the delay histograms
 * (rg_hist.c), the Reason header and the causes (rg_reason.c), and what
 * an entry makes of them (rg_entry.c, rg_entry_kpi.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_branch_rules.h"
#include "rg_entry.h"
#include "rg_kpi.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 5000 * SEC)

/* ---- the formulas ---- */

static void test_formulas(void **state)
{
	uint64_t w[RG_C_COUNT] = {0}, k[RG_KPI_COUNT];

	(void)state;
	/* 104 outcomes known (and 30 more seizures still ringing), 4 of them
	 * challenges: S = 100; 6 redirected */
	w[RG_C_SEIZURES] = 134;
	w[RG_C_R2XX] = 40;
	w[RG_C_R3XX] = 6;
	w[RG_C_R4XX] = 35; /* 8 x 486, 5 x 480, 3 x 408, 6 rejects, 9 x 487,
						  4 challenges */
	w[RG_C_R5XX] = 10; /* 8 x 503, 500, 504 */
	w[RG_C_R6XX] = 6;  /* 2 x 600, 4 x 603 */
	w[RG_C_TIMEOUTS] = 7; /* 2 rang out, 5 never rang */
	w[RG_C_CHALLENGE] = 4;
	w[RG_C_BUSY] = 10;
	w[RG_C_R480] = 5;
	w[RG_C_R408] = 3;
	w[RG_C_RANG_OUT] = 2;
	w[RG_C_R603] = 4;
	w[RG_C_REJECT] = 6;
	w[RG_C_R503] = 8;
	w[RG_C_R500_504] = 2;
	w[RG_C_R487] = 9;
	rg_kpi_compute(w, 20, k);
	assert_int_equal(k[RG_KPI_ASR], 400);
	assert_int_equal(k[RG_KPI_NER], (40 + 10 + 5 + 3 + 2 + 4 + 6) * 10);
	assert_int_equal(k[RG_KPI_SER], 40 * 1000 / 94);
	assert_int_equal(k[RG_KPI_SEER], (40 + 5 + 10 + 4) * 1000 / 94);
	assert_int_equal(k[RG_KPI_ISA], (3 + 2 + 8 + 5) * 10);
	/* a 503 that was the call's is no ineffective attempt */
	w[RG_C_R503_CALL] = 3;
	rg_kpi_compute(w, 20, k);
	assert_int_equal(k[RG_KPI_ISA], (3 + 2 + 5 + 5) * 10);
	/* exactly the minimum: shown; one below: absent, not 0 */
	rg_kpi_compute(w, 100, k);
	assert_int_equal(k[RG_KPI_ASR], 400);
	rg_kpi_compute(w, 101, k);
	assert_true(k[RG_KPI_ASR] == RG_KPI_ABSENT);
	assert_true(k[RG_KPI_ISA] == RG_KPI_ABSENT);
	/* calls seized and still ringing are no failures */
	memset(w, 0, sizeof(w));
	w[RG_C_SEIZURES] = 50;
	w[RG_C_R2XX] = 5;
	rg_kpi_compute(w, 5, k);
	assert_int_equal(k[RG_KPI_ASR], 1000);
	/* an empty window */
	memset(w, 0, sizeof(w));
	rg_kpi_compute(w, 1, k);
	assert_true(k[RG_KPI_NER] == RG_KPI_ABSENT);
	assert_true(k[RG_KPI_SHORT] == RG_KPI_ABSENT);
	assert_true(rg_kpi_acd_ms(w, 1) == RG_KPI_ABSENT);
	/* durations: their own samples, the calls that ended */
	w[RG_C_CALLS_ENDED] = 8;
	w[RG_C_CALLS_SHORT] = 2;
	w[RG_C_CALL_SECS] = 300;
	rg_kpi_compute(w, 8, k);
	assert_int_equal(k[RG_KPI_SHORT], 250);
	assert_int_equal(rg_kpi_acd_ms(w, 8), 37500);
	rg_kpi_compute(w, 9, k);
	assert_true(k[RG_KPI_SHORT] == RG_KPI_ABSENT);
	assert_true(rg_kpi_acd_ms(w, 9) == RG_KPI_ABSENT);
}

/* ---- histograms ---- */

static void test_hist_buckets(void **state)
{
	(void)state;
	assert_int_equal(rg_hist_bucket(0), 0);
	assert_int_equal(rg_hist_bucket(50), 0);
	assert_int_equal(rg_hist_bucket(51), 1);
	assert_int_equal(rg_hist_bucket(150), 1);
	assert_int_equal(rg_hist_bucket(400), 3);
	assert_int_equal(rg_hist_bucket(1500), 6);
	assert_int_equal(rg_hist_bucket(30000), RG_HIST_BUCKETS - 2);
	assert_int_equal(rg_hist_bucket(30001), RG_HIST_BUCKETS - 1);
	assert_int_equal(rg_hist_bucket(UINT32_MAX), RG_HIST_BUCKETS - 1);
}

static void test_hist_quantiles(void **state)
{
	static struct rg_hist h;
	uint64_t b[RG_HIST_BUCKETS];
	uint64_t slot = 5000;
	int i;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(rg_hist_window(&h, slot, T0, b), 0);
	assert_int_equal(rg_hist_quantile(b, 500), -1);
	/* 90 at 100 ms, 9 at 400 ms, 1 at 1.5 s */
	for(i = 0; i < 90; i++)
		rg_hist_add(&h, slot, T0, 100);
	for(i = 0; i < 9; i++)
		rg_hist_add(&h, slot, T0 + 1000, 400);
	rg_hist_add(&h, slot, T0 + 2000, 1500);
	assert_int_equal(rg_hist_window(&h, slot, T0 + 2000, b), 100);
	assert_int_equal(b[1], 90);
	assert_int_equal(b[3], 9);
	assert_int_equal(b[6], 1);
	/* p50 inside (50, 150]; p95 inside (300, 500]; p99 at its top */
	assert_in_range(rg_hist_quantile(b, 500), 51, 150);
	assert_in_range(rg_hist_quantile(b, 950), 301, 500);
	assert_in_range(rg_hist_quantile(b, 990), 301, 500);
	assert_in_range(rg_hist_quantile(b, 1000), 1001, 2000);
	assert_int_equal(h.sum_ms, 90 * 100 + 9 * 400 + 1500);
	/* the lifetime stays; the window forgets after RG_WIN_SLOTS slots */
	assert_int_equal(rg_hist_window(&h, slot, T0 + 2000 + 13 * slot, b), 0);
	assert_int_equal(h.life[1], 90);
	/* beyond the last bound: the last bound we know */
	memset(&h, 0, sizeof(h));
	rg_hist_add(&h, slot, T0, 90000);
	rg_hist_window(&h, slot, T0, b);
	assert_int_equal(rg_hist_quantile(b, 500), 30000);
	/* an older slot's delay never writes over a newer slot's */
	rg_hist_add(&h, slot, T0 + 12 * slot, 100);
	rg_hist_add(&h, slot, T0, 100);
	rg_hist_window(&h, slot, T0 + 12 * slot, b);
	assert_int_equal(b[1], 1);
}

/* ---- Reason ---- */

static int parse(const char *s, struct rg_cause *c)
{
	c->proto = RG_CAUSE_NONE;
	c->num = 0;
	return rg_reason_parse(s, strlen(s), c);
}

static void test_reason_parse(void **state)
{
	struct rg_cause c;

	(void)state;
	assert_int_equal(parse("Q.850;cause=34;text=\"No circuit, sorry\"", &c), 0);
	assert_int_equal(c.proto, RG_CAUSE_Q850);
	assert_int_equal(c.num, 34);
	assert_int_equal(parse(" SIP ; cause = 404 ; text=\"Not Found\"", &c), 0);
	assert_int_equal(c.proto, RG_CAUSE_SIP);
	assert_int_equal(c.num, 404);
	/* both: the Q.850 one, in either order */
	assert_int_equal(parse("SIP;cause=503, q.850;cause=1", &c), 0);
	assert_int_equal(c.proto, RG_CAUSE_Q850);
	assert_int_equal(c.num, 1);
	assert_int_equal(parse("Q.850;cause=41,SIP;cause=480", &c), 0);
	assert_int_equal(c.num, 41);
	/* another protocol, or no cause: well-formed, no cause */
	assert_int_equal(parse("X-Carrier;cause=12", &c), 0);
	assert_int_equal(c.proto, RG_CAUSE_NONE);
	assert_int_equal(parse("Q.850;text=\"x\"", &c), 0);
	assert_int_equal(c.proto, RG_CAUSE_NONE);
	/* broken */
	assert_int_equal(parse("Q.850;cause=abc", &c), -1);
	assert_int_equal(parse("Q.850;cause=128", &c), -1);
	assert_int_equal(parse("SIP;cause=99", &c), -1);
	assert_int_equal(parse("SIP;cause=1234567", &c), -1);
	assert_int_equal(parse(";cause=1", &c), -1);
	assert_int_equal(parse("Q.850;cause", &c), -1);
	assert_int_equal(parse("Q.850;text=\"unclosed", &c), -1);
	assert_int_equal(parse("Q.850 cause=3", &c), -1);
	assert_int_equal(parse("", &c), -1);
	assert_int_equal(c.proto, RG_CAUSE_NONE);
}

static void test_reason_find(void **state)
{
	static const char hdrs[] =
			"Via: SIP/2.0/UDP 1.2.3.4\r\n"
			"Reason: SIP;cause=503\r\n"
			"Retry-After: 5\r\n"
			"reason: Q.850;cause=abc\r\n"
			"REASON: Q.850\r\n ;cause=42\r\n"
			"\r\n"
			"Reason: Q.850;cause=1\r\n";
	struct rg_cause c;

	(void)state;
	/* the body's line is no header; one malformed header is skipped */
	assert_int_equal(rg_reason_find(hdrs, sizeof(hdrs) - 1, &c), 1);
	assert_int_equal(c.proto, RG_CAUSE_Q850);
	assert_int_equal(c.num, 42);
	assert_int_equal(rg_reason_find("Via: x\r\n\r\n", 10, &c), 0);
	assert_int_equal(c.proto, RG_CAUSE_NONE);
}

static void test_cause_sets(void **state)
{
	struct rg_cause_set set;
	struct rg_cause c = {RG_CAUSE_Q850, 0};

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(rg_cause_q850_parse("1-31, 50-57,63-95", &set), 0);
	for(c.num = 0; c.num <= RG_Q850_MAX; c.num++)
		assert_int_equal(rg_cause_is_call(&set, &c),
				(c.num >= 1 && c.num <= 31) || (c.num >= 50 && c.num <= 57)
						|| (c.num >= 63 && c.num <= 95));
	c.num = 200;
	assert_false(rg_cause_is_call(&set, &c));
	assert_int_equal(rg_cause_q850_parse("31-1", &set), -1);
	assert_false(set.q850[0] | set.q850[1]);
	assert_int_equal(rg_cause_q850_parse("-5", &set), -1);
	assert_int_equal(rg_cause_q850_parse("128", &set), -1);
	assert_int_equal(rg_cause_q850_parse("1x", &set), -1);
	assert_int_equal(rg_cause_q850_parse("1-", &set), -1);
	assert_int_equal(rg_cause_q850_parse("", &set), 0);
	assert_int_equal(rg_codes_parse("404,486", &set.sip), 0);
	c.proto = RG_CAUSE_SIP;
	c.num = 486;
	assert_true(rg_cause_is_call(&set, &c));
	c.num = 503;
	assert_false(rg_cause_is_call(&set, &c));
	c.proto = RG_CAUSE_NONE;
	assert_false(rg_cause_is_call(&set, &c));
}

static void test_cause_counts(void **state)
{
	struct rg_cause_counts cc;
	struct rg_cause c = {RG_CAUSE_Q850, 0};
	int i;

	(void)state;
	memset(&cc, 0, sizeof(cc));
	for(i = 0; i < RG_CAUSE_SLOTS + 3; i++) {
		c.num = (uint16_t)(i + 1);
		rg_cause_count(&cc, &c);
		rg_cause_count(&cc, &c);
	}
	c.proto = RG_CAUSE_NONE;
	rg_cause_count(&cc, &c);
	for(i = 0; i < RG_CAUSE_SLOTS; i++) {
		assert_int_equal(cc.slot[i].num, i + 1);
		assert_int_equal(cc.slot[i].n, 2);
	}
	assert_int_equal(cc.other, 6);
}

/* ---- a branch's answer delay ---- */

static void test_answer_delay(void **state)
{
	struct rg_reply r;
	uint32_t f;

	(void)state;
	f = rg_br_reply(0, 180, RG_SDP_NO_BODY, T0, T0 + 300, &r);
	assert_false(r.answered);
	f = rg_br_reply(f, 200, RG_SDP_NO_BODY, T0, T0 + 2500, &r);
	assert_true(r.answered);
	assert_int_equal(r.answer_ms, 2500);
	/* its retransmission: nothing */
	rg_br_reply(f, 200, RG_SDP_NO_BODY, T0, T0 + 2600, &r);
	assert_false(r.answered);
	/* a failure is no answer */
	rg_br_reply(0, 486, RG_SDP_NO_BODY, T0, T0 + 100, &r);
	assert_false(r.answered);
}

/* ---- an entry ---- */

static struct rg_entry E;
static struct rg_entry_cold EC;
static struct rg_entry_cfg C;
static struct rg_change chg;

static int setup(void **state)
{
	static const struct rg_health_cfg h = {1, 300, 3, 30, 30, 1};
	static const struct rg_throttle_cfg th = {
			{0, 1, 0}, 1, 500, 1000, 1000, 1000, 0, 0, 0};

	(void)state;
	memset(&C, 0, sizeof(C));
	C.slot_ms = rg_window_slot_ms(60);
	C.health = h;
	C.throttle = th;
	C.fail.min_calls = 20;
	C.kpi.min_samples = 5;
	assert_int_equal(rg_cause_q850_parse("1-31", &C.kpi.call_causes), 0);
	assert_int_equal(rg_codes_parse("404", &C.kpi.call_causes.sip), 0);
	rg_entry_init(&E, &EC, &C, "gw", 2, T0);
	return 0;
}

static int admit(uint64_t now)
{
	struct rg_admission adm;
	struct rg_op op = {.kind = RG_OP_ADMIT};

	op.u.admit.out = &adm;
	return rg_entry_apply(&E, &C, &op, now, &chg);
}

static void reply_full(int code, int ra, struct rg_cause cause, int64_t pdd,
		int answered, uint32_t ans, uint64_t now)
{
	struct rg_reply r = {.code = code, .retry_after = ra, .pdd_ms = pdd};
	struct rg_op op = {.kind = RG_OP_REPLY};

	r.cause = cause;
	r.answered = answered;
	r.answer_ms = ans;
	op.u.reply = &r;
	assert_int_equal(rg_entry_apply(&E, &C, &op, now, &chg), RG_OK);
}

static void reply(int code, uint64_t now)
{
	reply_full(code, -1, (struct rg_cause){RG_CAUSE_NONE, 0}, -1, code < 300,
			0, now);
}

static void snap(uint64_t now, struct rg_snapshot *s)
{
	rg_entry_snapshot(&E, &C, now, s);
}

static void test_entry_call_specific_503(void **state)
{
	static struct rg_snapshot s;
	const struct rg_cause unalloc = {RG_CAUSE_Q850, 1};
	const struct rg_cause sip404 = {RG_CAUSE_SIP, 404};
	const struct rg_cause congested = {RG_CAUSE_Q850, 34};
	int i;

	(void)state;
	for(i = 0; i < 4; i++)
		assert_int_equal(admit(T0 + (uint64_t)i), RG_ADMITTED);
	/* the call failed: no cut, no block, no failure */
	reply_full(503, -1, unalloc, -1, 0, 0, T0 + 10);
	assert_int_equal(chg.tev, RG_TEV_NONE);
	assert_int_equal(chg.ev, RG_EV_NONE);
	reply_full(503, -1, sip404, -1, 0, 0, T0 + 20);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(E.health.state, RG_UP);
	snap(T0 + 30, &s);
	assert_int_equal(s.ctr[RG_C_R503], 2);
	assert_int_equal(s.ctr[RG_C_R503_CALL], 2);
	assert_int_equal(s.ctr[RG_C_R5XX], 2);
	assert_int_equal(s.ctr[RG_C_FAILURES], 0);
	assert_int_equal(s.f[RG_F_THROTTLED], 0);
	/* a congestion cause is the overload signal it always was */
	reply_full(503, -1, congested, -1, 0, 0, T0 + 40);
	assert_int_equal(chg.tev, RG_TEV_THROTTLED);
	snap(T0 + 50, &s);
	assert_int_equal(s.ctr[RG_C_R503], 3);
	assert_int_equal(s.ctr[RG_C_R503_CALL], 2);
	assert_int_equal(s.ctr[RG_C_FAILURES], 1);
	/* a Retry-After speaks for the server, whatever the cause: down */
	reply_full(503, 30, unalloc, -1, 0, 0, T0 + 60);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	snap(T0 + 70, &s);
	assert_int_equal(s.ctr[RG_C_R503_CALL], 2);
	assert_int_equal(s.causes.slot[0].proto, RG_CAUSE_Q850);
	assert_int_equal(s.causes.slot[0].num, 1);
	assert_int_equal(s.causes.slot[0].n, 2);
	assert_int_equal(s.causes.slot[1].proto, RG_CAUSE_SIP);
	assert_int_equal(s.causes.slot[2].num, 34);
	assert_int_equal(s.causes.slot[3].proto, RG_CAUSE_NONE);
}

/* a trial that a call-specific 503 ends failed (any 503 fails a trial),
 * and nothing else moves */
static void test_entry_call_specific_trial(void **state)
{
	struct rg_admission adm;
	struct rg_op op = {.kind = RG_OP_BLOCK};
	struct rg_reply r = {.code = 503, .retry_after = -1, .pdd_ms = -1};

	(void)state;
	op.u.block_s = 5;
	rg_entry_apply(&E, &C, &op, T0, &chg);
	op.kind = RG_OP_TICK;
	rg_entry_apply(&E, &C, &op, T0 + 6000, &chg);
	assert_int_equal(E.health.state, RG_PROBING);
	op.kind = RG_OP_ADMIT;
	op.u.admit.out = &adm;
	op.u.admit.ext = NULL;
	assert_int_equal(rg_entry_apply(&E, &C, &op, T0 + 6100, &chg), RG_ADMITTED);
	assert_true(adm.trial != 0);
	r.cause = (struct rg_cause){RG_CAUSE_Q850, 1};
	r.trial = adm.trial;
	op.kind = RG_OP_REPLY;
	op.u.reply = &r;
	rg_entry_apply(&E, &C, &op, T0 + 6200, &chg);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(chg.tev, RG_TEV_NONE);
}

static void test_entry_figures(void **state)
{
	static struct rg_snapshot s;
	struct rg_op op = {.kind = RG_OP_TIMEOUT};
	const struct rg_cause none = {RG_CAUSE_NONE, 0};
	int i;

	(void)state;
	snap(T0, &s);
	assert_true(s.f[RG_F_ASR] == RG_FIELD_ABSENT);
	assert_true(s.f[RG_F_SRD_P50] == RG_FIELD_ABSENT);
	for(i = 0; i < 10; i++)
		assert_int_equal(admit(T0 + (uint64_t)i), RG_ADMITTED);
	/* 4 answered (first 18x at 100 ms, 2xx at 2 s), 2 busy, 1 cancelled,
	 * 1 challenged, 1 rang out, 1 silent */
	for(i = 0; i < 4; i++) {
		reply_full(180, -1, none, 100, 0, 0, T0 + 100);
		reply_full(200, -1, none, -1, 1, 2000, T0 + 2000);
	}
	reply(486, T0 + 300);
	reply(600, T0 + 300);
	reply(487, T0 + 300);
	reply(407, T0 + 300);
	op.u.timeout.failure = 0;
	rg_entry_apply(&E, &C, &op, T0 + 3000, &chg);
	op.u.timeout.failure = 1;
	rg_entry_apply(&E, &C, &op, T0 + 3000, &chg);
	snap(T0 + 4000, &s);
	assert_int_equal(s.win[RG_C_SEIZURES], 10);
	assert_int_equal(s.ctr[RG_C_SEIZURES], 10);
	assert_int_equal(s.ctr[RG_C_BUSY], 2);
	assert_int_equal(s.ctr[RG_C_R487], 1);
	assert_int_equal(s.ctr[RG_C_CHALLENGE], 1);
	assert_int_equal(s.ctr[RG_C_RANG_OUT], 1);
	assert_int_equal(s.ctr[RG_C_TIMEOUTS], 2);
	/* S = 9 */
	assert_int_equal(s.f[RG_F_ASR], 4 * 1000 / 9);
	assert_int_equal(s.f[RG_F_NER], (4 + 2 + 1) * 1000 / 9);
	assert_int_equal(s.f[RG_F_SEER], (4 + 2) * 1000 / 9);
	assert_int_equal(s.f[RG_F_ISA], 1 * 1000 / 9);
	assert_in_range(s.f[RG_F_SRD_P50], 51, 150);
	assert_in_range(s.f[RG_F_SRD2_P95], 1001, 2000);
	assert_int_equal(s.srd.count, 4);
	assert_int_equal(s.srd.sum_ms, 400);
	assert_int_equal(s.srd2.life[6], 4);
	/* a reset forgets them */
	op.kind = RG_OP_RESET;
	rg_entry_apply(&E, &C, &op, T0 + 5000, &chg);
	snap(T0 + 5000, &s);
	assert_int_equal(s.srd.count, 0);
	assert_true(s.f[RG_F_ASR] == RG_FIELD_ABSENT);
}

static int call_end(uint64_t ms, int release, uint64_t now)
{
	struct rg_op op = {.kind = RG_OP_CALL_END};

	op.u.call_end.ms = ms;
	op.u.call_end.counted = 1;
	op.u.call_end.release = release;
	return rg_entry_apply(&E, &C, &op, now, &chg);
}

/* an answered call's duration: counted once, rounded to the second; the
 * short ones under short_call_seconds; held ones released */
static void test_entry_durations(void **state)
{
	static struct rg_snapshot s;
	static const uint64_t ms[6] = {1400, 5999, 6000, 20000, 60600, 1};
	int i;

	(void)state;
	C.kpi.short_ms = 6000;
	for(i = 0; i < 4; i++)
		assert_int_equal(call_end(ms[i], 0, T0 + 100), RG_OK);
	snap(T0 + 200, &s);
	/* 4 < min_samples 5: counted, and absent */
	assert_int_equal(s.ctr[RG_C_CALLS_ENDED], 4);
	assert_true(s.f[RG_F_ACD] == RG_FIELD_ABSENT);
	assert_true(s.f[RG_F_SHORT] == RG_FIELD_ABSENT);
	for(i = 4; i < 6; i++)
		assert_int_equal(call_end(ms[i], 0, T0 + 100), RG_OK);
	snap(T0 + 200, &s);
	assert_int_equal(s.ctr[RG_C_CALLS_ENDED], 6);
	assert_int_equal(s.win[RG_C_CALLS_ENDED], 6);
	/* 1400, 5999 and 1 ms are short; 6000 is not */
	assert_int_equal(s.ctr[RG_C_CALLS_SHORT], 3);
	/* 1 + 6 + 6 + 20 + 61 + 0 */
	assert_int_equal(s.ctr[RG_C_CALL_SECS], 94);
	assert_int_equal(s.f[RG_F_ACD], 94 * 1000 / 6);
	assert_int_equal(s.f[RG_F_SHORT], 500);
	/* nothing else moved */
	assert_int_equal(s.ctr[RG_C_R2XX], 0);
	assert_int_equal(s.ctr[RG_C_SEIZURES], 0);
	/* a held call's place in flight ends with it, once */
	assert_int_equal(call_end(3000, 1, T0 + 300), RG_ENOHOLD);
	E.thr.inflight = 1;
	assert_int_equal(call_end(3000, 1, T0 + 300), RG_OK);
	assert_int_equal(E.thr.inflight, 0);
	/* out of the window they leave the figures, not the lifetime */
	snap(T0 + 200 * SEC, &s);
	assert_int_equal(s.ctr[RG_C_CALLS_ENDED], 8);
	assert_true(s.f[RG_F_ACD] == RG_FIELD_ABSENT);
}

/* an answered call its dialog measures keeps the entry until it ends,
 * however it ends; an end without a BYE counts no duration */
static void test_entry_watched(void **state)
{
	static struct rg_snapshot s;
	struct rg_op op = {.kind = RG_OP_EXPIRE};
	struct rg_reply r = {.code = 200, .retry_after = -1, .pdd_ms = -1};
	struct rg_op rop = {.kind = RG_OP_REPLY};

	(void)state;
	C.idle_ms = 60 * SEC;
	r.answered = 1;
	r.watched = 1;
	rop.u.reply = &r;
	assert_int_equal(admit(T0), RG_ADMITTED);
	assert_int_equal(rg_entry_apply(&E, &C, &rop, T0 + 100, &chg), RG_OK);
	assert_int_equal(EC.watched, 1);
	/* idle for an hour, the call still up: kept */
	assert_int_equal(rg_entry_apply(&E, &C, &op, T0 + 3600 * SEC, &chg), 0);
	/* the dialog expired (no BYE): no duration, and the entry may go */
	op.kind = RG_OP_CALL_END;
	op.u.call_end.ms = 3600 * SEC;
	op.u.call_end.counted = 0;
	op.u.call_end.release = 0;
	assert_int_equal(
			rg_entry_apply(&E, &C, &op, T0 + 3600 * SEC, &chg), RG_OK);
	assert_int_equal(EC.watched, 0);
	snap(T0 + 3600 * SEC, &s);
	assert_int_equal(s.ctr[RG_C_CALLS_ENDED], 0);
	assert_int_equal(s.ctr[RG_C_CALL_SECS], 0);
	/* the end is news: the entry (and what it counted) stays idle_ms */
	op.kind = RG_OP_EXPIRE;
	assert_int_equal(rg_entry_apply(&E, &C, &op, T0 + 3610 * SEC, &chg), 0);
	assert_int_equal(rg_entry_apply(&E, &C, &op, T0 + 3660 * SEC, &chg), 1);
	/* an end before its answer is counted (dlg.end_dlg in between)
	 * keeps the entry too, and the two make none */
	op.kind = RG_OP_CALL_END;
	assert_int_equal(
			rg_entry_apply(&E, &C, &op, T0 + 3700 * SEC, &chg), RG_OK);
	assert_int_equal(EC.watched, -1);
	op.kind = RG_OP_EXPIRE;
	assert_int_equal(rg_entry_apply(&E, &C, &op, T0 + 9000 * SEC, &chg), 0);
	assert_int_equal(rg_entry_apply(&E, &C, &rop, T0 + 9000 * SEC, &chg), RG_OK);
	assert_int_equal(EC.watched, 0);
}

/* a destination back up from a block ramps its rate; its snapshot says
 * the ramp's cap (cps_ramp) */
static void test_entry_ramp(void **state)
{
	static struct rg_snapshot s;
	struct rg_limit lim = {10000, 1, 0};
	struct rg_op op = {.kind = RG_OP_SET_LIMIT};
	int i, n = 0;

	(void)state;
	C.throttle.ramp_start_pm = 100;
	C.throttle.ramp_ms = 10000;
	op.u.limit.lim = &lim;
	op.u.limit.src = RG_LIM_MANUAL;
	rg_entry_apply(&E, &C, &op, T0, &chg);
	op.kind = RG_OP_BLOCK;
	op.u.block_s = 5;
	rg_entry_apply(&E, &C, &op, T0, &chg);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	op.kind = RG_OP_UNBLOCK;
	rg_entry_apply(&E, &C, &op, T0 + 1000, &chg);
	assert_int_equal(chg.ev, RG_EV_UP);
	snap(T0 + 1000, &s);
	assert_int_equal(s.f[RG_F_CPS_RAMP], 1000); /* 10 % of 10 cps */
	assert_int_equal(s.f[RG_F_CPS_LIMIT], 10000);
	/* a call every 10 ms for the first second: 1 cps gets 1 (+ burst) */
	for(i = 0; i < 100; i++)
		n += admit(T0 + 1000 + (uint64_t)i * 10) == RG_ADMITTED;
	assert_in_range(n, 1, 2);
	snap(T0 + 6000, &s);
	assert_int_equal(s.f[RG_F_CPS_RAMP], 5500);
	snap(T0 + 11000, &s);
	assert_int_equal(s.f[RG_F_CPS_RAMP], 0);
}

static int tick(uint64_t now)
{
	struct rg_op op = {.kind = RG_OP_TICK};

	rg_entry_apply(&E, &C, &op, now, &chg);
	return chg.qev;
}

/* degraded and recovered: once each, at a window slot's first operation */
static void test_entry_degraded(void **state)
{
	static struct rg_snapshot s;
	uint64_t slot = C.slot_ms, t1 = T0 + slot, t2 = T0 + 2 * slot;
	int i;

	(void)state;
	C.kpi.min_asr_pm = 500;
	C.kpi.judge = 1;
	E.q_epoch = (uint32_t)(T0 / slot);
	for(i = 0; i < 6; i++) {
		admit(T0 + (uint64_t)i);
		reply(486, T0 + 10 + (uint64_t)i);
		assert_int_equal(chg.qev, 0); /* judged next slot */
	}
	/* counted since it was judged: the timer is to look at it in the
	 * next slot, not in this one */
	assert_int_equal(rg_entry_peek(&E, &C, RG_OP_TICK, T0 + 100), 0);
	assert_int_equal(rg_entry_peek(&E, &C, RG_OP_TICK, t1), 1);
	assert_int_equal(tick(t1), RG_QEV_DEGRADED);
	assert_int_equal(rg_entry_peek(&E, &C, RG_OP_TICK, T0), 1);
	assert_true(rg_change_any(&chg));
	snap(t1, &s);
	assert_int_equal(s.f[RG_F_DEGRADED], 1);
	assert_int_equal(tick(t1 + 10), 0); /* once */
	/* a clock read in the slot before (another process, before the lock)
	 * judges nothing again and moves nothing back */
	assert_int_equal(tick(T0 + 500), 0);
	assert_int_equal(tick(t1 + 20), 0);
	assert_int_equal(admit(t1 + 20), RG_ADMITTED); /* never blocks */
	assert_int_equal(chg.qev, 0);
	for(i = 0; i < 12; i++) {
		admit(t1 + 30 + (uint64_t)i);
		reply(200, t1 + 40 + (uint64_t)i);
	}
	assert_int_equal(tick(t2), RG_QEV_RECOVERED);
	assert_int_equal(tick(t2 + 1), 0);
	/* a window with too few seizures is no evidence: a degraded one whose
	 * window empties has recovered */
	for(i = 0; i < 30; i++) {
		admit(t2 + 10 + (uint64_t)i);
		reply(486, t2 + 20 + (uint64_t)i);
	}
	assert_int_equal(tick(t2 + slot), RG_QEV_DEGRADED);
	assert_int_equal(tick(t2 + 20 * slot), RG_QEV_RECOVERED);
	assert_int_equal(rg_entry_peek(&E, &C, RG_OP_TICK, T0), 0);
	/* once degraded, half of kpi_min_samples (5) keep it so: 3 busy
	 * calls leave the window, 2 stay; then none */
	t2 += 40 * slot;
	for(i = 0; i < 5; i++) {
		admit(t2 + (i < 3 ? 0 : slot) + (uint64_t)i);
		reply(486, t2 + (i < 3 ? 0 : slot) + 10 + (uint64_t)i);
	}
	assert_int_equal(tick(t2 + 2 * slot), RG_QEV_DEGRADED);
	t2 += (60 * SEC / slot) * slot; /* the first slot is out */
	assert_int_equal(tick(t2), 0);
	snap(t2, &s);
	assert_int_equal(s.win[RG_C_BUSY], 2);
	assert_int_equal(s.f[RG_F_DEGRADED], 1);
	assert_int_equal(tick(t2 + slot), RG_QEV_RECOVERED);
}

/* near the limit: the last whole slot admitted 80 % of 10 cps or more */
static void test_entry_near_limit(void **state)
{
	struct rg_limit lim = {10000, 100, 0};
	struct rg_op op = {.kind = RG_OP_SET_LIMIT};
	uint64_t slot = C.slot_ms, t;
	int i, n = 0;

	(void)state;
	C.kpi.near_pm = 800;
	C.kpi.judge = 1;
	op.u.limit.lim = &lim;
	op.u.limit.src = RG_LIM_MANUAL;
	rg_entry_apply(&E, &C, &op, T0, &chg);
	E.q_epoch = (uint32_t)(T0 / slot);
	/* 7 cps for a slot: below */
	for(t = T0; t < T0 + slot; t += 1000 / 7)
		n += admit(t) == RG_ADMITTED;
	assert_true(n >= 7 * (int)(slot / 1000) - 1);
	assert_int_equal(tick(T0 + slot), 0);
	/* 9 cps for a slot: near, once */
	for(t = T0 + slot + 1; t < T0 + 2 * slot; t += 1000 / 9)
		admit(t);
	assert_int_equal(tick(T0 + 2 * slot), RG_QEV_NEAR);
	assert_int_equal(tick(T0 + 2 * slot + 5), 0);
	/* quiet: below again, once */
	assert_int_equal(tick(T0 + 3 * slot), RG_QEV_NEAR_END);
	for(i = 0; i < 3; i++)
		assert_int_equal(tick(T0 + (uint64_t)(4 + i) * slot), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formulas),
		cmocka_unit_test(test_hist_buckets),
		cmocka_unit_test(test_hist_quantiles),
		cmocka_unit_test(test_reason_parse),
		cmocka_unit_test(test_reason_find),
		cmocka_unit_test(test_cause_sets),
		cmocka_unit_test(test_cause_counts),
		cmocka_unit_test(test_answer_delay),
		cmocka_unit_test_setup(test_entry_call_specific_503, setup),
		cmocka_unit_test_setup(test_entry_call_specific_trial, setup),
		cmocka_unit_test_setup(test_entry_figures, setup),
		cmocka_unit_test_setup(test_entry_durations, setup),
		cmocka_unit_test_setup(test_entry_watched, setup),
		cmocka_unit_test_setup(test_entry_ramp, setup),
		cmocka_unit_test_setup(test_entry_degraded, setup),
		cmocka_unit_test_setup(test_entry_near_limit, setup),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
