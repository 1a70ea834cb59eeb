/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rg_branch_rules.c: what a reply or a timeout means for its branch */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case_filter.h"
#include "rg_branch_rules.h"

#define T0 1000

/* the reply `code` to a branch with `flags`: what is counted */
static uint32_t rep(uint32_t flags, int code, int sdp, struct rg_reply *r)
{
	return rg_br_reply(flags, code, sdp, T0, T0 + 250, r);
}

static void test_183_counts_once(void **state)
{
	struct rg_reply r;
	uint32_t f;

	(void)state;
	f = rep(0, 183, 0, &r);
	assert_int_equal(r.code, 183);
	assert_int_equal(r.has_sdp, 0);
	assert_int_equal(r.pdd_ms, 250);
	assert_true(f & RG_BR_PROV);
	/* resent until PRACK: nothing new */
	f = rep(f, 183, 0, &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.pdd_ms, -1);
	/* then one with SDP: only its SDP is new */
	assert_true(rg_br_wants_sdp(f, 183));
	f = rep(f, 183, 1, &r);
	assert_int_equal(r.code, 183);
	assert_int_equal(r.has_sdp, 1);
	assert_int_equal(r.sdp_only, 1);
	assert_false(rg_br_wants_sdp(f, 183));
	/* and again: nothing */
	rep(f, 183, 1, &r);
	assert_int_equal(r.code, 0);
	/* a first 183 with SDP: both at once */
	rep(0, 183, 1, &r);
	assert_int_equal(r.code, 183);
	assert_int_equal(r.has_sdp, 1);
	assert_int_equal(r.sdp_only, 0);
	/* not asked for other codes */
	assert_false(rg_br_wants_sdp(0, 180));
	assert_false(rg_br_wants_sdp(0, 200));
}

/* a 183 with a body but no SDP: its copies are not parsed again */
static void test_183_body_without_sdp(void **state)
{
	struct rg_reply r;
	uint32_t f;

	(void)state;
	f = rep(0, 183, RG_SDP_NONE, &r);
	assert_int_equal(r.code, 183);
	assert_int_equal(r.has_sdp, 0);
	assert_false(rg_br_wants_sdp(f, 183));
	/* no body at all: a later 183 is still asked */
	f = rep(0, 183, RG_SDP_NO_BODY, &r);
	assert_true(rg_br_wants_sdp(f, 183));
}

static void test_180_and_pdd(void **state)
{
	struct rg_reply r;
	uint32_t f;

	(void)state;
	f = rep(0, 180, 0, &r);
	assert_int_equal(r.code, 180);
	assert_int_equal(r.pdd_ms, 250);
	f = rep(f, 180, 0, &r);
	assert_int_equal(r.code, 0);
	/* a 183 after the 180: counted, the delay not measured again */
	f = rep(f, 183, 0, &r);
	assert_int_equal(r.code, 183);
	assert_int_equal(r.pdd_ms, -1);
	/* another 18x first: its delay, no counter */
	rep(0, 181, 0, &r);
	assert_int_equal(r.code, 181);
	assert_int_equal(r.pdd_ms, 250);
	rep(RG_BR_PDD_DONE, 181, 0, &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.pdd_ms, -1);
	/* a clock that went back gives 0, not a wrap */
	rg_br_reply(0, 180, 0, T0, T0 - 1, &r);
	assert_int_equal(r.pdd_ms, 0);
	/* 100 Trying: nothing at all, not even alive */
	f = rg_br_reply(0, 100, 0, T0, T0, &r);
	assert_int_equal(f, 0);
	assert_int_equal(r.code, 0);
}

static void test_final_once(void **state)
{
	struct rg_reply r;
	uint32_t f;

	(void)state;
	f = rep(0, 503, 0, &r);
	assert_int_equal(r.code, 503);
	assert_true(f & RG_BR_FINAL_SEEN);
	rep(f, 503, 0, &r);
	assert_int_equal(r.code, 0);
	rep(f, 200, 0, &r);
	assert_int_equal(r.code, 0);
	/* a 183 handled after the final (another worker had the 200): it
	 * still counts, with its SDP */
	assert_true(rg_br_wants_sdp(f, 183));
	rep(f, 183, RG_SDP_FOUND, &r);
	assert_int_equal(r.code, 183);
	assert_int_equal(r.has_sdp, 1);
}

static void test_timeouts(void **state)
{
	uint32_t f;
	int failure = -1;

	(void)state;
	/* nothing, or only 100 Trying: failed */
	f = 0;
	assert_int_equal(rg_br_timeout(&f, 0, &failure), 1);
	assert_int_equal(failure, 1);
	assert_true(f & RG_BR_FINAL_SEEN);
	/* counted once */
	assert_int_equal(rg_br_timeout(&f, 0, &failure), 0);
	/* rang out after a provisional: no failure */
	f = RG_BR_PROV;
	assert_int_equal(rg_br_timeout(&f, 0, &failure), 1);
	assert_int_equal(failure, 0);
	/* the caller gave up: not counted */
	f = 0;
	assert_int_equal(rg_br_timeout(&f, 1, &failure), 0);
	assert_int_equal(f, 0);
}

/* a record parked on tm's blind UAC counts nothing */
static void test_parked(void **state)
{
	struct rg_reply r;
	uint32_t f = RG_BR_PARKED;
	int failure;

	(void)state;
	assert_false(rg_br_wants_sdp(f, 183));
	assert_int_equal(rep(f, 183, 1, &r), f);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.pdd_ms, -1);
	assert_int_equal(rep(f, 503, 0, &r), f);
	assert_int_equal(r.code, 0);
	assert_int_equal(rg_br_timeout(&f, 0, &failure), 0);
	assert_int_equal(f, RG_BR_PARKED);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_183_counts_once),
			cmocka_unit_test(test_183_body_without_sdp),
			cmocka_unit_test(test_180_and_pdd),
			cmocka_unit_test(test_final_once),
			cmocka_unit_test(test_timeouts),
			cmocka_unit_test(test_parked),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
