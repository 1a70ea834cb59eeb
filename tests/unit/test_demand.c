/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's CPS budget in force (rg_demand.c over rg_throttle.c):
 * simulated nodes, each with its own GCRA, offered calls at their own
 * rates, exchanging their demands every interval as the heartbeat does.
 * What they admit together stays within the budget, follows demand,
 * survives a node's silence, falls back to budget / last size with no
 * peer, and an AIMD cut starts from the cluster's received rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rg_demand.h"

#define SEC 1000ULL
#define T0 (100000 * SEC)
#define IVL 200 /* cluster_interval, ms */
#define NODES 3

static struct rg_throttle_cfg cfg;

struct node
{
	struct rg_throttle th;
	struct rg_demand dm;
	int alive;
	uint32_t offered_cps; /* what its callers offer */
	uint64_t next_call;	  /* ms of its next offered call */
	uint64_t admitted;	  /* in the measured span */
};

static struct node nd[NODES];

static int setup(void **state)
{
	struct rg_limit lim = {30000, 2, 0}; /* 30 cps, burst 2 */
	int i;

	(void)state;
	cfg = (struct rg_throttle_cfg){
			{0, 1, 0}, 1, 500, 1000, 1000, 1000, RG_SHARE_WHOLE / NODES};
	memset(nd, 0, sizeof(nd));
	for(i = 0; i < NODES; i++) {
		rg_throttle_init(&nd[i].th, &cfg);
		rg_throttle_set(&nd[i].th, &lim, RG_LIM_MANUAL);
		nd[i].alive = 1;
		nd[i].next_call = T0 + (uint64_t)i * 7;
	}
	return 0;
}

/* the peers node `self` hears: every other live node, at place j */
static void view(int self, struct rg_cview *v, uint32_t fallback)
{
	int j;

	memset(v, 0, sizeof(*v));
	for(j = 0; j < NODES; j++) {
		if(j != self && nd[j].alive)
			v->place[v->n++] = (uint8_t)j;
	}
	v->fallback_n = fallback;
	v->floor_permille = 250;
	v->fresh_ms = 3 * IVL;
}

/* one interval at `now`: every live node ticks, and tells the others */
static void interval(uint64_t now, uint32_t fallback)
{
	struct rg_demand_out out[NODES];
	struct rg_cview v;
	int i, j;

	for(i = 0; i < NODES; i++) {
		if(!nd[i].alive)
			continue;
		view(i, &v, fallback);
		rg_demand_tick(&nd[i].dm, &nd[i].th, &v, now, &out[i]);
	}
	for(i = 0; i < NODES; i++) {
		if(!nd[i].alive || !out[i].send)
			continue;
		for(j = 0; j < NODES; j++) {
			if(j != i) /* node j keeps node i at place i */
				rg_demand_peer(&nd[j].dm, &nd[j].th, i, out[i].demand_mcps,
						out[i].recv_mcps, 3 * IVL, now);
		}
	}
}

/*
 * Run from `from` for `dur_ms`, offering calls at each node's rate and
 * counting what is admitted from `measure_from` on.
 */
static void run(uint64_t from, uint64_t dur_ms, uint64_t measure_from,
		uint32_t fallback)
{
	uint64_t now, next_ivl = from;
	enum rg_tevent ev;
	uint32_t ra;
	int i, held;

	for(now = from; now < from + dur_ms; now++) {
		if(now >= next_ivl) {
			interval(now, fallback);
			next_ivl += IVL;
		}
		for(i = 0; i < NODES; i++) {
			if(!nd[i].alive || nd[i].offered_cps == 0)
				continue;
			while(nd[i].next_call <= now) {
				nd[i].next_call += 1000 / nd[i].offered_cps;
				if(rg_throttle_admit(&nd[i].th, &cfg, now, &ra, &held, &ev)
								== RG_THROTTLE_OK
						&& now >= measure_from)
					nd[i].admitted++;
			}
		}
	}
}

static void offer(uint32_t a, uint32_t b, uint32_t c)
{
	int i;

	nd[0].offered_cps = a;
	nd[1].offered_cps = b;
	nd[2].offered_cps = c;
	for(i = 0; i < NODES; i++)
		nd[i].admitted = 0;
}

static uint64_t total(void)
{
	return nd[0].admitted + nd[1].admitted + nd[2].admitted;
}

/* 3 nodes offered 20 cps each against 30: 30 in all, about 10 each */
static void test_even(void **state)
{
	int i;

	(void)state;
	offer(20, 20, 20);
	run(T0, 20 * SEC, T0 + 5 * SEC, 3);
	/* 15 s measured: 450 calls, within 3% */
	assert_in_range(total(), 436, 465);
	for(i = 0; i < NODES; i++)
		assert_in_range(nd[i].admitted, 140, 160);
	assert_in_range(rg_throttle_admit_rate(&nd[0].th), 9500, 10000);
}

/* 40 / 5 / 5: the total still holds and node 1 gets most of it */
static void test_follows_demand(void **state)
{
	(void)state;
	offer(40, 5, 5);
	run(T0, 20 * SEC, T0 + 5 * SEC, 3);
	assert_in_range(total(), 436, 465);
	assert_in_range(nd[0].admitted, 280, 305); /* about 20 cps */
	assert_in_range(nd[1].admitted, 70, 76);   /* all of its 5 cps */
	assert_in_range(nd[2].admitted, 70, 76);
}

/* node 3 goes silent: within 3 intervals the two others take its share */
static void test_node_loss(void **state)
{
	uint64_t t, lost = T0 + 10 * SEC;

	(void)state;
	offer(20, 20, 20);
	run(T0, 10 * SEC, T0 + 20 * SEC, 3);
	nd[2].alive = 0;
	/* the view drops it once 3 intervals passed without a word */
	for(t = lost; rg_throttle_admit_rate(&nd[0].th) < 14000; t += IVL) {
		run(t, IVL, T0 + 100 * SEC, 3);
		if(t > lost + 6 * IVL)
			fail_msg("node 1's share still %u mcps",
					rg_throttle_admit_rate(&nd[0].th));
	}
	offer(20, 20, 0);
	run(lost + 2 * SEC, 10 * SEC, lost + 4 * SEC, 3);
	assert_in_range(total(), 232, 248); /* 8 s at 30 cps: 240 */
	assert_in_range(nd[0].admitted, 110, 130);
	/* and when it comes back, three shares again */
	nd[2].alive = 1;
	offer(20, 20, 20);
	run(lost + 12 * SEC, 10 * SEC, lost + 16 * SEC, 3);
	assert_in_range(total(), 174, 186); /* 6 s at 30 cps: 180 */
}

/* an idle node keeps the floor; a busy one the rest */
static void test_floor_for_idle(void **state)
{
	(void)state;
	offer(60, 0, 0);
	run(T0, 10 * SEC, T0 + 4 * SEC, 3);
	/* 30 - 2 x 2.5 = 25 cps for 6 s */
	assert_in_range(nd[0].admitted, 145, 152);
	assert_in_range(rg_throttle_admit_rate(&nd[1].th), 2490, 2500);
}

/* no peer heard: the budget divided by the last known size */
static void test_alone(void **state)
{
	struct rg_demand_out out;
	struct rg_cview v;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.fallback_n = 3;
	v.fresh_ms = 3 * IVL;
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, T0, &out);
	assert_in_range(rg_throttle_admit_rate(&nd[0].th), 9990, 10000);
	assert_int_equal(nd[0].th.share_ppm, RG_SHARE_WHOLE / 3);
	/* a cluster of one has it all */
	v.fallback_n = 1;
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, T0 + IVL, &out);
	assert_int_equal(rg_throttle_admit_rate(&nd[0].th), 30000);
	/* a destination with no budget has no share to keep */
	nd[1].th.lim.mcps = 0;
	rg_demand_tick(&nd[1].dm, &nd[1].th, &v, T0, &out);
	assert_int_equal(rg_throttle_admit_rate(&nd[1].th), 0);
}

/* demand that stops is sent once as 0, then no more */
static void test_sends_stop(void **state)
{
	struct rg_demand_out out;
	struct rg_cview v;
	uint64_t t;

	(void)state;
	offer(20, 0, 0);
	run(T0, 3 * SEC, T0, 3);
	view(0, &v, 3);
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, T0 + 3 * SEC, &out);
	assert_int_equal(out.send, 1);
	assert_true(out.demand_mcps > 15000);
	for(t = T0 + 3 * SEC + IVL; out.demand_mcps != 0 || out.recv_mcps != 0;
			t += IVL) {
		rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t, &out);
		assert_int_equal(out.send, 1);
		if(t > T0 + 30 * SEC)
			fail_msg("demand never reached 0");
	}
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t, &out);
	assert_int_equal(out.send, 0);
	/* a peer's word counts at once, and is 0 once older than 3
	 * intervals: the peer stays in view, silent on this destination */
	rg_demand_peer(&nd[0].dm, &nd[0].th, 1, 50000, 10000, 3 * IVL, t);
	assert_int_equal(nd[0].th.peer_recv_mcps, 10000);
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t + IVL, &out);
	assert_int_equal(nd[0].th.peer_recv_mcps, 10000);
	/* it asks 50 of 30: this idle node keeps the floor, 2.5 */
	assert_in_range(rg_throttle_admit_rate(&nd[0].th), 2490, 2500);
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t + 4 * IVL, &out);
	assert_int_equal(nd[0].th.peer_recv_mcps, 0);
	/* three idle nodes in view: 10 each */
	assert_in_range(rg_throttle_admit_rate(&nd[0].th), 9990, 10000);
	/* a word heard after the ticker read its clock is fresh, not old */
	rg_demand_peer(&nd[0].dm, &nd[0].th, 1, 50000, 7000, 3 * IVL, t + 5 * IVL);
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t + 5 * IVL - 3, &out);
	assert_int_equal(nd[0].th.peer_recv_mcps, 7000);
	assert_in_range(rg_throttle_admit_rate(&nd[0].th), 2490, 2500);
}

/* a word for no place changes nothing */
static void test_bad_place(void **state)
{
	struct rg_demand before = nd[0].dm;
	struct rg_throttle tbefore = nd[0].th;

	(void)state;
	rg_demand_peer(&nd[0].dm, &nd[0].th, -1, 1, 1, 3 * IVL, T0);
	rg_demand_peer(&nd[0].dm, &nd[0].th, RG_PEERS_MAX, 1, 1, 3 * IVL, T0);
	assert_memory_equal(&before, &nd[0].dm, sizeof(before));
	assert_memory_equal(&tbefore, &nd[0].th, sizeof(tbefore));
}

/* calls refused by this node's own cap on calls in flight are no demand */
static void test_cap_is_no_demand(void **state)
{
	struct rg_limit lim = {30000, 2, 1};
	enum rg_tevent ev;
	uint32_t ra;
	int held, i;

	(void)state;
	rg_throttle_set(&nd[0].th, &lim, RG_LIM_MANUAL);
	assert_int_equal(rg_throttle_admit(&nd[0].th, &cfg, T0, &ra, &held, &ev),
			RG_THROTTLE_OK);
	for(i = 1; i <= 10; i++)
		assert_int_equal(rg_throttle_admit(&nd[0].th, &cfg, T0 + i * 100, &ra,
								 &held, &ev),
				RG_THROTTLE_OVER);
	assert_int_equal(nd[0].th.offered, 1);
	/* a call taken back is no demand either */
	rg_throttle_unadmit(&nd[0].th, T0, T0 + 1);
	assert_int_equal(nd[0].th.offered, 0);
}

/* a destination without a budget keeps an even part for a later limit */
static void test_no_budget_even_part(void **state)
{
	struct rg_limit none = {0, 1, 0}, lim = {30000, 2, 0};
	struct rg_demand_out out;
	struct rg_cview v;

	(void)state;
	rg_throttle_set(&nd[0].th, &none, RG_LIM_MANUAL);
	view(0, &v, 3);
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, T0, &out);
	assert_int_equal(rg_throttle_admit_rate(&nd[0].th), 0);
	rg_throttle_set(&nd[0].th, &lim, RG_LIM_MANUAL);
	assert_in_range(rg_throttle_admit_rate(&nd[0].th), 9990, 10000);
}

/* the cut is made from what the whole cluster sends, not this node */
static void test_cut_from_cluster_rate(void **state)
{
	(void)state;
	offer(20, 20, 20);
	run(T0, 6 * SEC, T0, 3);
	/* the peers said they send about 10 cps each */
	assert_in_range(nd[0].th.peer_recv_mcps, 18000, 21000);
	assert_int_equal(rg_throttle_overload(&nd[0].th, &cfg, T0 + 6 * SEC),
			RG_TEV_THROTTLED);
	/* half of about 30, not half of this node's 10 */
	assert_in_range(rg_throttle_rate(&nd[0].th), 14000, 15500);
	/* and this node admits its share of the new budget */
	assert_in_range(rg_throttle_admit_rate(&nd[0].th), 4500, 5200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup(test_even, setup),
			cmocka_unit_test_setup(test_follows_demand, setup),
			cmocka_unit_test_setup(test_node_loss, setup),
			cmocka_unit_test_setup(test_floor_for_idle, setup),
			cmocka_unit_test_setup(test_alone, setup),
			cmocka_unit_test_setup(test_sends_stop, setup),
			cmocka_unit_test_setup(test_cut_from_cluster_rate, setup),
			cmocka_unit_test_setup(test_bad_place, setup),
			cmocka_unit_test_setup(test_cap_is_no_demand, setup),
			cmocka_unit_test_setup(test_no_budget_even_part, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
