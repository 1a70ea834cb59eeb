/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The status page (rg_status.c): one row per destination with its state,
 * counts and window chart; a hostile key is escaped, never markup; the
 * JSON form carries the RPC names; a page that does not fit is refused
 * whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_ops.h"
#include "rg_status.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 5000 * SEC)

static const struct rg_health_cfg hcfg = {1, 300, 3, 30, 30, 1};
static const struct rg_throttle_cfg tcfg = {
		{0, 1, 0}, 1, 500, 1000, 1000, 1000, 0, 0, 0};
/* ratios from 20 seizures; no call-specific causes */
static const struct rg_kpi_cfg kcfg = {.min_samples = 20, .short_ms = 6000};
static const struct rg_fail_cfg fcfg = {{{0}}, 0, 20};

static struct rg_snapshot snaps[3];
static struct rg_status_totals tot;

/* gw1: 2 x 183 (one with SDP) then 200; gw2: 503 + Retry-After 30;
 * "<script>alert(1)</script>": a name key with a limit */
static int setup(void **state)
{
	struct rg_table_cfg cfg = {8, 60, 600, hcfg, tcfg, fcfg, kcfg, 100, NULL, 0};
	struct rg_table *t = rg_table_new(&cfg);
	struct rg_admission adm;
	struct rg_change chg;
	struct rg_limit lim = {12500, 2, 0};
	const char *hostile = "<script>alert(\"x\")&'</script>";
	struct rg_reply r;
	struct rg_ref ref;
	unsigned int slot;
	int n = 0;

	(void)state;
	assert_non_null(t);
	assert_int_equal(rg_op_admit(t, "sip:gw1:5060", 12, NULL, T0, &adm, &chg),
			RG_ADMITTED);
	r = (struct rg_reply){.code = 183, .has_sdp = 1, .retry_after = -1, .pdd_ms = 120, .release = 0, .trial = adm.trial, .sdp_only = 0};
	rg_op_reply(t, &adm.ref, &r, T0 + 120, &chg);
	r = (struct rg_reply){.code = 183, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 0, .trial = adm.trial, .sdp_only = 0};
	rg_op_reply(t, &adm.ref, &r, T0 + 130, &chg);
	r = (struct rg_reply){.code = 200, .has_sdp = 0, .retry_after = -1, .pdd_ms = -1, .release = 1, .trial = adm.trial, .sdp_only = 0};
	rg_op_reply(t, &adm.ref, &r, T0 + 900, &chg);
	assert_int_equal(rg_op_admit(t, "sip:gw2:5060", 12, NULL, T0, &adm, &chg),
			RG_ADMITTED);
	r = (struct rg_reply){.code = 503, .has_sdp = 0, .retry_after = 30, .pdd_ms = -1, .release = 1, .trial = adm.trial, .sdp_only = 0};
	rg_op_reply(t, &adm.ref, &r, T0 + 50, &chg);
	assert_int_equal(rg_op_set_limit(t, hostile, (int)strlen(hostile), &lim,
							 RG_LIM_MANUAL, 0, T0, &ref, &chg),
			RG_OK);
	for(slot = 0; slot < rg_table_capacity(t); slot++) {
		if(rg_op_snapshot_slot(t, slot, T0 + SEC, &snaps[n]) == RG_OK)
			n++;
	}
	assert_int_equal(n, 3);
	rg_table_summary(t, &tot.table);
	tot.window_s = 60;
	tot.refresh_s = 5;
	tot.node = "edge-<1>";
	tot.webhook_sent = 7;
	rg_table_free(t);
	return 0;
}

static char *render(int json, size_t cap, int *rc)
{
	char *mem = malloc(cap);
	struct rg_buf b;

	assert_non_null(mem);
	rg_buf_init(&b, mem, cap);
	*rc = json ? rg_status_json(snaps, 3, &tot, &b)
			   : rg_status_html(snaps, 3, &tot, &b);
	return mem;
}

static size_t bound(void)
{
	size_t n = rg_status_base();
	int i;

	for(i = 0; i < 3; i++)
		n += rg_status_per_dst(&snaps[i]);
	return n;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for(hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

static void test_html(void **state)
{
	int rc;
	char *p = render(0, bound(), &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(strstr(p, "<!DOCTYPE html>"));
	assert_non_null(strstr(p, "<meta http-equiv=\"refresh\" content=\"5\">"));
	/* no outside assets */
	assert_null(strstr(p, "src="));
	assert_null(strstr(p, "href="));
	assert_int_equal(count(p, "<tr class="), 3);
	assert_non_null(strstr(p, "<tr class=\"up\" data-state=\"up\" "
							  "data-dst=\"sip:gw1:5060\"><td class=\"dst\">"
							  "sip:gw1:5060</td><td class=\"state\">up</td>"));
	assert_non_null(strstr(p, "data-state=\"down\" data-dst=\"sip:gw2:5060\""));
	assert_non_null(strstr(p, "<td class=\"blocked\">30 s</td>"));
	/* 183, 183 with SDP, 503, 503 with Retry-After; PDD */
	assert_non_null(strstr(p, "<td class=\"n\">2</td><td class=\"n\">1</td>"
							  "<td class=\"n\">0</td><td class=\"n\">0</td>"
							  "<td class=\"pdd\">120 / 120 ms</td>"));
	assert_non_null(strstr(p, "<td class=\"n\">0</td><td class=\"n\">0</td>"
							  "<td class=\"n\">1</td><td class=\"n\">1</td>"));
	/* CPS in force against configured */
	assert_non_null(strstr(p, "<td class=\"cps\">12.5 / 12.5</td>"));
	/* a chart per row, the current slot last */
	assert_int_equal(count(p, "<svg class=\"chart\""), 3);
	assert_non_null(strstr(p, "data-183=\"0,0,0,0,0,0,0,0,0,0,0,2\" "
							  "data-503=\"0,0,0,0,0,0,0,0,0,0,0,0\""));
	assert_non_null(strstr(p, "<rect class=\"b503\""));
	/* the hostile key and node name only as text */
	assert_null(strstr(p, "<script>"));
	assert_null(strstr(p, "<1>"));
	assert_int_equal(count(p, "&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;"
							  "&lt;/script&gt;"),
			2);
	assert_non_null(strstr(p, "replyguard on edge-&lt;1&gt;"));
	free(p);
}

static void test_json(void **state)
{
	int rc;
	char *p = render(1, bound(), &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(strstr(p, "{\"summary\":{\"destinations\":3,\"capacity\":8,"));
	assert_non_null(strstr(p, "\"webhook_sent\":7"));
	assert_non_null(strstr(p, "},\"destinations\":[{\"dst\":"));
	assert_non_null(strstr(p, "{\"dst\":\"sip:gw2:5060\",\"state\":\"down\","
							  "\"blocked_for\":30,"));
	assert_non_null(strstr(p, "\"replies_503_retry_after\":1,"));
	/* as RPC shows it: whole calls per second, and thousandths */
	assert_non_null(strstr(p, "\"cps_limit\":12,\"cps_limit_milli\":12500"));
	assert_non_null(strstr(p, "\"window\":{\"seconds\":60,\"attempts\":1,"));
	assert_non_null(strstr(p, "\"dst\":\"<script>alert(\\\"x\\\")&'</script>\""));
	assert_int_equal(p[strlen(p) - 2], '}');
	free(p);
}

/* a buffer too small: refused, never cut short silently */
static void test_too_small(void **state)
{
	int rc;
	char *p;

	(void)state;
	p = render(0, 2000, &rc);
	assert_int_equal(rc, -1);
	free(p);
	p = render(1, 300, &rc);
	assert_int_equal(rc, -1);
	free(p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_html),
			cmocka_unit_test(test_json),
			cmocka_unit_test(test_too_small),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, setup, NULL);
}
