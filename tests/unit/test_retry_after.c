/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Retry-After grammar, RFC 3261 section 20.33 (rg_retry_after.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_hdr.h"
#include "rg_retry_after.h"

struct ra_case
{
	const char *in;
	int rc;
	uint32_t seconds;
	int64_t duration;
};

static const struct ra_case cases[] = {
		{"120", 0, 120, -1},
		{" 18000 ", 0, 18000, -1},
		{"0", 0, 0, -1},
		{"18000;duration=3600", 0, 18000, 3600},
		{"120 (I'm in a meeting)", 0, 120, -1},
		{"120 (nested (comment) ok);duration=5", 0, 120, 5},
		{"120 (escaped \\) paren)", 0, 120, -1},
		{"300 ; DURATION = 10 ; foo=bar ; flag", 0, 300, 10},
		{"5;x=\"quoted;value\"", 0, 5, -1},
		{"4294967295", 0, 4294967295u, -1},
		{"", -1, 0, 0},
		{"   ", -1, 0, 0},
		{"soon", -1, 0, 0},
		{"-5", -1, 0, 0},
		{"+5", -1, 0, 0},
		{"5s", -1, 0, 0},
		{"5.5", -1, 0, 0},
		{"4294967296", -1, 0, 0},
		{"99999999999999999999", -1, 0, 0},
		{"(comment only)", -1, 0, 0},
		{"120 (unclosed", -1, 0, 0},
		{"120;duration", -1, 0, 0},
		{"120;duration=", -1, 0, 0},
		{"120;duration=abc", -1, 0, 0},
		{"120;", -1, 0, 0},
		{"120 121", -1, 0, 0},
		{"120, 130", -1, 0, 0},
		{"120;x=\"unterminated", -1, 0, 0},
};

static void test_table(void **state)
{
	struct rg_retry_after ra;
	size_t i;

	(void)state;
	for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ra_case *c = &cases[i];
		memset(&ra, 0xAA, sizeof(ra));
		int rc = rg_retry_after_parse(c->in, strlen(c->in), &ra);
		if(rc != c->rc)
			fail_msg("[%s]: rc %d, expected %d", c->in, rc, c->rc);
		if(rc == 0) {
			assert_int_equal(ra.seconds, c->seconds);
			assert_int_equal(ra.duration, c->duration);
		}
	}
}

static void test_never_reads_past_len(void **state)
{
	struct rg_retry_after ra;
	const char buf[] = "12;duration=99";

	(void)state;
	/* only "12" is given: the rest of the buffer must not be seen */
	assert_int_equal(rg_retry_after_parse(buf, 2, &ra), 0);
	assert_int_equal(ra.seconds, 12);
	assert_int_equal(ra.duration, -1);
	assert_int_equal(rg_retry_after_parse(NULL, 0, &ra), -1);
}

static void test_deep_comments_refused(void **state)
{
	char buf[256] = "1 ";
	struct rg_retry_after ra;
	int i;

	(void)state;
	for(i = 0; i < 40; i++)
		strcat(buf, "(");
	for(i = 0; i < 40; i++)
		strcat(buf, ")");
	assert_int_equal(rg_retry_after_parse(buf, strlen(buf), &ra), -1);
}

static void test_find_in_raw_headers(void **state)
{
	const char *v;
	size_t n;
	const char *one = "Via: SIP/2.0/UDP h\r\nretry-AFTER : 30 (x)\r\n"
					  "Content-Length: 0\r\n\r\nRetry-After: 99\r\n";
	const char *two = "Retry-After: 5\r\nX: y\r\nRetry-After: 7\r\n\r\n";
	const char *folded = "Retry-After: 5\r\n ;duration=9\r\n\r\n";
	const char *none = "X-Retry-After: 5\r\nRetry-Afterx: 1\r\n\r\n";
	const char *body_blank = "X: y\r\n\r\n z\r\nRetry-After: 5\r\n";
	const char *body_tab = "X: y\n\n\tz\nRetry-After: 5\n";
	struct rg_retry_after ra;

	(void)state;
	/* the header in the body is not a header */
	assert_int_equal(rg_retry_after_find(one, strlen(one), &v, &n), 1);
	assert_int_equal(rg_retry_after_parse(v, n, &ra), 0);
	assert_int_equal(ra.seconds, 30);
	assert_int_equal(rg_retry_after_find(two, strlen(two), &v, &n), 2);
	assert_memory_equal(v, " 5", 2);
	assert_int_equal(rg_retry_after_find(folded, strlen(folded), &v, &n), 1);
	assert_int_equal(rg_retry_after_parse(v, n, &ra), 0);
	assert_int_equal(ra.duration, 9);
	assert_int_equal(rg_retry_after_find(none, strlen(none), &v, &n), 0);
	assert_null(v);
	/* a header cut short by len, and no colon at all */
	assert_int_equal(rg_retry_after_find("Retry-After: 1", 14, &v, &n), 1);
	assert_int_equal(rg_retry_after_find("Retry-After", 11, &v, &n), 0);
	assert_int_equal(rg_retry_after_find("", 0, &v, &n), 0);
	/* a blank line then a line starting blank: the body, not a fold */
	assert_int_equal(rg_retry_after_find(body_blank, strlen(body_blank), &v, &n),
			0);
	assert_int_equal(rg_retry_after_find(body_tab, strlen(body_tab), &v, &n), 0);
}

/* retry_after_jitter: up to pct percent more, whole seconds; 0 stays 0 */
static void test_jitter(void **state)
{
	uint32_t lo = UINT32_MAX, hi = 0, v, r;

	(void)state;
	for(r = 0; r < 1000; r++) {
		v = rg_retry_after_jitter(30, 20, r * 2654435761u);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	assert_int_equal(lo, 30);
	assert_int_equal(hi, 36); /* both ends are reached */
	assert_int_equal(rg_retry_after_jitter(30, 0, 12345), 30);
	assert_int_equal(rg_retry_after_jitter(0, 50, 12345), 0);
	/* never more than asked: 1 s at 10 % has no whole second to add;
	 * 10 s at 10 % adds 0 or 1 */
	assert_int_equal(rg_retry_after_jitter(1, 10, 1), 1);
	assert_int_equal(rg_retry_after_jitter(10, 10, 0), 10);
	assert_int_equal(rg_retry_after_jitter(10, 10, 1), 11);
	assert_int_equal(rg_retry_after_jitter(10, 10, 2), 10);
	/* no overflow */
	assert_int_equal(rg_retry_after_jitter(UINT32_MAX, 100, UINT32_MAX),
			UINT32_MAX);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_table),
			cmocka_unit_test(test_never_reads_past_len),
			cmocka_unit_test(test_deep_comments_refused),
			cmocka_unit_test(test_find_in_raw_headers),
			cmocka_unit_test(test_jitter),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("rg_retry_after", tests, NULL, NULL);
}
