/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bounded text buffer and its escapers (rg_buf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_buf.h"

static void test_bounded(void **state)
{
	char mem[8];
	struct rg_buf b;

	(void)state;
	rg_buf_init(&b, mem, sizeof(mem));
	rg_buf_puts(&b, "abc");
	rg_buf_printf(&b, "%d", 1234);
	assert_string_equal(mem, "abc1234");
	assert_int_equal(b.full, 0);
	/* one more byte would leave no room for the NUL */
	rg_buf_puts(&b, "x");
	assert_int_equal(b.full, 1);
	assert_string_equal(mem, "abc1234");
	/* once full, later appends that would fit are still refused */
	b.len = 2;
	rg_buf_puts(&b, "");
	assert_int_equal(b.full, 1);

	rg_buf_init(&b, mem, sizeof(mem));
	rg_buf_printf(&b, "%s", "123456789");
	assert_int_equal(b.full, 1);
	assert_int_equal(b.len, 0);
	assert_string_equal(mem, "");
}

static void test_json_escape(void **state)
{
	char mem[128];
	struct rg_buf b;
	const char in[] = "a\"b\\c\nd\x01\x7f" "\xc3\xa9";

	(void)state;
	rg_buf_init(&b, mem, sizeof(mem));
	rg_buf_json_str(&b, in, sizeof(in) - 1);
	/* DEL and UTF-8 bytes pass through; quotes, backslash and controls
	 * are escaped */
	assert_string_equal(mem, "a\\\"b\\\\c\\u000ad\\u0001\x7f\xc3\xa9");
}

static void test_prom_label(void **state)
{
	char mem[64];
	struct rg_buf b;

	(void)state;
	rg_buf_init(&b, mem, sizeof(mem));
	rg_buf_prom_label(&b, "x\"y\\z\nw\tv", 9);
	assert_string_equal(mem, "x\\\"y\\\\z\\nw\tv");
}

static void test_milli(void **state)
{
	static const struct
	{
		uint64_t v;
		const char *s;
	} cases[] = {{0, "0"}, {3000, "3"}, {2500, "2.5"}, {2050, "2.05"},
			{2005, "2.005"}, {125, "0.125"}, {7, "0.007"}, {10, "0.01"},
			{1000000000, "1000000"}};
	char mem[32];
	struct rg_buf b;
	size_t i;

	(void)state;
	for(i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		rg_buf_init(&b, mem, sizeof(mem));
		rg_buf_milli(&b, cases[i].v);
		assert_string_equal(mem, cases[i].s);
	}
}

/* Log lines: control characters escaped, long values cut. */
static void test_log_str(void **state)
{
	char mem[256];
	struct rg_buf b;

	(void)state;
	rg_buf_init(&b, mem, sizeof(mem));
	rg_buf_log_str(&b, "a\r\nb\\\x01\xff", 7, 100);
	assert_string_equal(mem, "a\\x0d\\x0ab\\\\\\x01\\xff");
	rg_buf_init(&b, mem, sizeof(mem));
	rg_buf_log_str(&b, "abcdef", 6, 3);
	assert_string_equal(mem, "abc...");
	assert_string_equal(rg_log_safe("x\ny", 3), "x\\x0ay");
	assert_string_equal(rg_log_safe(NULL, 3), "");
}

/* A webhook URL in a log line keeps no credentials and no query. */
static void test_url_redacted(void **state)
{
	static const char *in[][2] = {
			{"https://u:secret@hooks.example.com/a?token=abc",
					"https://***@hooks.example.com/a?***"},
			{"http://127.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"},
			{"http://a@b@host/x", "http://***@host/x"},
			{"http://host?q", "http://host?***"},
			{"http://host/p\r\n", "http://host/p\\x0d\\x0a"},
	};
	char mem[256];
	struct rg_buf b;
	size_t i;

	(void)state;
	for(i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		rg_buf_init(&b, mem, sizeof(mem));
		rg_buf_url_redacted(&b, in[i][0]);
		assert_string_equal(mem, in[i][1]);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_bounded),
			cmocka_unit_test(test_json_escape),
			cmocka_unit_test(test_prom_label),
			cmocka_unit_test(test_milli),
			cmocka_unit_test(test_log_str),
			cmocka_unit_test(test_url_redacted),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
