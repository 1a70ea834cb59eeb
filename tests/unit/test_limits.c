/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The limits file parser (rg_limits.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_limits.h"

static const struct rg_limit dflt = {0, 3, 0};

static int rate(const char *s, uint32_t *mcps)
{
	return rg_limits_parse_rate(s, strlen(s), mcps);
}

static void test_rate(void **state)
{
	uint32_t v = 7;

	(void)state;
	assert_int_equal(rate("20", &v), 0);
	assert_int_equal(v, 20000);
	assert_int_equal(rate("0.5", &v), 0);
	assert_int_equal(v, 500);
	assert_int_equal(rate("2.125", &v), 0);
	assert_int_equal(v, 2125);
	assert_int_equal(rate("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rate("1000000", &v), 0);
	assert_int_equal(v, 1000000000u);
	v = 7;
	assert_int_equal(rate("", &v), -1);
	assert_int_equal(rate(".5", &v), -1);
	assert_int_equal(rate("5.", &v), -1);
	assert_int_equal(rate("0.0001", &v), -1);
	assert_int_equal(rate("2.500000", &v), 0);
	assert_int_equal(v, 2500);
	v = 7;
	assert_int_equal(rate("-1", &v), -1);
	assert_int_equal(rate("1e3", &v), -1);
	assert_int_equal(rate("1000001", &v), -1);
	/* fuzzing found these accepted above the maximum */
	assert_int_equal(rate("1000000.1000000", &v), -1);
	assert_int_equal(rate("1000000.020", &v), -1);
	assert_int_equal(rate("1000000.000", &v), 0);
	assert_int_equal(v, 1000000000u);
	v = 7;
	assert_int_equal(rate("99999999999999999999", &v), -1);
	assert_int_equal(v, 7);
}

static int line(const char *s, struct rg_limit_line *l, const char **err)
{
	return rg_limits_parse_line(s, strlen(s), &dflt, l, err);
}

static void test_line(void **state)
{
	struct rg_limit_line l;
	const char *err = NULL;

	(void)state;
	assert_int_equal(line("", &l, &err), 0);
	assert_int_equal(line("   \t\r", &l, &err), 0);
	assert_int_equal(line("# sip:a 10", &l, &err), 0);
	assert_int_equal(line("  # indented comment", &l, &err), 0);

	assert_int_equal(line("sip:GW1.example.com 20 5 100", &l, &err), 1);
	assert_string_equal(l.key, "sip:gw1.example.com:5060");
	assert_int_equal(l.key_len, (int)strlen(l.key));
	assert_int_equal(l.lim.mcps, 20000);
	assert_int_equal(l.lim.burst, 5);
	assert_int_equal(l.lim.max_concurrent, 100);

	/* absent fields and "-" take the defaults; comments may trail */
	assert_int_equal(line("carrier-x 2.5 # night rate", &l, &err), 1);
	assert_string_equal(l.key, "carrier-x");
	assert_int_equal(l.lim.mcps, 2500);
	assert_int_equal(l.lim.burst, 3);
	assert_int_equal(l.lim.max_concurrent, 0);
	assert_int_equal(line("carrier-y\t10\t-\t30#x", &l, &err), 1);
	assert_int_equal(l.lim.burst, 3);
	assert_int_equal(l.lim.max_concurrent, 30);

	assert_int_equal(line("carrier-x", &l, &err), -1);
	assert_string_equal(err, "no cps after the destination");
	assert_int_equal(line("carrier-x ten", &l, &err), -1);
	assert_non_null(strstr(err, "cps must be"));
	assert_int_equal(line("carrier-x 10 0", &l, &err), -1);
	assert_non_null(strstr(err, "burst"));
	assert_int_equal(line("carrier-x 10 1 -5", &l, &err), -1);
	assert_non_null(strstr(err, "max_concurrent"));
	assert_int_equal(line("carrier-x 10 1 5 9", &l, &err), -1);
	assert_non_null(strstr(err, "too many fields"));
	assert_int_equal(line("sip:host:99999 10", &l, &err), -1);
	assert_non_null(strstr(err, "port"));
}

struct seen
{
	int n;
	char last[RG_KEY_MAX + 1];
};

static int count_apply(void *arg, const struct rg_limit_line *l)
{
	struct seen *s = arg;

	s->n++;
	strcpy(s->last, l->key);
	return strcmp(l->key, "refuse-me") == 0 ? -1 : 0;
}

static void test_file(void **state)
{
	const char *good = "# limits\n"
					   "sip:10.0.0.1 20 5 10\n"
					   "\n"
					   "refuse-me 1\n"
					   "carrier-x 2.5";
	const char *bad = "sip:10.0.0.1 20\n"
					  "carrier-x 2.5\n"
					  "carrier-y twenty\n"
					  "carrier-z 1\n";
	struct seen s = {0, ""};
	const char *err = NULL;
	int failed, at;

	(void)state;
	assert_int_equal(rg_limits_parse(good, strlen(good), &dflt, count_apply, &s,
							 &failed, &at, &err),
			3);
	assert_int_equal(s.n, 3);
	assert_int_equal(failed, 1);
	assert_string_equal(s.last, "carrier-x");

	/* a bad line: its number, and nothing applied */
	s.n = 0;
	assert_int_equal(rg_limits_parse(bad, strlen(bad), &dflt, count_apply, &s,
							 &failed, &at, &err),
			-1);
	assert_int_equal(at, 3);
	assert_int_equal(s.n, 0);
	assert_non_null(strstr(err, "cps must be"));

	/* a NUL byte is an error, not the end of the file */
	assert_int_equal(rg_limits_parse("a 1\nb\0 1\n", 9, &dflt, NULL, NULL,
							 &failed, &at, &err),
			-1);
	assert_int_equal(at, 2);
	/* empty file: no entries */
	assert_int_equal(
			rg_limits_parse("", 0, &dflt, count_apply, &s, &failed, &at, &err),
			0);
}

static void test_check_args(void **state)
{
	struct rg_limit_line l;
	const char *err = NULL;

	(void)state;
	assert_int_equal(rg_limits_check_args("sip:GW:5060", 11, 2500, -1, -1,
							 &dflt, &l, &err),
			0);
	assert_string_equal(l.key, "sip:gw:5060");
	assert_int_equal(l.lim.mcps, 2500);
	assert_int_equal(l.lim.burst, 3);
	assert_int_equal(l.lim.max_concurrent, 0);
	assert_int_equal(
			rg_limits_check_args("x", 1, 0, 1000000, 7, &dflt, &l, &err), 0);
	assert_int_equal(l.lim.burst, 1000000);
	assert_int_equal(l.lim.max_concurrent, 7);
	assert_int_equal(
			rg_limits_check_args("x", 1, 1000, 0, -1, &dflt, &l, &err), -1);
	assert_string_equal(err, "burst must be 1..1000000");
	assert_int_equal(rg_limits_check_args(
							 "x", 1, 1000, 1000001, -1, &dflt, &l, &err),
			-1);
	assert_int_equal(rg_limits_check_args(
							 "x", 1, 1000, 1, 1000001, &dflt, &l, &err),
			-1);
	assert_string_equal(err, "max_concurrent must be 0..1000000");
	assert_int_equal(rg_limits_check_args(
							 "x", 1, 1000000001, 1, 1, &dflt, &l, &err),
			-1);
	assert_int_equal(
			rg_limits_check_args("a b", 3, 1000, 1, 1, &dflt, &l, &err), -1);
	assert_int_equal(rg_limits_check_args("", 0, 1000, 1, 1, &dflt, &l, &err),
			-1);
}

/* db_table goes into SQL as it is: only an identifier passes */
static void test_table_name(void **state)
{
	static const char *good[] = {"replyguard_limits", "_t", "T9",
			"rg.replyguard_limits", "a23456789012345678901234567890123456789012"
									"345678901234567890123"};
	static const char *bad[] = {"", "9t", "t;drop table x", "t t", "t-1",
			"a.b.c", ".t", "t.", "t\"", "t'", "t\n", "a2345678901234567890123"
			"45678901234567890123456789012345678901234"};
	size_t i;

	(void)state;
	for(i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(rg_limits_table_ok(good[i], strlen(good[i])), 1);
	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rg_limits_table_ok(bad[i], strlen(bad[i])), 0);
	assert_int_equal(rg_limits_table_ok(NULL, 0), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_rate),
			cmocka_unit_test(test_line),
			cmocka_unit_test(test_file),
			cmocka_unit_test(test_check_args),
			cmocka_unit_test(test_table_name),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
