/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Webhook notices: from a table's state changes to the JSON document
 * (rg_notice.c), and the Prometheus exposition of snapshots (rg_prom.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_notice.h"
#include "rg_queue.h"
#include "rg_ops.h"
#include "rg_prom.h"
#include "seam_stub.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 5000 * SEC)
/* 2026-11-21T20:43:09.123Z */
#define WALL 1795293789123ULL

static const struct rg_health_cfg hcfg = {1, 300, 3, 30, 30, 1};
static const struct rg_throttle_cfg tcfg = {
		{0, 1, 0}, 1, 500, 1000, 1000, 1000, 0, 0, 0};
/* no failure codes, no failure ratio */
/* ratios from 20 seizures; no call-specific causes */
static const struct rg_kpi_cfg kcfg = {.min_samples = 20, .short_ms = 6000};
static const struct rg_fail_cfg fcfg = {{{0}}, 0, 20};

static struct rg_table *mk(void)
{
	struct rg_table_cfg cfg = {8, 60, 600, hcfg, tcfg, fcfg, kcfg, 100, NULL, 0};
	struct rg_table *t = rg_table_new(&cfg);

	assert_non_null(t);
	return t;
}

/* the trial token of the last admission: replies carry it back */
static uint64_t last_trial;

static struct rg_ref admit(struct rg_table *t, const char *key, uint64_t now)
{
	struct rg_admission adm;
	struct rg_change chg;

	assert_int_equal(rg_op_admit(t, key, (int)strlen(key), NULL, now, &adm,
							 &chg),
			RG_ADMITTED);
	last_trial = adm.trial;
	return adm.ref;
}

static void reply(struct rg_table *t, struct rg_ref ref, int code,
		int64_t ra, uint64_t now, struct rg_change *chg)
{
	struct rg_reply r = {.code = code, .has_sdp = 0, .retry_after = ra, .pdd_ms = -1, .release = 0, .trial = last_trial, .sdp_only = 0};

	assert_int_equal(rg_op_reply(t, &ref, &r, now, chg), RG_OK);
}

static void json(const struct rg_notice *n, char *mem, size_t cap)
{
	struct rg_buf b;

	rg_buf_init(&b, mem, cap);
	assert_int_equal(rg_notice_json(n, "edge-1", &b), 0);
}

static void test_down_and_up(void **state)
{
	struct rg_table *t = mk();
	struct rg_notice n[RG_NOTICES_MAX];
	struct rg_change chg;
	struct rg_ref ref;
	char mem[4096];

	(void)state;
	ref = admit(t, "sip:gw1:5060", T0);
	reply(t, ref, 183, -1, T0, &chg);
	assert_int_equal(rg_notice_from_change(&chg, WALL, n), 0);
	assert_int_equal(chg.seq, 0); /* no change: no number */
	reply(t, ref, 503, 30, T0 + 10, &chg);
	assert_int_equal(rg_notice_from_change(&chg, WALL, n), 1);
	assert_int_equal(n[0].kind, RG_N_DOWN);
	assert_int_equal(n[0].seq, 1); /* numbered under the entry's lock */
	json(&n[0], mem, sizeof(mem));
	assert_non_null(strstr(mem, "{\"event\":\"dst-down\",\"dst\":\"sip:gw1:5060\""));
	assert_non_null(strstr(mem, "\"old_state\":\"up\",\"new_state\":\"down\""));
	assert_non_null(strstr(mem, "\"reason\":{\"code\":503,\"retry_after\":30}"));
	assert_non_null(strstr(mem, "\"blocked_for\":30"));
	assert_non_null(strstr(mem, "\"counters\":{\"attempts\":1,"));
	assert_non_null(strstr(mem, "\"replies_183\":1,"));
	assert_non_null(strstr(mem, "\"replies_503_retry_after\":1,"));
	assert_non_null(strstr(mem, "\"time\":\"2026-11-21T20:43:09.123Z\""));
	assert_non_null(strstr(mem, "\"timestamp_ms\":1795293789123"));
	/* made here: this node is its origin */
	assert_non_null(strstr(mem, ",\"node\":\"edge-1\",\"origin\":\"edge-1\"}"));
	assert_int_equal(mem[strlen(mem) - 1], '}');
	/* applied from a cluster peer: the peer the change names is */
	snprintf(chg.origin, sizeof(chg.origin), "%s", "edge-2");
	assert_int_equal(rg_notice_from_change(&chg, WALL, n), 1);
	json(&n[0], mem, sizeof(mem));
	assert_non_null(strstr(mem, ",\"node\":\"edge-1\",\"origin\":\"edge-2\"}"));

	/* the block ends (probing: no notice), then a trial succeeds */
	assert_int_equal(rg_op_tick_slot(t, ref.slot, T0 + 31 * SEC, &chg), 1);
	assert_int_equal(rg_notice_from_change(&chg, WALL, n), 0);
	ref = admit(t, "sip:gw1:5060", T0 + 32 * SEC);
	reply(t, ref, 200, -1, T0 + 33 * SEC, &chg);
	assert_int_equal(rg_notice_from_change(&chg, WALL, n), 1);
	json(&n[0], mem, sizeof(mem));
	assert_non_null(strstr(mem, "\"event\":\"dst-up\""));
	assert_true(n[0].seq > 1); /* later than the dst-down */
	assert_non_null(strstr(mem, ",\"seq\":"));
	assert_non_null(strstr(mem, "\"old_state\":\"probing\",\"new_state\":\"up\""));
	assert_non_null(strstr(mem, "\"reason\":{\"code\":200,\"retry_after\":null}"));
	rg_table_free(t);
}

/* one destination's one state: the pair of kinds, and the key */
static void test_same_subject(void **state)
{
	static struct rg_notice a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.snap.key_len = 4;
	memcpy(a.snap.key, "gw-1", 4);
	b = a;
	a.kind = RG_N_DOWN;
	b.kind = RG_N_UP;
	assert_true(rg_notice_same(&a, &b));
	b.kind = RG_N_DOWN;
	assert_true(rg_notice_same(&a, &b));
	b.kind = RG_N_THROTTLED; /* another state of the same destination */
	assert_false(rg_notice_same(&a, &b));
	a.kind = RG_N_UNTHROTTLED;
	assert_true(rg_notice_same(&a, &b));
	a.kind = RG_N_NEAR_LIMIT_END;
	b.kind = RG_N_NEAR_LIMIT;
	assert_true(rg_notice_same(&a, &b));
	b.kind = RG_N_RECOVERED;
	assert_false(rg_notice_same(&a, &b));
	b.kind = RG_N_NEAR_LIMIT;
	memcpy(b.snap.key, "gw-2", 4); /* another destination */
	assert_false(rg_notice_same(&a, &b));
	b.snap.key_len = 3;
	memcpy(b.snap.key, "gw-", 3);
	assert_false(rg_notice_same(&a, &b));
	/* numbered: a late one (a lower number, across a wrap too) is stale */
	b = a;
	a.seq = 7;
	b.seq = 6;
	assert_int_equal(rg_notice_same(&a, &b), RG_QUEUE_STALE);
	b.seq = 8;
	assert_int_equal(rg_notice_same(&a, &b), 1);
	a.seq = 0xfffffffeu;
	b.seq = 1;
	assert_int_equal(rg_notice_same(&a, &b), 1);
	assert_int_equal(rg_notice_same(&b, &a), RG_QUEUE_STALE);
}

/* quality transitions are notices of their own, after health and
 * throttle's, one per direction */
static void test_quality_notices(void **state)
{
	struct rg_notice n[RG_NOTICES_MAX];
	static struct rg_change chg;
	char mem[8192];

	(void)state;
	memset(&chg, 0, sizeof(chg));
	chg.ev = RG_EV_DOWN;
	chg.tev = RG_TEV_THROTTLED;
	chg.qev = RG_QEV_DEGRADED | RG_QEV_NEAR;
	chg.retry_after = -1;
	strcpy(chg.snap.key, "gw");
	chg.snap.key_len = 2;
	chg.snap.f[RG_F_DEGRADED] = 1;
	assert_int_equal(rg_notice_from_change(&chg, WALL, n), RG_NOTICES_MAX);
	assert_int_equal(n[2].kind, RG_N_DEGRADED);
	assert_int_equal(n[3].kind, RG_N_NEAR_LIMIT);
	json(&n[2], mem, sizeof(mem));
	assert_non_null(strstr(mem, "{\"event\":\"dst-degraded\",\"dst\":\"gw\""));
	assert_non_null(strstr(mem, "\"old_state\":\"fine\",\"new_state\":\"degraded\""));
	assert_non_null(strstr(mem, "\"degraded\":true"));
	assert_non_null(strstr(mem, "\"asr_pct\":"));
	json(&n[3], mem, sizeof(mem));
	assert_non_null(strstr(mem, "\"event\":\"dst-near-limit\""));
	chg.ev = RG_EV_NONE;
	chg.tev = RG_TEV_NONE;
	chg.qev = RG_QEV_RECOVERED | RG_QEV_NEAR_END;
	assert_int_equal(rg_notice_from_change(&chg, WALL, n), 2);
	assert_string_equal(rg_notice_event(n[0].kind), "dst-recovered");
	assert_string_equal(rg_notice_event(n[1].kind), "dst-near-limit-end");
	json(&n[1], mem, sizeof(mem));
	assert_non_null(strstr(mem, "\"old_state\":\"near_limit\",\"new_state\":\"below\""));
}

static void test_throttled_and_escaping(void **state)
{
	struct rg_table *t = mk();
	struct rg_notice n[RG_NOTICES_MAX];
	struct rg_change chg;
	struct rg_ref ref;
	struct rg_buf b;
	char mem[4096];
	const char *key = "carrier \"x\"\\1";
	int i;

	(void)state;
	for(i = 0; i < 10; i++)
		ref = admit(t, key, T0 + (uint64_t)i * 100);
	reply(t, ref, 503, -1, T0 + SEC, &chg);
	assert_int_equal(rg_notice_from_change(&chg, WALL, n), 1);
	assert_int_equal(n[0].kind, RG_N_THROTTLED);
	json(&n[0], mem, sizeof(mem));
	assert_non_null(strstr(mem, "\"dst\":\"carrier \\\"x\\\"\\\\1\""));
	assert_non_null(strstr(mem,
			"\"old_state\":\"unthrottled\",\"new_state\":\"throttled\""));
	assert_non_null(strstr(mem, "\"throttle\":{\"throttled\":true,"));
	assert_non_null(strstr(mem, "\"state\":\"up\""));

	/* too small a buffer is reported, never overrun */
	rg_buf_init(&b, mem, 64);
	assert_int_equal(rg_notice_json(&n[0], "edge-1", &b), -1);
	assert_true(strlen(mem) < 64);
	rg_table_free(t);
}

static void test_prom(void **state)
{
	struct rg_table *t = mk();
	struct rg_snapshot snaps[2];
	struct rg_prom_totals tot;
	struct rg_change chg;
	struct rg_ref a, z;
	struct rg_buf b;
	static char mem[65536];

	(void)state;
	a = admit(t, "sip:a:5060", T0);
	reply(t, a, 503, 20, T0 + 2500, &chg);
	z = admit(t, "odd\"key\n", T0);
	reply(t, z, 183, -1, T0, &chg);
	assert_int_equal(rg_op_snapshot(t, &a, T0 + 3000, &snaps[0]), RG_OK);
	assert_int_equal(rg_op_snapshot(t, &z, T0 + 3000, &snaps[1]), RG_OK);
	memset(&tot, 0, sizeof(tot));
	rg_table_summary(t, &tot.table);
	tot.webhook_sent = 4;
	tot.webhook_dropped = 2;
	rg_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(rg_prom_write(snaps, 2, &tot, &b), 0);

	assert_non_null(strstr(mem, "# TYPE replyguard_attempts_total counter\n"
								"replyguard_attempts_total{dst=\"sip:a:5060\"} 1\n"
								"replyguard_attempts_total{dst=\"odd\\\"key\\n\"} 1\n"));
	assert_non_null(strstr(mem, "replyguard_replies_503_total{dst=\"sip:a:5060\"} 1\n"));
	assert_non_null(strstr(mem, "replyguard_replies_503_total{dst=\"odd\\\"key\\n\"} 0\n"));
	assert_non_null(strstr(mem, "replyguard_state{dst=\"sip:a:5060\"} 2\n"));
	assert_non_null(strstr(mem, "replyguard_state{dst=\"odd\\\"key\\n\"} 0\n"));
	assert_non_null(strstr(mem, "replyguard_blocked_for_seconds{dst=\"sip:a:5060\"} 20\n"));
	assert_non_null(strstr(mem, "replyguard_retry_after_last_seconds{dst=\"sip:a:5060\"} 20\n"));
	assert_non_null(strstr(mem, "replyguard_destinations 2\n"));
	assert_non_null(strstr(mem, "replyguard_capacity 8\n"));
	assert_non_null(strstr(mem, "replyguard_webhook_sent_total 4\n"));
	assert_non_null(strstr(mem, "replyguard_webhook_dropped_total 2\n"));
	/* one TYPE line per family, none repeated */
	assert_ptr_equal(strstr(strstr(mem, "# TYPE replyguard_state ") + 1,
							 "# TYPE replyguard_state "),
			NULL);

	rg_buf_init(&b, mem, 200);
	assert_int_equal(rg_prom_write(snaps, 2, &tot, &b), -1);
	rg_table_free(t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_down_and_up),
			cmocka_unit_test(test_same_subject),
			cmocka_unit_test(test_quality_notices),
			cmocka_unit_test(test_throttled_and_escaping),
			cmocka_unit_test(test_prom),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("notice", tests, NULL, NULL);
}
