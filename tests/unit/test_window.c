/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sliding window, with an injected clock (rg_window.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_window.h"

#define SEC 1000ULL
/* an arbitrary, large starting clock: nothing may assume time starts at 0 */
#define T0 (RG_TEST_UPTIME_MS + 1000000 * SEC)

static uint64_t sum_of(const struct rg_window *w, uint64_t slot, uint64_t now,
		enum rg_counter c)
{
	uint64_t out[RG_C_COUNT];

	rg_window_sum(w, slot, now, out);
	return out[c];
}

static void test_slot_width(void **state)
{
	(void)state;
	assert_int_equal(rg_window_slot_ms(60), 5 * SEC);
	assert_int_equal(rg_window_slot_ms(12), 1 * SEC);
	assert_int_equal(rg_window_slot_ms(1), 1 * SEC);
	assert_int_equal(rg_window_slot_ms(61), 6 * SEC);
	assert_int_equal(rg_window_slot_ms(3600), 300 * SEC);
}

static void test_counts_inside_window(void **state)
{
	struct rg_window w;
	uint64_t slot = rg_window_slot_ms(60);
	int i;

	(void)state;
	memset(&w, 0, sizeof(w));
	/* one 503 a second for 30 s */
	for(i = 0; i < 30; i++)
		rg_window_add(&w, slot, T0 + i * SEC, RG_C_R503, 1);
	assert_int_equal(sum_of(&w, slot, T0 + 29 * SEC, RG_C_R503), 30);
	assert_int_equal(sum_of(&w, slot, T0 + 29 * SEC, RG_C_R183), 0);
	/* still all inside a minute later than the first */
	assert_int_equal(sum_of(&w, slot, T0 + 54 * SEC, RG_C_R503), 30);
}

static void test_old_slots_fall_out(void **state)
{
	struct rg_window w;
	uint64_t slot = rg_window_slot_ms(60);

	(void)state;
	memset(&w, 0, sizeof(w));
	rg_window_add(&w, slot, T0, RG_C_ATTEMPTS, 7);
	rg_window_add(&w, slot, T0 + 30 * SEC, RG_C_ATTEMPTS, 5);
	/* T0's slot is 12 slots old at T0 + 60 s: gone; T0 + 30 s stays */
	assert_int_equal(sum_of(&w, slot, T0 + 59 * SEC, RG_C_ATTEMPTS), 12);
	assert_int_equal(sum_of(&w, slot, T0 + 60 * SEC, RG_C_ATTEMPTS), 5);
	assert_int_equal(sum_of(&w, slot, T0 + 90 * SEC, RG_C_ATTEMPTS), 0);
}

static void test_ring_reuse_resets_slot(void **state)
{
	struct rg_window w;
	uint64_t slot = rg_window_slot_ms(12);

	(void)state;
	memset(&w, 0, sizeof(w));
	rg_window_add(&w, slot, T0, RG_C_R183, 3);
	/* the same ring position, one lap later: the old 3 must not leak in */
	rg_window_add(&w, slot, T0 + 12 * SEC, RG_C_R183, 1);
	assert_int_equal(sum_of(&w, slot, T0 + 12 * SEC, RG_C_R183), 1);
	/* a long silence, then one event */
	rg_window_add(&w, slot, T0 + 10000 * SEC, RG_C_R183, 2);
	assert_int_equal(sum_of(&w, slot, T0 + 10000 * SEC, RG_C_R183), 2);
}

static void test_clock_going_back_is_not_counted_twice(void **state)
{
	struct rg_window w;
	uint64_t slot = rg_window_slot_ms(60);

	(void)state;
	memset(&w, 0, sizeof(w));
	rg_window_add(&w, slot, T0 + 100 * SEC, RG_C_R2XX, 4);
	/* asked about an earlier time, a later slot is not "in" the window */
	assert_int_equal(sum_of(&w, slot, T0, RG_C_R2XX), 0);
}

/* Taking back what was added at a time: only while its slot holds it. */
static void test_sub(void **state)
{
	struct rg_window w;
	uint64_t slot = rg_window_slot_ms(60);

	(void)state;
	memset(&w, 0, sizeof(w));
	rg_window_add(&w, slot, T0, RG_C_ATTEMPTS, 2);
	rg_window_sub(&w, slot, T0 + 1, RG_C_ATTEMPTS, 1);
	assert_int_equal(sum_of(&w, slot, T0 + 2, RG_C_ATTEMPTS), 1);
	/* never below zero */
	rg_window_sub(&w, slot, T0, RG_C_ATTEMPTS, 5);
	assert_int_equal(sum_of(&w, slot, T0 + 2, RG_C_ATTEMPTS), 0);
	/* a slot recycled since holds nothing of it */
	rg_window_add(&w, slot, T0 + 12 * slot, RG_C_ATTEMPTS, 3);
	rg_window_sub(&w, slot, T0, RG_C_ATTEMPTS, 1);
	assert_int_equal(sum_of(&w, slot, T0 + 12 * slot, RG_C_ATTEMPTS), 3);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_slot_width),
			cmocka_unit_test(test_counts_inside_window),
			cmocka_unit_test(test_old_slots_fall_out),
			cmocka_unit_test(test_ring_reuse_resets_slot),
			cmocka_unit_test(test_clock_going_back_is_not_counted_twice),
			cmocka_unit_test(test_sub),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("rg_window", tests, NULL, NULL);
}
