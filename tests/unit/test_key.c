/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Destination key normalisation (rg_key.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_key.h"

static const char *norm(const char *in)
{
	static char out[RG_KEY_MAX + 1];
	int rc = rg_key_normalize(in, strlen(in), out);

	if(rc < 0)
		return rg_key_strerror(rc);
	assert_int_equal(rc, (int)strlen(out));
	return out;
}

static void test_spellings_of_one_address(void **state)
{
	(void)state;
	assert_string_equal(norm("sip:1.2.3.4"), "sip:1.2.3.4:5060");
	assert_string_equal(norm("sip:1.2.3.4:5060"), "sip:1.2.3.4:5060");
	assert_string_equal(norm("sip:1.2.3.4;transport=udp"), "sip:1.2.3.4:5060");
	assert_string_equal(norm("SIP:1.2.3.4;TRANSPORT=UDP"), "sip:1.2.3.4:5060");
	assert_string_equal(norm("sip:bob@1.2.3.4;lr"), "sip:1.2.3.4:5060");
	assert_string_equal(norm("sip:1.2.3.4?X=y"), "sip:1.2.3.4:5060");
	assert_string_equal(norm("  sip:1.2.3.4  "), "sip:1.2.3.4:5060");
}

static void test_transport_kept_unless_udp(void **state)
{
	(void)state;
	assert_string_equal(
			norm("sip:1.2.3.4;transport=tcp"), "sip:1.2.3.4:5060;transport=tcp");
	assert_string_equal(norm("sip:1.2.3.4:5080;lr;transport=TLS"),
			"sip:1.2.3.4:5080;transport=tls");
	{
		char tcp[RG_KEY_MAX + 1];
		strcpy(tcp, norm("sip:1.2.3.4;transport=tcp"));
		assert_string_not_equal(tcp, norm("sip:1.2.3.4"));
	}
}

static void test_hosts_and_ports(void **state)
{
	(void)state;
	assert_string_equal(norm("sip:GW1.Example.COM"), "sip:gw1.example.com:5060");
	assert_string_equal(norm("sips:gw.example.com"), "sips:gw.example.com:5061");
	assert_string_equal(norm("sip:[2001:DB8::1]"), "sip:[2001:db8::1]:5060");
	assert_string_equal(norm("sip:[::1]:5070"), "sip:[::1]:5070");
	assert_string_equal(norm("sip:h:65535"), "sip:h:65535");
}

static void test_names_kept_verbatim(void **state)
{
	(void)state;
	assert_string_equal(norm("carrier-A"), "carrier-A");
	assert_string_equal(norm("tel:+15551234"), "tel:+15551234");
}

static void test_bad_keys(void **state)
{
	char out[RG_KEY_MAX + 1];
	char big[600];

	(void)state;
	assert_int_equal(rg_key_normalize("", 0, out), RG_KEY_EEMPTY);
	assert_int_equal(rg_key_normalize("   ", 3, out), RG_KEY_EEMPTY);
	assert_int_equal(rg_key_normalize(NULL, 4, out), RG_KEY_EEMPTY);
	assert_int_equal(rg_key_normalize("sip:", 4, out), RG_KEY_EBADHOST);
	assert_int_equal(rg_key_normalize("sip::5060", 9, out), RG_KEY_EBADHOST);
	assert_int_equal(rg_key_normalize("sip:[::1", 8, out), RG_KEY_EBADHOST);
	assert_int_equal(rg_key_normalize("sip:h:0", 7, out), RG_KEY_EBADPORT);
	assert_int_equal(rg_key_normalize("sip:h:65536", 11, out), RG_KEY_EBADPORT);
	assert_int_equal(rg_key_normalize("sip:h:", 6, out), RG_KEY_EBADPORT);
	assert_int_equal(rg_key_normalize("sip:h x", 7, out), RG_KEY_EBADHOST);
	assert_int_equal(rg_key_normalize("a b", 3, out), RG_KEY_EBADCHAR);
	assert_int_equal(rg_key_normalize("a\nb", 3, out), RG_KEY_EBADCHAR);
	assert_int_equal(rg_key_normalize("a\0b", 3, out), RG_KEY_EBADCHAR);
	assert_int_equal(rg_key_normalize("sip:h;transport=t%cp", 20, out),
			RG_KEY_EBADCHAR);

	memset(big, 'a', sizeof(big));
	assert_int_equal(rg_key_normalize(big, RG_KEY_MAX, out), RG_KEY_MAX);
	assert_int_equal(
			rg_key_normalize(big, RG_KEY_MAX + 1, out), RG_KEY_ETOOLONG);
	assert_int_equal(rg_key_normalize(big, sizeof(big), out), RG_KEY_ETOOLONG);
	memcpy(big, "sip:", 4);
	assert_int_equal(rg_key_normalize(big, 200, out), RG_KEY_ETOOLONG);
	assert_non_null(rg_key_strerror(RG_KEY_EBADPORT));
}

/*
 * The memo answers exactly what a parse would: for hits, for inputs that
 * evicted others, for inputs too long to keep, and for refusals, which
 * are never kept (the same bytes are refused again).
 */
static void test_memo_same_as_parse(void **state)
{
	static const char *in[] = {"sip:10.0.0.1", "sip:GW.example.com:5070",
			"sip:bob@10.0.0.1;transport=udp", "carrier-A", "sip:h:0", "a b",
			"sips:10.0.0.2", "sip:10.0.0.1;transport=tcp",
			"sip:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com",
			"  sip:10.0.0.1  "};
	struct rg_key_memo memo;
	struct rg_key_hashes h;
	char a[RG_KEY_MAX + 1], b[RG_KEY_MAX + 1];
	unsigned int round, i, hits = 0;

	(void)state;
	memset(&memo, 0, sizeof(memo));
	for(round = 0; round < 3; round++) {
		for(i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
			size_t n = strlen(in[i]);
			int want = rg_key_normalize(in[i], n, a);
			int got;

			memset(b, 'x', sizeof(b));
			got = rg_key_normalize_memo(&memo, in[i], n, b);
			assert_int_equal(got, want);
			if(want > 0)
				assert_memory_equal(a, b, (size_t)want + 1);
			/* asked again at once: answered from the memo, the same, with
			 * the hashes of the key and of the input */
			memset(b, 'x', sizeof(b));
			memset(&h, 0, sizeof(h));
			assert_int_equal(
					rg_key_normalize_memo_h(&memo, in[i], n, b, &h), want);
			if(want > 0) {
				assert_memory_equal(a, b, (size_t)want + 1);
				assert_int_equal(h.key, rg_fnv1a(a, want, RG_FNV_SEED));
				assert_int_equal(h.raw, rg_fnv1a(in[i], (int)n, RG_FNV_SEED));
				hits++;
			}
		}
	}
	assert_true(hits > 0);
	/* a refusal was not kept: the memo holds only accepted inputs */
	for(i = 0; i < RG_KEY_MEMO_N; i++) {
		if(memo.e[i].raw_len == 0)
			continue;
		assert_true(rg_key_normalize(memo.e[i].raw, memo.e[i].raw_len, a) > 0);
	}
	/* one byte apart is another input */
	assert_int_equal(rg_key_normalize_memo(&memo, "sip:10.0.0.3", 12, b), 17);
	assert_string_equal(b, "sip:10.0.0.3:5060");
	assert_int_equal(rg_key_normalize_memo(&memo, "sip:10.0.0.4", 12, b), 17);
	assert_string_equal(b, "sip:10.0.0.4:5060");
	assert_int_equal(rg_key_normalize_memo(&memo, "sip:10.0.0.3", 12, b), 17);
	assert_string_equal(b, "sip:10.0.0.3:5060");
	assert_int_equal(rg_key_normalize_memo(&memo, NULL, 4, b), RG_KEY_EEMPTY);
	assert_int_equal(rg_key_normalize_memo(&memo, "", 0, b), RG_KEY_EEMPTY);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_spellings_of_one_address),
			cmocka_unit_test(test_transport_kept_unless_udp),
			cmocka_unit_test(test_hosts_and_ports),
			cmocka_unit_test(test_names_kept_verbatim),
			cmocka_unit_test(test_bad_keys),
			cmocka_unit_test(test_memo_same_as_parse),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("rg_key", tests, NULL, NULL);
}
