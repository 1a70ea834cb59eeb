/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The throttle: GCRA rate and burst, the in-flight cap, AIMD (rg_throttle.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_throttle.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 100000 * SEC)
#define CPS(x) ((uint32_t)((x)*1000))

/* default limit {mcps, burst, cap}, adaptive, permille, min, interval, step */
static struct rg_throttle_cfg cfg;

static int setup(void **state)
{
	(void)state;
	cfg = (struct rg_throttle_cfg){{0, 1, 0}, 1, 500, CPS(1), 1000, CPS(1), 0, 0, 0};
	return 0;
}

static struct rg_throttle mk(uint32_t mcps, uint32_t burst, uint32_t cap)
{
	struct rg_throttle th;
	struct rg_limit lim = {mcps, burst, cap};

	rg_throttle_init(&th, &cfg);
	rg_throttle_set(&th, &lim, RG_LIM_MANUAL);
	return th;
}

static int admit(struct rg_throttle *th, uint64_t now, uint32_t *ra)
{
	enum rg_tevent ev;
	int held;

	return rg_throttle_admit(th, &cfg, now, ra, &held, &ev);
}

/* One call offered every `step_ms` for `dur_ms`: how many got in. */
static int offer(struct rg_throttle *th, uint64_t from, uint64_t dur_ms,
		uint64_t step_ms)
{
	uint64_t now;
	uint32_t ra;
	int n = 0;

	for(now = from; now < from + dur_ms; now += step_ms)
		n += admit(th, now, &ra) == 1;
	return n;
}

static void test_no_limit_admits_all(void **state)
{
	struct rg_throttle th = mk(0, 1, 0);

	(void)state;
	assert_int_equal(offer(&th, T0, 1000, 1), 1000);
	assert_int_equal(rg_throttle_rate(&th), 0);
}

static void test_rate_is_exact_over_time(void **state)
{
	struct rg_throttle th = mk(CPS(10), 1, 0);
	uint32_t ra = 0;

	(void)state;
	/* 1000 cps offered for 10 s against 10 cps: the first, then one per
	 * 100 ms (GCRA allows burst + rate * time: 1 + 100) */
	assert_int_equal(offer(&th, T0, 10 * SEC, 1), 101);
	/* the one after a call is refused with at least 1 s */
	th = mk(CPS(10), 1, 0);
	assert_int_equal(admit(&th, T0, &ra), 1);
	assert_int_equal(admit(&th, T0 + 10, &ra), -2);
	assert_int_equal(ra, 1);
	assert_int_equal(admit(&th, T0 + 100, &ra), 1);
}

static void test_burst(void **state)
{
	struct rg_throttle th = mk(CPS(10), 5, 0);
	uint32_t ra;
	int i;

	(void)state;
	for(i = 0; i < 5; i++)
		assert_int_equal(admit(&th, T0, &ra), 1);
	assert_int_equal(admit(&th, T0, &ra), -2);
	/* one emission interval later, one more fits */
	assert_int_equal(admit(&th, T0 + 100, &ra), 1);
	assert_int_equal(admit(&th, T0 + 100, &ra), -2);
	/* after a quiet second the whole burst is back */
	for(i = 0; i < 5; i++)
		assert_int_equal(admit(&th, T0 + 2 * SEC, &ra), 1);
	assert_int_equal(admit(&th, T0 + 2 * SEC, &ra), -2);
	/* a burst adds calls once; the long-run rate stays 10 cps */
	th = mk(CPS(10), 5, 0);
	assert_int_equal(offer(&th, T0, 10 * SEC, 1), 105);
}

static void test_fractional_rate_and_retry_after(void **state)
{
	struct rg_throttle th = mk(CPS(0.5), 1, 0);
	uint32_t ra;

	(void)state;
	assert_int_equal(admit(&th, T0, &ra), 1);
	assert_int_equal(admit(&th, T0 + 1, &ra), -2);
	assert_int_equal(ra, 2);
	assert_int_equal(admit(&th, T0 + 1500, &ra), -2);
	assert_int_equal(ra, 1);
	assert_int_equal(admit(&th, T0 + 2 * SEC, &ra), 1);
	assert_int_equal(offer(&th, T0 + 3 * SEC, 20 * SEC, 10), 10);
}

static void test_concurrency_cap(void **state)
{
	struct rg_throttle th = mk(0, 1, 2);
	enum rg_tevent ev;
	uint32_t ra;
	int held = 0;

	(void)state;
	assert_int_equal(rg_throttle_admit(&th, &cfg, T0, &ra, &held, &ev), 1);
	assert_int_equal(held, 1);
	assert_int_equal(rg_throttle_admit(&th, &cfg, T0, &ra, &held, &ev), 1);
	assert_int_equal(th.inflight, 2);
	assert_int_equal(rg_throttle_admit(&th, &cfg, T0, &ra, &held, &ev), -2);
	assert_int_equal(held, 0);
	assert_int_equal(ra, 1);
	assert_int_equal(rg_throttle_release(&th), 0);
	assert_int_equal(rg_throttle_admit(&th, &cfg, T0, &ra, &held, &ev), 1);
	assert_int_equal(rg_throttle_release(&th), 0);
	assert_int_equal(rg_throttle_release(&th), 0);
	/* one too many: refused (the caller's defect), never below zero */
	assert_int_equal(rg_throttle_release(&th), -1);
	assert_int_equal(th.inflight, 0);
	/* no cap: nothing is held, nothing to release */
	th = mk(0, 1, 0);
	assert_int_equal(rg_throttle_admit(&th, &cfg, T0, &ra, &held, &ev), 1);
	assert_int_equal(held, 0);
	assert_int_equal(th.inflight, 0);
}

static void test_backoff_and_recovery(void **state)
{
	struct rg_throttle th = mk(CPS(20), 1, 0);
	uint64_t now;
	int i;

	(void)state;
	/* a second at the limit, then a 503: half of the received rate */
	offer(&th, T0, SEC, 1);
	now = T0 + SEC;
	assert_int_equal(rg_throttle_overload(&th, &cfg, now), RG_TEV_THROTTLED);
	assert_int_equal(rg_throttle_rate(&th), CPS(10));
	/* more 503s within the interval do not cut again */
	assert_int_equal(rg_throttle_overload(&th, &cfg, now + 500), RG_TEV_NONE);
	assert_int_equal(rg_throttle_rate(&th), CPS(10));
	/* the next quiet interval counts from the last 503 */
	assert_int_equal(rg_throttle_tick(&th, &cfg, now + 1400), RG_TEV_NONE);
	assert_int_equal(rg_throttle_rate(&th), CPS(10));
	assert_int_equal(rg_throttle_tick(&th, &cfg, now + 1500), RG_TEV_NONE);
	assert_int_equal(rg_throttle_rate(&th), CPS(11));
	/* one step per quiet interval, back to the configured 20 */
	for(i = 2; i < 10; i++)
		assert_int_equal(
				rg_throttle_tick(&th, &cfg, now + 500 + i * SEC), RG_TEV_NONE);
	assert_int_equal(rg_throttle_rate(&th), CPS(19));
	assert_int_equal(
			rg_throttle_tick(&th, &cfg, now + 10500), RG_TEV_UNTHROTTLED);
	assert_int_equal(rg_throttle_rate(&th), CPS(20));
	assert_int_equal(th.throttled, 0);
}

static void test_backoff_floor_and_off(void **state)
{
	struct rg_throttle th = mk(0, 1, 0);
	uint64_t now = T0;
	int i;

	(void)state;
	/* repeated cuts, one per interval, stop at cps_min */
	for(i = 0; i < 12; i++, now += SEC) {
		offer(&th, now, SEC, 1);
		rg_throttle_overload(&th, &cfg, now + SEC - 1);
	}
	assert_int_equal(rg_throttle_rate(&th), CPS(1));
	/* with adaptive off a 503 changes nothing */
	cfg.adaptive = 0;
	th = mk(CPS(20), 1, 0);
	assert_int_equal(rg_throttle_overload(&th, &cfg, T0), RG_TEV_NONE);
	assert_int_equal(rg_throttle_rate(&th), CPS(20));
}

static void test_new_limit_below_backoff(void **state)
{
	struct rg_throttle th = mk(CPS(40), 1, 0);
	struct rg_limit lim = {CPS(5), 1, 0};

	(void)state;
	offer(&th, T0, SEC, 1);
	assert_int_equal(
			rg_throttle_overload(&th, &cfg, T0 + SEC), RG_TEV_THROTTLED);
	assert_int_equal(rg_throttle_rate(&th), CPS(20));
	assert_int_equal(rg_throttle_set(&th, &lim, RG_LIM_FILE),
			RG_TEV_UNTHROTTLED);
	assert_int_equal(rg_throttle_rate(&th), CPS(5));
	assert_string_equal(rg_limit_src_name(th.src), "file");
}

/*
 * A carrier that answers 503 (no Retry-After) whenever it got more than
 * `cap` calls in the last second. Offered `offered` cps for `secs`; returns
 * the 503s, and the calls it accepted in the last `tail` seconds.
 */
static int carrier(struct rg_throttle *th, int adaptive, int offered, int cap,
		int secs, int tail, int *accepted_tail)
{
	static uint64_t recent[4096];
	unsigned int head = 0, n = 0;
	uint64_t now, step = 1000 / (uint64_t)offered;
	uint64_t end = T0 + (uint64_t)secs * SEC;
	uint32_t ra;
	int rejected = 0;

	cfg.adaptive = (uint32_t)adaptive;
	*accepted_tail = 0;
	for(now = T0; now < end; now += step) {
		rg_throttle_tick(th, &cfg, now);
		if(admit(th, now, &ra) != 1)
			continue;
		while(n > 0 && recent[head] + SEC <= now) {
			head = (head + 1) % 4096;
			n--;
		}
		if(n >= (unsigned int)cap) {
			rejected++;
			rg_throttle_overload(th, &cfg, now);
			continue;
		}
		recent[(head + n++) % 4096] = now;
		if(now >= end - (uint64_t)tail * SEC)
			(*accepted_tail)++;
	}
	return rejected;
}

static void test_aimd_settles_near_the_carrier_limit(void **state)
{
	struct rg_throttle th;
	int rej_on, rej_off, acc_on, acc_off;
	double rate;

	(void)state;
	th = mk(0, 1, 0);
	rej_off = carrier(&th, 0, 60, 25, 120, 60, &acc_off);
	th = mk(0, 1, 0);
	rej_on = carrier(&th, 1, 60, 25, 120, 60, &acc_on);
	rate = acc_on / 60.0;
	print_message("AIMD: 60 cps offered to a 25 cps carrier for 120 s: "
				  "503s %d adaptive, %d not; accepted %.1f cps adaptive\n",
			rej_on, rej_off, rate);
	/* without back-off, everything above 25 cps is refused */
	assert_true(rej_off > 120 * 30);
	/* with it, a 503 now and then, at the top of each cycle */
	assert_true(rej_on * 20 < rej_off);
	/* and the accepted rate stays near, never above, the carrier's 25 */
	assert_true(rate >= 25 * 0.6 && rate <= 25.5);
}

/* back up from a block: 20 % of 100 cps at first, all of it after 10 s,
 * in a straight line; admitted calls follow it second by second */
static void test_ramp(void **state)
{
	struct rg_throttle th = mk(CPS(100), 1, 0);
	int sec, n;

	(void)state;
	cfg.ramp_start_pm = 200;
	cfg.ramp_ms = 10000;
	assert_int_equal(rg_throttle_ramp_cap(&th, &cfg, T0, CPS(100)), 0);
	rg_throttle_ramp(&th, &cfg, T0, 0);
	assert_int_equal(rg_throttle_ramp_cap(&th, &cfg, T0, CPS(100)), CPS(20));
	assert_int_equal(
			rg_throttle_ramp_cap(&th, &cfg, T0 + 5000, CPS(100)), CPS(60));
	assert_int_equal(rg_throttle_ramp_cap(&th, &cfg, T0 + 10000, CPS(100)), 0);
	/* a clock read from before the ramp: its start */
	assert_int_equal(
			rg_throttle_ramp_cap(&th, &cfg, T0 - 5, CPS(100)), CPS(20));
	/* never 0 (which would be "over") while it runs */
	assert_int_equal(rg_throttle_ramp_cap(&th, &cfg, T0, 3), 1);
	/* offered 1000 a second: second s admits about the cap at its middle */
	for(sec = 0; sec < 10; sec++) {
		n = offer(&th, T0 + (uint64_t)sec * SEC, SEC, 1);
		assert_in_range(n, 20 + 8 * sec - 1, 20 + 8 * (sec + 1) + 1);
	}
	/* over: the whole rate, and the ramp is forgotten */
	n = offer(&th, T0 + 10 * SEC, SEC, 1);
	assert_in_range(n, 99, 101);
	assert_int_equal(th.ramp_t0_ms, 0);
	/* off: nothing begins */
	cfg.ramp_ms = 0;
	rg_throttle_ramp(&th, &cfg, T0 + 20 * SEC, 0);
	assert_int_equal(th.ramp_t0_ms, 0);
}

/* a back-off during a ramp: the least of the two is in force, never the
 * ramp's share of the cut rate */
static void test_ramp_and_backoff(void **state)
{
	struct rg_throttle th = mk(CPS(100), 1, 0);
	int n;

	(void)state;
	cfg.ramp_start_pm = 100;
	cfg.ramp_ms = 10000;
	rg_throttle_ramp(&th, &cfg, T0, 0);
	/* 30 cps offered for 5 s: the cap rises from 10 to 50 cps */
	n = offer(&th, T0, 5 * SEC, 33);
	assert_true(n > 50);
	rg_throttle_overload(&th, &cfg, T0 + 5 * SEC);
	assert_true(th.throttled);
	/* cut to half the received rate (about 30 cps): 15 cps, under the
	 * ramp's cap (50 to 55 cps): 15 cps is what gets in */
	n = offer(&th, T0 + 5 * SEC + 1, 900, 1);
	assert_in_range(n, 12, 16);
}

/* a back-off that ends is ramped the rest of the way: from the rate it
 * stood at, at the ramp's slope, not the whole limit at once */
static void test_ramp_after_backoff(void **state)
{
	struct rg_throttle th = mk(CPS(100), 1, 0);
	uint64_t now;
	int n;

	(void)state;
	cfg.ramp_start_pm = 100;
	cfg.ramp_ms = 9000; /* 10 % to all of it: 10 cps a second */
	cfg.step_mcps = CPS(60);
	offer(&th, T0, SEC, 1);
	now = T0 + SEC;
	assert_int_equal(rg_throttle_overload(&th, &cfg, now), RG_TEV_THROTTLED);
	assert_int_equal(rg_throttle_rate(&th), CPS(50));
	/* one quiet interval: 50 + 60 passes the limit, the back-off ends */
	now += SEC;
	assert_int_equal(rg_throttle_tick(&th, &cfg, now), RG_TEV_UNTHROTTLED);
	/* the cap stands where the back-off stood, and rises 10 cps a second */
	assert_int_equal(rg_throttle_ramp_cap(&th, &cfg, now, CPS(100)), CPS(50));
	assert_int_equal(
			rg_throttle_ramp_cap(&th, &cfg, now + 2 * SEC, CPS(100)), CPS(70));
	assert_int_equal(rg_throttle_ramp_cap(&th, &cfg, now + 5 * SEC, CPS(100)),
			0); /* over */
	/* offered 1000 a second: the first second admits 50 to 60, not 100 */
	n = offer(&th, now, SEC, 1);
	assert_in_range(n, 49, 61);
	/* a block's ramp whose cap is lower stays */
	rg_throttle_ramp(&th, &cfg, now + 10 * SEC, 0);
	rg_throttle_ramp(&th, &cfg, now + 10 * SEC, 800);
	assert_int_equal(rg_throttle_ramp_cap(&th, &cfg, now + 10 * SEC, CPS(100)),
			CPS(10));
	/* a cut held at the limit (cps_min above it) ends with nothing to
	 * ramp */
	th = mk(CPS(1), 1, 0);
	cfg.min_mcps = CPS(2);
	offer(&th, T0, SEC, 500);
	assert_int_equal(
			rg_throttle_overload(&th, &cfg, T0 + SEC), RG_TEV_THROTTLED);
	assert_int_equal(
			rg_throttle_tick(&th, &cfg, T0 + 2 * SEC), RG_TEV_UNTHROTTLED);
	assert_int_equal(th.ramp_t0_ms, 0);
	cfg.min_mcps = CPS(1);
	/* no limit: nothing to ramp */
	th = mk(0, 1, 0);
	offer(&th, T0, SEC, 50);
	rg_throttle_overload(&th, &cfg, T0 + SEC);
	while(th.throttled)
		rg_throttle_tick(&th, &cfg, th.quiet_ms + SEC);
	assert_int_equal(th.ramp_t0_ms, 0);
}

/* a clock read before the second counted now (another process took the
 * lock first) counts in the second it fell in: the received rate never
 * falls back */
static void test_received_stale_clock(void **state)
{
	struct rg_throttle th = mk(0, 1, 0);
	uint32_t r, ra;

	(void)state;
	offer(&th, T0, SEC, 10); /* 100 a second */
	offer(&th, T0 + SEC, 10, 1);
	r = rg_throttle_received(&th, T0 + SEC + 10);
	admit(&th, T0 + SEC - 1, &ra); /* read just before the second */
	assert_int_equal(rg_throttle_received(&th, T0 + SEC + 10), r + 990);
	admit(&th, T0 - 1, &ra); /* older still: out of view */
	assert_int_equal(rg_throttle_received(&th, T0 + SEC + 10), r + 990);
	assert_int_equal(th.sec, (T0 + SEC) / 1000);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup(test_no_limit_admits_all, setup),
			cmocka_unit_test_setup(test_rate_is_exact_over_time, setup),
			cmocka_unit_test_setup(test_burst, setup),
			cmocka_unit_test_setup(test_fractional_rate_and_retry_after, setup),
			cmocka_unit_test_setup(test_concurrency_cap, setup),
			cmocka_unit_test_setup(test_ramp, setup),
			cmocka_unit_test_setup(test_ramp_and_backoff, setup),
			cmocka_unit_test_setup(test_ramp_after_backoff, setup),
			cmocka_unit_test_setup(test_received_stale_clock, setup),
			cmocka_unit_test_setup(test_backoff_and_recovery, setup),
			cmocka_unit_test_setup(test_backoff_floor_and_off, setup),
			cmocka_unit_test_setup(test_new_limit_below_backoff, setup),
			cmocka_unit_test_setup(
					test_aimd_settles_near_the_carrier_limit, setup),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("throttle", tests, NULL, NULL);
}
