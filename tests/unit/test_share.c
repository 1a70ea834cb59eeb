/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's CPS budget split (rg_share.c): the shares add up to the
 * budget, follow demand, keep a floor, and follow nodes going silent and
 * coming back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_share.h"

/* the sum of every node's share */
static uint64_t total(uint32_t budget, const uint32_t *d, int n, uint32_t fl)
{
	uint64_t s = 0;
	int i;

	for(i = 0; i < n; i++)
		s += rg_share(budget, d, n, i, fl);
	return s;
}

static void test_adds_up(void **state)
{
	static const uint32_t cases[][3] = {{20000, 20000, 20000},
			{40000, 5000, 5000}, {0, 0, 0}, {1, 2, 3}, {90000, 0, 0},
			{29999, 1, 0}, {4000000000u, 4000000000u, 1}};
	uint32_t budget[] = {30000, 1000, 7, 1000000000};
	size_t c, b;
	uint64_t t;

	(void)state;
	for(b = 0; b < sizeof(budget) / sizeof(budget[0]); b++) {
		for(c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			t = total(budget[b], cases[c], 3, 250);
			if(t > budget[b] || t + 3 < budget[b])
				fail_msg("budget %u, case %zu: shares add up to %llu",
						budget[b], c, (unsigned long long)t);
		}
	}
}

static void test_follows_demand(void **state)
{
	uint32_t even[3] = {20000, 20000, 20000};
	uint32_t skew[3] = {40000, 5000, 5000};

	(void)state;
	/* 30 cps among three nodes offered 20 each: 10 each */
	assert_int_equal(rg_share(30000, even, 3, 0, 250), 10000);
	/* offered 40 / 5 / 5: node 1 gets most, the others what they ask */
	assert_int_equal(rg_share(30000, skew, 3, 0, 250), 20000);
	assert_int_equal(rg_share(30000, skew, 3, 1, 250), 5000);
	assert_int_equal(rg_share(30000, skew, 3, 2, 250), 5000);
}

static void test_floor(void **state)
{
	uint32_t d[3] = {90000, 0, 0};

	(void)state;
	/* an idle node keeps a quarter of its even split: 2.5 of 10 cps */
	assert_int_equal(rg_share(30000, d, 3, 1, 250), 2500);
	assert_int_equal(rg_share(30000, d, 3, 0, 250), 25000);
	/* no floor: the busy node may have it all */
	assert_int_equal(rg_share(30000, d, 3, 0, 0), 30000);
}

/* a node goes silent (it drops out of the list) and comes back */
static void test_silence_and_rejoin(void **state)
{
	uint32_t three[3] = {20000, 20000, 20000};
	uint32_t two[2] = {20000, 20000};

	(void)state;
	assert_int_equal(rg_share(30000, three, 3, 0, 250), 10000);
	assert_int_equal(rg_share(30000, two, 2, 0, 250), 15000);
	assert_int_equal(rg_share(30000, three, 3, 2, 250), 10000);
	/* alone: the whole budget */
	assert_int_equal(rg_share(30000, two, 1, 0, 250), 30000);
	/* out of range asks nothing of the split */
	assert_int_equal(rg_share(30000, two, 0, 0, 250), 30000);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_adds_up),
			cmocka_unit_test(test_follows_demand),
			cmocka_unit_test(test_floor),
			cmocka_unit_test(test_silence_and_rejoin),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
