/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The health state machine, every transition (rg_health.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_health.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 100000 * SEC)

/* ra_min, ra_max, down_threshold, down_time, probe_timeout */
static const struct rg_health_cfg cfg = {1, 300, 3, 30, 10, 1};

static uint64_t last_trial;

static int admit(struct rg_health *h, uint64_t now, uint32_t *ra)
{
	enum rg_event ev;

	return rg_health_admit(h, &cfg, now, ra, &last_trial, &ev);
}

static void test_clamp(void **state)
{
	(void)state;
	assert_int_equal(rg_health_clamp(&cfg, 0), 1);
	assert_int_equal(rg_health_clamp(&cfg, 1), 1);
	assert_int_equal(rg_health_clamp(&cfg, 120), 120);
	assert_int_equal(rg_health_clamp(&cfg, 86400), 300);
	assert_int_equal(rg_health_clamp(&cfg, UINT64_MAX), 300);
}

static void test_retry_after_takes_it_down_at_once(void **state)
{
	struct rg_health h;
	uint32_t ra;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(admit(&h, T0, &ra), 1);
	assert_int_equal(ra, 0);
	assert_int_equal(rg_health_failure(&h, &cfg, 3, 0, T0, NULL), RG_EV_DOWN);
	assert_int_equal(h.state, RG_DOWN);
	assert_int_equal(h.ra_last, 3);
	assert_int_equal(rg_health_blocked_for(&h, T0), 3);
	assert_int_equal(rg_health_blocked_for(&h, T0 + 2001), 1);
	assert_int_equal(admit(&h, T0 + 500, &ra), -1);
	assert_int_equal(ra, 3); /* 2.5 s left, rounded up */
	/* a later 503 of a call in flight extends, a shorter one does not cut */
	assert_int_equal(rg_health_failure(&h, &cfg, 10, 0, T0 + 1 * SEC, NULL), RG_EV_NONE);
	assert_int_equal(rg_health_blocked_for(&h, T0 + 1 * SEC), 10);
	assert_int_equal(rg_health_failure(&h, &cfg, 1, 0, T0 + 2 * SEC, NULL), RG_EV_NONE);
	assert_int_equal(rg_health_blocked_for(&h, T0 + 2 * SEC), 9);
	/* a success of a call admitted earlier does not lift the block */
	assert_int_equal(rg_health_success(&h, &cfg, 0, T0 + 3 * SEC), RG_EV_NONE);
	assert_int_equal(h.state, RG_DOWN);
}

static void test_huge_and_zero_retry_after_are_clamped(void **state)
{
	struct rg_health h;

	(void)state;
	memset(&h, 0, sizeof(h));
	rg_health_failure(&h, &cfg, 86400, 0, T0, NULL);
	assert_int_equal(rg_health_blocked_for(&h, T0), 300);
	memset(&h, 0, sizeof(h));
	rg_health_failure(&h, &cfg, 0, 0, T0, NULL);
	assert_int_equal(rg_health_blocked_for(&h, T0), 1);
}

static void test_threshold_without_retry_after(void **state)
{
	struct rg_health h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(rg_health_failure(&h, &cfg, -1, 0, T0, NULL), RG_EV_NONE);
	assert_int_equal(rg_health_failure(&h, &cfg, -1, 0, T0, NULL), RG_EV_NONE);
	/* a success in between resets the streak */
	assert_int_equal(rg_health_success(&h, &cfg, 0, T0), RG_EV_NONE);
	assert_int_equal(rg_health_failure(&h, &cfg, -1, 0, T0, NULL), RG_EV_NONE);
	assert_int_equal(rg_health_failure(&h, &cfg, -1, 0, T0, NULL), RG_EV_NONE);
	assert_int_equal(h.state, RG_UP);
	assert_int_equal(rg_health_failure(&h, &cfg, -1, 0, T0, NULL), RG_EV_DOWN);
	assert_int_equal(rg_health_blocked_for(&h, T0), 30);
	/* failures while down change nothing */
	assert_int_equal(rg_health_failure(&h, &cfg, -1, 0, T0, NULL), RG_EV_NONE);
	assert_int_equal(rg_health_blocked_for(&h, T0), 30);
}

static void test_probing_and_doubling(void **state)
{
	struct rg_health h;
	uint64_t now = T0;
	uint32_t ra, expect[] = {30, 60, 120, 240, 300, 300};
	uint64_t trial;
	enum rg_event ev;
	int i;

	(void)state;
	memset(&h, 0, sizeof(h));
	for(i = 0; i < 3; i++)
		rg_health_failure(&h, &cfg, -1, 0, now, NULL);
	for(i = 0; i < 6; i++) {
		assert_int_equal(h.state, RG_DOWN);
		assert_int_equal(rg_health_blocked_for(&h, now), expect[i]);
		now += (uint64_t)expect[i] * SEC;
		/* the block is over: the first admission is the trial */
		assert_int_equal(rg_health_admit(&h, &cfg, now, &ra, &trial, &ev), 1);
		assert_true(trial != 0);
		assert_int_equal(ev, RG_EV_PROBING);
		assert_int_equal(h.state, RG_PROBING);
		/* while it is in flight, everything else is refused */
		assert_int_equal(admit(&h, now + 1, &ra), -1);
		assert_int_equal(ra, 1);
		/* another call's failure does not decide */
		assert_int_equal(
				rg_health_failure(&h, &cfg, -1, 0, now + 1, NULL), RG_EV_NONE);
		/* the trial fails: down again, for twice as long (capped) */
		assert_int_equal(
				rg_health_failure(&h, &cfg, -1, trial, now + 2, NULL), RG_EV_DOWN);
		now += 2;
	}
	/* finally a trial succeeds: up, and the escalation starts over */
	now += 300 * SEC;
	assert_int_equal(admit(&h, now, &ra), 1);
	/* a late success of a call admitted before the block: still probing */
	assert_int_equal(rg_health_success(&h, &cfg, 0, now), RG_EV_NONE);
	assert_int_equal(h.state, RG_PROBING);
	assert_int_equal(rg_health_success(&h, &cfg, last_trial, now), RG_EV_UP);
	assert_int_equal(h.state, RG_UP);
	assert_int_equal(h.level, 0);
	for(i = 0; i < 3; i++)
		rg_health_failure(&h, &cfg, -1, 0, now, NULL);
	assert_int_equal(rg_health_blocked_for(&h, now), 30);
}

static void test_lost_trial_frees_the_slot(void **state)
{
	struct rg_health h;
	uint64_t first;
	uint32_t ra;

	(void)state;
	memset(&h, 0, sizeof(h));
	rg_health_failure(&h, &cfg, 5, 0, T0, NULL);
	assert_int_equal(rg_health_tick(&h, T0 + 4 * SEC), RG_EV_NONE);
	assert_int_equal(rg_health_tick(&h, T0 + 5 * SEC), RG_EV_PROBING);
	assert_int_equal(rg_health_tick(&h, T0 + 6 * SEC), RG_EV_NONE);
	assert_int_equal(admit(&h, T0 + 5 * SEC, &ra), 1);
	assert_int_equal(admit(&h, T0 + 14 * SEC, &ra), -1);
	first = last_trial;
	/* no outcome for probe_timeout (10 s): another trial may go */
	assert_int_equal(admit(&h, T0 + 15 * SEC, &ra), 1);
	assert_int_equal(admit(&h, T0 + 16 * SEC, &ra), -1);
	/* the given-up trial's outcome, when it comes at last, decides nothing */
	assert_int_equal(rg_health_success(&h, &cfg, first, T0 + 17 * SEC), RG_EV_NONE);
	assert_int_equal(
			rg_health_failure(&h, &cfg, 5, first, T0 + 17 * SEC, NULL), RG_EV_NONE);
	assert_int_equal(h.state, RG_PROBING);
	/* untrial of another token does nothing; of its own frees the slot */
	rg_health_untrial(&h, first);
	assert_int_equal(admit(&h, T0 + 18 * SEC, &ra), -1);
	rg_health_untrial(&h, h.probe_ms);
	assert_int_equal(admit(&h, T0 + 18 * SEC, &ra), 1);
	/* a clock read before that trial began (another process, before the
	 * lock): the trial is on its way, no second one */
	assert_int_equal(admit(&h, T0 + 18 * SEC - 1, &ra), -1);
	assert_int_equal(admit(&h, T0 + 10 * SEC, &ra), -1);
}

static void test_manual_block(void **state)
{
	struct rg_health h;
	uint32_t ra;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(rg_health_block(&h, 600, T0), RG_EV_DOWN);
	assert_int_equal(h.manual, 1);
	assert_int_equal(rg_health_blocked_for(&h, T0), 600);
	assert_int_equal(rg_health_block(&h, 10, T0), RG_EV_NONE);
	assert_int_equal(rg_health_blocked_for(&h, T0), 10);
	assert_int_equal(admit(&h, T0, &ra), -1);
	assert_int_equal(rg_health_unblock(&h), RG_EV_UP);
	assert_int_equal(rg_health_unblock(&h), RG_EV_NONE);
	assert_int_equal(admit(&h, T0, &ra), 1);
	/* a manual block that runs out probes like any other */
	rg_health_block(&h, 1, T0);
	assert_int_equal(rg_health_tick(&h, T0 + SEC), RG_EV_PROBING);
	assert_int_equal(h.manual, 0);
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(rg_state_name(RG_UP), "up");
	assert_string_equal(rg_state_name(RG_DOWN), "down");
	assert_string_equal(rg_state_name(RG_PROBING), "probing");
}

static int refuse(void *arg)
{
	(void)arg;
	return 0;
}

/* what a cluster peer's newer block does here (the caller has compared
 * versions): it replaces the block in force, whatever that was */
static void test_peers(void **state)
{
	struct rg_health h;
	struct rg_veto no = {refuse, NULL};

	(void)state;
	/* an inferred block from a peer asks the guard */
	memset(&h, 0, sizeof(h));
	assert_int_equal(rg_health_peer_block(&h, T0 + 60 * SEC, RG_BR_INFERRED,
							 0, &no),
			RG_EV_NONE);
	assert_int_equal(h.state, RG_UP);
	/* a Retry-After one does not ask; a newer one replaces it, shorter */
	assert_int_equal(rg_health_peer_block(&h, T0 + 60 * SEC, RG_BR_RA, 60,
							 &no),
			RG_EV_DOWN);
	assert_int_equal(rg_health_peer_block(&h, T0 + 30 * SEC, RG_BR_RA, 30,
							 NULL),
			RG_EV_NONE);
	assert_int_equal(rg_health_blocked_for(&h, T0), 30);
	assert_int_equal(h.ra_last, 30);
	/* an inferred block here, then a peer's manual one, even shorter:
	 * manual, for that long */
	memset(&h, 0, sizeof(h));
	rg_health_failure(&h, &cfg, -1, 0, T0, NULL);
	rg_health_failure(&h, &cfg, -1, 0, T0, NULL);
	rg_health_failure(&h, &cfg, -1, 0, T0, NULL);
	assert_int_equal(h.state, RG_DOWN);
	assert_int_equal(rg_health_peer_block(&h, T0 + 10 * SEC, RG_BR_MANUAL,
							 0, NULL),
			RG_EV_NONE);
	assert_int_equal(rg_health_reason(&h), RG_BR_MANUAL);
	assert_int_equal(rg_health_blocked_for(&h, T0), 10);
	/* a peer's newer inferred block over a manual one: no longer manual */
	assert_int_equal(rg_health_peer_block(&h, T0 + 20 * SEC, RG_BR_INFERRED,
							 0, &no),
			RG_EV_NONE);
	assert_int_equal(rg_health_reason(&h), RG_BR_INFERRED);
	assert_int_equal(rg_health_blocked_for(&h, T0), 20);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_clamp),
			cmocka_unit_test(test_peers),
			cmocka_unit_test(test_retry_after_takes_it_down_at_once),
			cmocka_unit_test(test_huge_and_zero_retry_after_are_clamped),
			cmocka_unit_test(test_threshold_without_retry_after),
			cmocka_unit_test(test_probing_and_doubling),
			cmocka_unit_test(test_lost_trial_frees_the_slot),
			cmocka_unit_test(test_manual_block),
			cmocka_unit_test(test_state_names),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("rg_health", tests, NULL, NULL);
}
