/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's CPS budget in force (rg_demand.c over rg_throttle.c):
 * simulated nodes, each with its own GCRA, offered calls at their own
 * rates, exchanging heartbeats every interval as the cluster process
 * does: demands, grants, and the acks that start the grants' leases,
 * over links that can be cut one way or both, or delay what they carry.
 *
 * The invariant checked at every step of every case: the rates the
 * nodes admit add up to no more than the budget. Besides it: what they
 * admit follows demand, a dead or cut-off node's share goes to the
 * others but its floor, a minority keeps its floor, and an AIMD cut
 * starts from the cluster's received rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_demand.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 100000 * SEC)
#define IVL 200 /* cluster_interval, ms */
#define LEASE (6 * IVL)
#define NODES 3
#define BUDGET 30000
#define RING 64
#define QMAX 4096

static struct rg_throttle_cfg cfg;

struct node
{
	struct rg_throttle th;
	struct rg_demand dm;
	int alive;
	uint32_t offered_cps; /* what its callers offer */
	uint64_t next_call;	  /* ms of its next offered call */
	uint64_t admitted;	  /* in the measured span */
	uint64_t seq;		  /* its heartbeats */
	uint64_t sent_ms[RING];
	uint64_t sent_seq[RING];
	uint64_t ack[NODES];   /* the last heartbeat taken of each node */
	uint64_t lease[NODES]; /* each node's lease here */
	uint64_t heard[NODES]; /* when each was last heard (0: never) */
};

/* a heartbeat on its way */
struct beat
{
	uint64_t at; /* delivered then */
	int from, to;
	uint64_t seq, ack; /* its number, and the ack of `to` in it */
	int has_ack;
	struct rg_demand_out out;
	int index; /* `to`'s index among the grants */
};

static struct node nd[NODES];
static int link_up[NODES][NODES]; /* from, to */
static uint32_t delay_ms;
static int configured; /* cluster_nodes = NODES, else learned */
static struct beat q[QMAX];
static int nq;
static uint64_t worst_sum; /* the largest sum of admit rates seen */
static uint32_t slack;	   /* over the budget allowed (learned size) */
static uint32_t gen[NODES]; /* each node's instance */

static int setup(void **state)
{
	struct rg_limit lim = {BUDGET, 2, 0}; /* 30 cps, burst 2 */
	int i, j;

	(void)state;
	cfg = (struct rg_throttle_cfg){{0, 1, 0}, 1, 500, 1000, 1000, 1000, 0, 0, 0};
	memset(nd, 0, sizeof(nd));
	for(i = 0; i < NODES; i++) {
		rg_throttle_init(&nd[i].th, &cfg);
		rg_throttle_set(&nd[i].th, &lim, RG_LIM_MANUAL);
		nd[i].th.share_ppm = RG_SHARE_WHOLE / 4 / NODES; /* the floor */
		nd[i].alive = 1;
		nd[i].next_call = T0 + (uint64_t)i * 7;
		for(j = 0; j < NODES; j++)
			link_up[i][j] = 1;
	}
	delay_ms = 0;
	configured = 1;
	nq = 0;
	worst_sum = 0;
	slack = 0;
	for(i = 0; i < NODES; i++)
		gen[i] = 1;
	return 0;
}

/* node `self`'s view of the members: the others, as places j */
static void view(int self, struct rg_cview *v, uint64_t now)
{
	uint32_t leased = 0, members;
	int j;

	memset(v, 0, sizeof(*v));
	for(j = 0; j < NODES; j++) {
		if(j == self || (!configured && nd[self].heard[j] == 0))
			continue;
		v->leased[v->n] = nd[self].lease[j] > now;
		v->heard_ms[v->n] = nd[self].heard[j];
		leased += v->leased[v->n];
		v->place[v->n++] = (uint8_t)j;
	}
	v->unknown = configured ? 0 : (v->n == 0 ? 1 : 0);
	members = 1 + (uint32_t)v->n + v->unknown;
	v->majority = 2 * (1 + leased) > members;
	v->floor_permille = 250;
	v->fresh_ms = 3 * IVL;
	v->lease_ms = LEASE;
	v->refresh_ms = 5000;
	v->grant_refresh_ms = 2 * IVL;
}

static void deliver(const struct beat *b, uint64_t now)
{
	struct node *to = &nd[b->to];
	struct rg_peer_word w;
	uint64_t sent, lease = 0;

	if(!to->alive)
		return;
	to->heard[b->from] = now;
	if(b->has_ack) {
		sent = to->sent_seq[b->ack % RING] == b->ack
					   ? to->sent_ms[b->ack % RING]
					   : 0;
		if(sent != 0)
			lease = sent + LEASE;
		if(lease > to->lease[b->from])
			to->lease[b->from] = lease;
	}
	if(b->seq > to->ack[b->from])
		to->ack[b->from] = b->seq;
	if(!b->out.send)
		return;
	memset(&w, 0, sizeof(w));
	w.gen = gen[b->from];
	w.seq = b->seq;
	w.demand_mcps = b->out.demand_mcps;
	w.recv_mcps = b->out.recv_mcps;
	w.no_budget = b->out.ngrants == 0;
	if(b->has_ack && b->index >= 0 && b->index < b->out.ngrants
			&& lease > now) {
		w.has_grant = 1;
		w.grant_mcps = b->out.grant[b->index];
		w.grant_ms = lease;
	}
	rg_demand_peer(&to->dm, &to->th, b->from, &w, 3 * IVL, now);
}

/* what is due by `now` arrives, in the order it was sent */
static void arrivals(uint64_t now)
{
	int i, k = 0;

	for(i = 0; i < nq; i++) {
		if(q[i].at <= now)
			deliver(&q[i], now);
		else
			q[k++] = q[i];
	}
	nq = k;
}

static void check_sum(uint64_t now)
{
	uint64_t sum = 0;
	int i;

	for(i = 0; i < NODES; i++) {
		if(nd[i].alive)
			sum += rg_throttle_admit_rate(&nd[i].th);
	}
	if(sum > worst_sum)
		worst_sum = sum;


	if(sum > BUDGET + NODES + slack) /* a milli-call of rounding a node */
		fail_msg("at %llu the nodes admit %llu mcps of %u",
				(unsigned long long)(now - T0), (unsigned long long)sum,
				BUDGET);
}

/* one interval at `now`: every live node ticks, and sends its beat */
static void interval(uint64_t now)
{
	struct rg_demand_out out;
	struct rg_cview v;
	struct beat *b;
	int i, j, k;

	for(i = 0; i < NODES; i++) {
		if(!nd[i].alive)
			continue;
		view(i, &v, now);
		rg_demand_tick(&nd[i].dm, &nd[i].th, &v, now, &out);
		check_sum(now);
		nd[i].seq++;
		nd[i].sent_ms[nd[i].seq % RING] = now;
		nd[i].sent_seq[nd[i].seq % RING] = nd[i].seq;
		for(j = 0; j < NODES; j++) {
			if(j == i || !link_up[i][j] || nq == QMAX)
				continue;
			b = &q[nq++];
			memset(b, 0, sizeof(*b));
			b->at = now + delay_ms;
			b->from = i;
			b->to = j;
			b->seq = nd[i].seq;
			b->out = out;
			b->index = -1;
			for(k = 0; k < v.n; k++) {
				if(v.place[k] == j) {
					b->index = k;
					b->has_ack = nd[i].ack[j] != 0;
					b->ack = nd[i].ack[j];
				}
			}
		}
	}
}

/*
 * Run from `from` for `dur_ms`, offering calls at each node's rate and
 * counting what is admitted from `measure_from` on.
 */
static void run(uint64_t from, uint64_t dur_ms, uint64_t measure_from)
{
	static uint64_t next_ivl;
	uint64_t now;
	enum rg_tevent ev;
	uint32_t ra;
	int i, held;

	if(next_ivl < from || next_ivl > from + IVL)
		next_ivl = from;
	for(now = from; now < from + dur_ms; now++) {
		arrivals(now);
		check_sum(now);
		if(now >= next_ivl) {
			interval(now);
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

/* node `i` starts again (a new instance: what it knew is gone) */
static void revive(int i)
{
	struct rg_limit lim = {BUDGET, 2, 0};
	int j;

	memset(&nd[i].dm, 0, sizeof(nd[i].dm));
	rg_throttle_init(&nd[i].th, &cfg);
	rg_throttle_set(&nd[i].th, &lim, RG_LIM_MANUAL);
	nd[i].th.share_ppm = RG_SHARE_WHOLE / 4 / NODES;
	nd[i].seq = 0;
	memset(nd[i].sent_ms, 0, sizeof(nd[i].sent_ms));
	memset(nd[i].sent_seq, 0, sizeof(nd[i].sent_seq));
	memset(nd[i].ack, 0, sizeof(nd[i].ack));
	memset(nd[i].lease, 0, sizeof(nd[i].lease));
	for(j = 0; j < NODES; j++) {
		nd[j].ack[i] = 0;
		nd[j].lease[i] = 0;
	}
	gen[i]++;
	nd[i].alive = 1;
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

/* cut the links between the groups: `side` 0 or 1 per node; `one_way`:
 * only from side 1 to side 0 */
static void cut(const int *side, int one_way)
{
	int i, j;

	for(i = 0; i < NODES; i++) {
		for(j = 0; j < NODES; j++) {
			if(side[i] != side[j] && (!one_way || side[i] == 1))
				link_up[i][j] = 0;
		}
	}
}

static void heal(void)
{
	int i, j;

	for(i = 0; i < NODES; i++)
		for(j = 0; j < NODES; j++)
			link_up[i][j] = 1;
}

/* 3 nodes offered 20 cps each against 30: 30 in all, about 10 each */
static void test_even(void **state)
{
	int i;

	(void)state;
	offer(20, 20, 20);
	run(T0, 20 * SEC, T0 + 5 * SEC);
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
	run(T0, 20 * SEC, T0 + 5 * SEC);
	assert_in_range(total(), 420, 465);
	assert_in_range(nd[0].admitted, 270, 305); /* about 20 cps */
	assert_in_range(nd[1].admitted, 70, 76);   /* all of its 5 cps */
	assert_in_range(nd[2].admitted, 70, 76);
}

/* node 3 dies: the two others take its share but its floor (2.5 cps:
 * a dead node and a cut-off one look the same) */
static void test_node_loss(void **state)
{
	uint64_t lost = T0 + 10 * SEC;

	(void)state;
	offer(20, 20, 20);
	run(T0, 10 * SEC, T0 + 20 * SEC);
	nd[2].alive = 0;
	offer(20, 20, 0);
	run(lost, 10 * SEC, lost + 2 * SEC);
	/* 8 s at 27.5 cps: 220 */
	assert_in_range(total(), 208, 228);
	assert_in_range(rg_throttle_admit_rate(&nd[0].th), 13500, 13750);
	/* and when it comes back, three shares again */
	revive(2);
	offer(20, 20, 20);
	run(lost + 10 * SEC, 10 * SEC, lost + 14 * SEC);
	assert_in_range(total(), 174, 186); /* 6 s at 30 cps: 180 */
}

/* a two-way cut {1} | {2, 3}: node 1 keeps its floor, the others the
 * rest; healed, three shares again */
static void test_partition(void **state)
{
	static const int side[NODES] = {0, 1, 1};
	uint64_t at = T0 + 10 * SEC;

	(void)state;
	offer(40, 40, 40);
	run(T0, 10 * SEC, T0 + 20 * SEC);
	cut(side, 0);
	offer(40, 40, 40);
	run(at, 30 * SEC, at + 2 * SEC);
	/* 28 s: at most 30 cps in all (840), node 1 its floor 2.5 (70) */
	assert_in_range(total(), 790, 845);
	assert_in_range(nd[0].admitted, 66, 72);
	heal();
	offer(40, 40, 40);
	run(at + 30 * SEC, 10 * SEC, at + 32 * SEC);
	assert_in_range(total(), 228, 245);
	assert_in_range(nd[0].admitted, 70, 85);
	assert_true(worst_sum <= BUDGET + NODES);
}

/* node 3 hears no one but is heard (one way): it keeps its floor */
static void test_one_way(void **state)
{
	static const int side[NODES] = {1, 1, 0};
	uint64_t at = T0 + 10 * SEC;

	(void)state;
	offer(40, 40, 40);
	run(T0, 10 * SEC, T0 + 20 * SEC);
	cut(side, 1); /* from nodes 1 and 2 to node 3 */
	offer(40, 40, 40);
	run(at, 30 * SEC, at + 2 * SEC);
	/* 28 s: at most 840; the others need a lease to see it is cut off */
	assert_in_range(total(), 760, 845);
	assert_in_range(nd[2].admitted, 66, 72);
	/* and the other way round: node 3 hears all, none hears it */
	heal();
	run(at + 30 * SEC, 5 * SEC, at + 60 * SEC);
	cut(side, 0);
	heal();
	{
		int i;

		for(i = 0; i < 2; i++)
			link_up[2][i] = 0;
	}
	offer(40, 40, 40);
	run(at + 35 * SEC, 20 * SEC, at + 37 * SEC);
	assert_in_range(total(), 520, 565);
	assert_in_range(nd[2].admitted, 43, 48);
}

/* heartbeats that take an interval while demand swings between the
 * nodes: the views are stale, the sum still holds */
static void test_stale_views(void **state)
{
	uint64_t t = T0;
	int k;

	(void)state;
	delay_ms = IVL;
	for(k = 0; k < 10; k++) {
		offer(k % 2 ? 60 : 1, k % 2 ? 1 : 60, 15);
		run(t, 2 * SEC, t);
		t += 2 * SEC;
	}
	assert_true(worst_sum <= BUDGET + NODES);
	/* and most of it used (a grant cut is kept until the old grant
	 * lapsed, 1.2 to 1.8 s, so swings every 2 s leave some unused) */
	assert_true(worst_sum >= BUDGET * 7 / 10);
}

/* random demand, random cuts (each way on its own) and random delays,
 * changing every second, over many seeds: the sum holds throughout */
static void test_random(void **state)
{
	uint64_t t = T0;
	uint32_t seed;
	int k, i, j;

	(void)state;
	for(seed = 1; seed <= 12; seed++) {
		setup(NULL);
		srand(seed);
		for(k = 0; k < 40; k++) {
			offer((uint32_t)(rand() % 61), (uint32_t)(rand() % 61),
					(uint32_t)(rand() % 61));
			for(i = 0; i < NODES; i++)
				for(j = 0; j < NODES; j++)
					link_up[i][j] = rand() % 5 != 0;
			delay_ms = (uint32_t)(rand() % 300);
			run(t, SEC, t);
			t += SEC;
		}
		if(getenv("DBG"))
			printf("seed %u worst %llu\n", seed, (unsigned long long)worst_sum);
	}
	assert_true(worst_sum <= BUDGET + NODES);
}

/* learned size: a node that has heard no one keeps its floor; once all
 * are heard, the budget is shared */
static void test_start_learned(void **state)
{
	(void)state;
	configured = 0;
	/* nodes 2 and 3 cannot know of node 1 before they hear it: its
	 * floor comes on top of the budget until they do */
	slack = BUDGET / 4 / 2;
	offer(40, 40, 40);
	link_up[0][1] = link_up[0][2] = link_up[1][0] = link_up[2][0] = 0;
	run(T0, 2 * SEC, T0);
	/* node 1 heard no one: the floor of a cluster of two, 3.75 */
	assert_in_range(rg_throttle_admit_rate(&nd[0].th), 3740, 3750);
	heal();
	offer(40, 40, 40);
	run(T0 + 2 * SEC, 10 * SEC, T0 + 4 * SEC);
	assert_in_range(total(), 228, 245);
}

/* no budget: demands are sent when they move, and one 0 when they stop */
static void test_sends_stop(void **state)
{
	struct rg_limit none = {0, 1, 0};
	struct rg_demand_out out = {0};
	struct rg_cview v;
	uint64_t t;
	int sent = 0;

	(void)state;
	rg_throttle_set(&nd[0].th, &none, RG_LIM_MANUAL);
	offer(20, 0, 0);
	for(t = T0; t < T0 + 3 * SEC; t += IVL) {
		run(t, IVL, T0);
		view(0, &v, t);
		rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t + IVL, &out);
		sent += out.send;
		assert_int_equal(out.ngrants, 0);
	}
	/* steady at 20: a few sends while it ramps, then quiet */
	assert_in_range(sent, 2, 10);
	offer(0, 0, 0);
	for(; out.demand_mcps != 0 || out.recv_mcps != 0 || out.send; t += IVL) {
		rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t, &out);
		if(t > T0 + 60 * SEC)
			fail_msg("demand never reached 0");
	}
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t, &out);
	assert_int_equal(out.send, 0);
}

/* a peer's word goes stale after fresh_ms, whatever the uptime: not
 * fresh again 2^31 ms (24.9 days) or 2^32 ms later */
static void test_no_wrap(void **state)
{
	struct rg_peer_word w = {1, 1, 5000, 7000, 0, 0, 0, 0};
	struct rg_demand_out out;
	struct rg_cview v;
	uint64_t t = (1ULL << 32) + 5;

	(void)state;
	view(0, &v, t);
	rg_demand_peer(&nd[0].dm, &nd[0].th, 1, &w, 3 * IVL, t);
	assert_int_equal(nd[0].th.peer_recv_mcps, 7000);
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t + (1ULL << 31) + 100, &out);
	assert_int_equal(nd[0].th.peer_recv_mcps, 0);
	rg_demand_tick(&nd[0].dm, &nd[0].th, &v, t + (1ULL << 32), &out);
	assert_int_equal(nd[0].th.peer_recv_mcps, 0);
}

/* a word for no place, or an older one, changes nothing */
static void test_bad_place(void **state)
{
	struct rg_demand before = nd[0].dm;
	struct rg_throttle tbefore = nd[0].th;
	struct rg_peer_word w = {1, 5, 1, 1, 0, 0, 0, 0};

	(void)state;
	rg_demand_peer(&nd[0].dm, &nd[0].th, -1, &w, 3 * IVL, T0);
	rg_demand_peer(&nd[0].dm, &nd[0].th, RG_PEERS_MAX, &w, 3 * IVL, T0);
	assert_memory_equal(&before, &nd[0].dm, sizeof(before));
	assert_memory_equal(&tbefore, &nd[0].th, sizeof(tbefore));
	rg_demand_peer(&nd[0].dm, &nd[0].th, 1, &w, 3 * IVL, T0);
	w.seq = 4;
	w.demand_mcps = 99;
	rg_demand_peer(&nd[0].dm, &nd[0].th, 1, &w, 3 * IVL, T0);
	assert_int_equal(nd[0].dm.peer[1].demand_mcps, 1);
	/* a new sender in the place starts its numbers anew */
	w.gen = 2;
	rg_demand_peer(&nd[0].dm, &nd[0].th, 1, &w, 3 * IVL, T0);
	assert_int_equal(nd[0].dm.peer[1].demand_mcps, 99);
}

/* calls refused by this node's own cap on calls in flight are no demand */
static void test_cap_is_no_demand(void **state)
{
	struct rg_limit lim = {30000, 2, 1};
	enum rg_tevent ev;
	uint32_t ra;
	int held, i;

	(void)state;
	nd[0].th.share_ppm = 0;
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

/* the cut is made from what the whole cluster sends, not this node */
static void test_cut_from_cluster_rate(void **state)
{
	(void)state;
	offer(20, 20, 20);
	run(T0, 6 * SEC, T0);
	/* the peers said they send about 10 cps each */
	assert_in_range(nd[0].th.peer_recv_mcps, 18000, 21000);
	assert_int_equal(rg_throttle_overload(&nd[0].th, &cfg, T0 + 6 * SEC),
			RG_TEV_THROTTLED);
	/* half of about 30, not half of this node's 10 */
	assert_in_range(rg_throttle_rate(&nd[0].th), 14000, 15500);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test_setup(test_even, setup),
			cmocka_unit_test_setup(test_follows_demand, setup),
			cmocka_unit_test_setup(test_node_loss, setup),
			cmocka_unit_test_setup(test_partition, setup),
			cmocka_unit_test_setup(test_one_way, setup),
			cmocka_unit_test_setup(test_stale_views, setup),
			cmocka_unit_test_setup(test_random, setup),
			cmocka_unit_test_setup(test_start_learned, setup),
			cmocka_unit_test_setup(test_sends_stop, setup),
			cmocka_unit_test_setup(test_cut_from_cluster_rate, setup),
			cmocka_unit_test_setup(test_bad_place, setup),
			cmocka_unit_test_setup(test_no_wrap, setup),
			cmocka_unit_test_setup(test_cap_is_no_demand, setup),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
