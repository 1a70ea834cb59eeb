/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's replicated facts in the table (rg_repl.h, rg_entry.c):
 * writes made here get versions and are marked for the peers; a peer's
 * write is taken only when newer, so two nodes that take the same writes
 * in any order end in the same state; unblocks outlive the blocks they
 * ended; a restart keeps the versions; a peer's write stays within local
 * bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_ops.h"
#include "seam_stub.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 5000 * SEC)
#define WALL 1764000000000LL /* the wall clock at now_ms 0 */
#define GW "sip:10.0.0.1:5060"
#define GWL ((int)sizeof(GW) - 1)
#define GW2 "sip:10.0.0.2:5060"
#define SKEW (30 * SEC) /* cluster_max_skew */
#define DAY (86400 * SEC)

static const struct rg_health_cfg hcfg = {1, 300, 3, 30, 30, 1};
static const struct rg_throttle_cfg tcfg = {
		{0, 1, 0}, 1, 500, 1000, 1000, 1000, 0, 0, 0};
/* ratios from 20 seizures; no call-specific causes */
static const struct rg_kpi_cfg kcfg = {.min_samples = 20, .short_ms = 6000};
static const struct rg_fail_cfg fcfg = {{{0}}, 0, 20};

struct node
{
	struct rg_hlc hlc;
	struct rg_table *t;
};

static void mk(struct node *n, uint64_t id, unsigned int idle_s)
{
	struct rg_table_cfg cfg = {
			8, 60, idle_s, hcfg, tcfg, fcfg, kcfg, 100, &n->hlc, 3600 * SEC};

	memset(&n->hlc, 0, sizeof(n->hlc));
	n->hlc.id = id;
	n->hlc.wall_off_ms = WALL;
	n->hlc.ahead_ms = SKEW;
	n->t = rg_table_new(&cfg);
	assert_non_null(n->t);
}

static void rm(struct node *n)
{
	rg_table_free(n->t);
	assert_int_equal(stub_locks_held(), 0);
}

static struct rg_ref ref_of(struct node *n, const char *key, uint64_t now)
{
	struct rg_ref r;

	assert_int_equal(
			rg_op_lookup(n->t, key, (int)strlen(key), 1, now, &r), RG_OK);
	return r;
}

static uint64_t field(struct node *n, const char *key, int f, uint64_t now)
{
	struct rg_snapshot s;
	struct rg_ref r = ref_of(n, key, now);

	assert_int_equal(rg_op_snapshot(n->t, &r, now, &s), RG_OK);
	return s.f[f];
}

/* a version written at wall clock `ms` */
static struct rg_ver ver(uint64_t ms, uint64_t id)
{
	struct rg_ver v = {rg_ver_clk(ms), id};

	return v;
}

/* a manual block here: versioned and marked; the unblock too, newer */
static void test_local_writes(void **state)
{
	struct node a;
	struct rg_change chg;
	struct rg_ref r;
	struct rg_ver v1;

	(void)state;
	mk(&a, 0xa, 600);
	r = ref_of(&a, GW, T0);
	assert_int_equal(rg_op_block(a.t, &r, 60, T0, &chg), RG_OK);
	assert_int_equal(chg.pub, RG_PUB_BLK);
	assert_int_equal(chg.blk_manual, 1);
	assert_true(chg.blk_left_ms == 60 * SEC);
	assert_int_equal(chg.reason, RG_BR_MANUAL);
	assert_true(chg.repl.blk.clk == rg_ver_clk((uint64_t)WALL + T0));
	assert_true(chg.repl.blk.id == 0xa);
	assert_string_equal(chg.snap.key, GW);
	v1 = chg.repl.blk;
	/* the same millisecond: still newer */
	assert_int_equal(rg_op_unblock(a.t, &r, T0, &chg), RG_OK);
	assert_int_equal(chg.pub, RG_PUB_BLK);
	assert_true(chg.blk_left_ms == 0);
	assert_true(rg_ver_cmp(&chg.repl.blk, &v1) > 0);
	/* a limit by hand: marked once, not when set again the same */
	{
		struct rg_limit lim = {30000, 2, 0};

		assert_int_equal(rg_op_set_limit(a.t, GW, GWL, &lim, RG_LIM_MANUAL,
								 0, T0, NULL, &chg),
				RG_OK);
		assert_int_equal(chg.pub, RG_PUB_LIM);
		assert_int_equal(chg.lim.mcps, 30000);
		assert_int_equal(rg_op_set_limit(a.t, GW, GWL, &lim, RG_LIM_MANUAL,
								 0, T0 + 1, NULL, &chg),
				RG_OK);
		assert_int_equal(chg.pub, 0);
		/* a limits-file limit is not replicated */
		assert_int_equal(rg_op_set_limit(a.t, "carrier-f", 9, &lim,
								 RG_LIM_FILE, 1, T0, NULL, &chg),
				RG_OK);
		assert_int_equal(chg.pub, 0);
	}
	rm(&a);
}

/* B then U, or U then B: up on both nodes; a late B is refused */
static void test_block_unblock_any_order(void **state)
{
	struct node a, b;
	struct rg_change chg;
	struct rg_ver vb = ver((uint64_t)WALL + T0, 1),
				  vu = ver((uint64_t)WALL + T0 + 3, 1);

	(void)state;
	mk(&a, 0xa, 600);
	mk(&b, 0xb, 600);
	/* a: in order */
	assert_int_equal(rg_op_peer_block(a.t, GW, GWL, 86400 * SEC, RG_BR_MANUAL,
							 0, &vb, T0, &chg),
			RG_OK);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(chg.pub, 0); /* never sent back out */
	assert_int_equal(rg_op_peer_up(a.t, GW, GWL, &vu, 0, T0 + 5, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
	/* b: the unblock first, then the block it ended */
	assert_int_equal(rg_op_peer_up(b.t, GW, GWL, &vu, 0, T0 + 5, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(rg_op_peer_block(b.t, GW, GWL, 86400 * SEC, RG_BR_MANUAL,
							 0, &vb, T0 + 6, &chg),
			RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(field(&a, GW, RG_F_STATE, T0 + 10), RG_UP);
	assert_int_equal(field(&b, GW, RG_F_STATE, T0 + 10), RG_UP);
	/* the same write again (a retransmission, a repair): nothing */
	assert_int_equal(rg_op_peer_up(a.t, GW, GWL, &vu, 0, T0 + 20, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE);
	/* ties go to the larger id */
	vb.id = 2;
	vb.clk = vu.clk;
	assert_int_equal(rg_op_peer_block(a.t, GW, GWL, 60 * SEC, RG_BR_RA, 60,
							 &vb, T0 + 30, &chg),
			RG_OK);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	rm(&a);
	rm(&b);
}

/* set_limit 30 then 10, delivered either way: 10 on both */
static void test_limits_any_order(void **state)
{
	struct node a, b;
	struct rg_change chg;
	struct rg_limit l30 = {30000, 1, 0}, l10 = {10000, 1, 0};
	struct rg_ver v1 = ver((uint64_t)WALL + T0, 7),
				  v2 = ver((uint64_t)WALL + T0 + 1, 7);

	(void)state;
	mk(&a, 0xa, 600);
	mk(&b, 0xb, 600);
	assert_int_equal(rg_op_peer_limit(a.t, GW, GWL, &l30, &v1, T0, &chg), RG_OK);
	assert_int_equal(rg_op_peer_limit(a.t, GW, GWL, &l10, &v2, T0, &chg), RG_OK);
	assert_int_equal(rg_op_peer_limit(b.t, GW, GWL, &l10, &v2, T0, &chg), RG_OK);
	assert_int_equal(rg_op_peer_limit(b.t, GW, GWL, &l30, &v1, T0, &chg), RG_OK);
	assert_int_equal(chg.limit_changed, 0);
	assert_int_equal(field(&a, GW, RG_F_CPS_CONF, T0), 10000);
	assert_int_equal(field(&b, GW, RG_F_CPS_CONF, T0), 10000);
	/* a limit set here after seeing v2 is newer, whatever the wall clock
	 * says (this node's clock is behind: now 0) */
	assert_int_equal(rg_op_set_limit(b.t, GW, GWL, &l30, RG_LIM_MANUAL, 0,
							 T0 - 5000, NULL, &chg),
			RG_OK);
	assert_true(rg_ver_cmp(&chg.repl.lim, &v2) > 0);
	rm(&a);
	rm(&b);
}

/* a block a peer sends is held to this node's bounds */
static void test_peer_bounds(void **state)
{
	struct node a;
	struct rg_change chg;
	struct rg_ver v = ver((uint64_t)WALL + T0, 9);

	(void)state;
	mk(&a, 0xa, 600);
	/* inferred, a year: retry_after_max (300 s) at most */
	assert_int_equal(rg_op_peer_block(a.t, GW, GWL, 31536000 * SEC,
							 RG_BR_INFERRED, 0, &v, T0, &chg),
			RG_OK);
	assert_int_equal(field(&a, GW, RG_F_BLOCKED_FOR, T0), 300);
	/* a cut to 0.001 cps that would end at 4 billion: cps_min (1 cps),
	 * ending where such a cut could have begun */
	v.clk++;
	assert_int_equal(rg_op_peer_cut(a.t, "carrier-c", 9, 1, UINT32_MAX, &v,
							 T0, &chg),
			RG_OK);
	assert_int_equal(chg.tev, RG_TEV_THROTTLED);
	assert_int_equal(field(&a, "carrier-c", RG_F_CPS_LIMIT, T0), 1000);
	rm(&a);
}

/* an unblock keeps its entry while the block it ended would run */
static void test_marker_kept(void **state)
{
	struct node a;
	struct rg_change chg;
	struct rg_ver vb = ver((uint64_t)WALL + T0, 1),
				  vu = ver((uint64_t)WALL + T0 + 1, 1);
	struct rg_ref r;

	(void)state;
	mk(&a, 0xa, 60); /* idle entries go after 60 s */
	assert_int_equal(rg_op_peer_block(a.t, GW, GWL, 7200 * SEC, RG_BR_MANUAL,
							 0, &vb, T0, &chg),
			RG_OK);
	assert_int_equal(rg_op_peer_up(a.t, GW, GWL, &vu, 0, T0 + 1, &chg), RG_OK);
	/* idle for an hour and a half: kept (the block would run 2 h) */
	assert_int_equal(rg_op_expire(a.t, T0 + 5400 * SEC), 0);
	assert_int_equal(rg_op_peer_block(a.t, GW, GWL, 7200 * SEC, RG_BR_MANUAL,
							 0, &vb, T0 + 5400 * SEC, &chg),
			RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE);
	/* after it: gone */
	assert_int_equal(rg_op_expire(a.t, T0 + 7300 * SEC), 1);
	assert_int_equal(rg_op_lookup(a.t, GW, GWL, 0, T0 + 7300 * SEC, &r),
			RG_ENOTFOUND);
	rm(&a);
}

/* the state file keeps versions: a peer's newer unblock undoes a block
 * the file brought back, an older block does nothing */
static void test_restart(void **state)
{
	struct node a, b;
	struct rg_change chg;
	struct rg_saved s;
	struct rg_ref r;
	struct rg_ver vu;

	(void)state;
	mk(&a, 0xa, 600);
	r = ref_of(&a, GW, T0);
	assert_int_equal(rg_op_block(a.t, &r, 3600, T0, &chg), RG_OK);
	assert_int_equal(rg_op_save_slot(a.t, r.slot, WALL, T0, &s, 0), 1);
	assert_true(rg_ver_cmp(&s.repl.blk, &chg.repl.blk) == 0);
	/* another node unblocked it while this one was stopped */
	vu = ver(rg_ver_ms(s.repl.blk.clk) + 1000, 0xb);
	mk(&b, 0xa2, 600); /* the restart: a new instance */
	assert_int_equal(rg_op_restore(b.t, &s, WALL, T0 + 5000, &chg), RG_OK);
	assert_int_equal(field(&b, GW, RG_F_STATE, T0 + 5000), RG_DOWN);
	assert_true(b.hlc.last >= s.repl.blk.clk);
	assert_int_equal(rg_op_peer_up(b.t, GW, GWL, &vu, 0, T0 + 5100, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
	/* the block sent again (a peer still holding it): refused */
	assert_int_equal(rg_op_peer_block(b.t, GW, GWL, 3000 * SEC, RG_BR_MANUAL,
							 0, &s.repl.blk, T0 + 5200, &chg),
			RG_OK);
	assert_int_equal(field(&b, GW, RG_F_STATE, T0 + 5200), RG_UP);
	/* and its save keeps the unblock's version */
	r = ref_of(&b, GW, T0 + 5300);
	assert_int_equal(rg_op_save_slot(b.t, r.slot, WALL, T0 + 5300, &s, 0), 1);
	assert_true(rg_ver_cmp(&s.repl.blk, &vu) == 0);
	assert_true(s.block_end == 0);
	rm(&a);
	rm(&b);
}

/* an unblock carries its marker's keep: a node that never had the block
 * keeps it as long, and compares it in its digest past retain_ms, so a
 * block held by a node that was away for hours is repaired away */
static void test_marker_compared(void **state)
{
	struct node a;
	struct rg_change chg;
	struct rg_ver vu = ver((uint64_t)WALL + T0, 1);
	uint64_t keep = (uint64_t)WALL + T0 + 30 * 86400 * SEC;
	struct rg_saved s;
	struct rg_ref r;

	(void)state;
	mk(&a, 0xa, 60);
	assert_int_equal(rg_op_peer_up(a.t, GW, GWL, &vu, keep, T0, &chg), RG_OK);
	/* two hours on: kept, and compared */
	assert_int_equal(rg_op_expire(a.t, T0 + 7200 * SEC), 0);
	r = ref_of(&a, GW, T0 + 7200 * SEC);
	assert_int_equal(
			rg_op_save_slot(a.t, r.slot, WALL, T0 + 7200 * SEC, &s, 0), 1);
	assert_true(s.repl.keep_ms == keep);
	assert_true(rg_repl_compared(&s.repl, 0, (uint64_t)WALL + T0 + 7200 * SEC,
			3600 * SEC));
	/* an older unblock's keep does not extend it */
	vu.clk--;
	assert_int_equal(
			rg_op_peer_up(a.t, GW, GWL, &vu, keep + 1, T0 + 7201 * SEC, &chg),
			RG_OK);
	assert_int_equal(
			rg_op_save_slot(a.t, r.slot, WALL, T0 + 7202 * SEC, &s, 0), 1);
	assert_true(s.repl.keep_ms == keep);
	rm(&a);
}

/* the wall clock at host time `now` */
static uint64_t wall_at(const struct node *n, uint64_t now)
{
	return rg_hlc_wall(&n->hlc, now);
}

/*
 * A version from a clock a day ahead (forged, or a peer's clock gone
 * wrong) is refused, and the clock does not take it: the writes made here
 * after it keep the wall clock's versions, which the peers take. Seen
 * anyway, it moves the clock no further than the skew.
 */
static void test_far_future_refused(void **state)
{
	struct node a;
	struct rg_change chg;
	struct rg_ref r;
	struct rg_limit l = {10000, 1, 0};
	struct rg_ver far = ver(0, 0xf);

	(void)state;
	mk(&a, 0xa, 600);
	far.clk = rg_ver_clk(wall_at(&a, T0) + DAY);
	assert_int_equal(rg_op_peer_block(a.t, GW, GWL, 60 * SEC, RG_BR_MANUAL, 0,
							 &far, T0, &chg),
			RG_OK);
	assert_int_equal(chg.ev, RG_EV_NONE);
	assert_int_equal(field(&a, GW, RG_F_STATE, T0), RG_UP);
	assert_int_equal(rg_op_peer_limit(a.t, GW, GWL, &l, &far, T0, &chg), RG_OK);
	assert_int_equal(
			rg_op_peer_cut(a.t, GW, GWL, 1000, 2000, &far, T0, &chg), RG_OK);
	assert_int_equal(rg_op_peer_up(a.t, GW, GWL, &far, 0, T0, &chg), RG_OK);
	assert_true(a.hlc.last <= rg_ver_clk(wall_at(&a, T0) + SKEW));
	/* a write here: the wall clock's version, not the far one's + 1 */
	r = ref_of(&a, GW, T0 + 1);
	assert_int_equal(rg_op_block(a.t, &r, 60, T0 + 1, &chg), RG_OK);
	assert_true(chg.repl.blk.clk == rg_ver_clk(wall_at(&a, T0 + 1)));
	/* within the skew: taken */
	far.clk = rg_ver_clk(wall_at(&a, T0 + 2) + SKEW);
	assert_int_equal(rg_op_peer_up(a.t, GW, GWL, &far, 0, T0 + 2, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
	/* the clock itself, shown a day ahead: moved to the skew at most */
	rg_hlc_see(&a.hlc, rg_ver_clk(wall_at(&a, T0 + 3) + DAY),
			wall_at(&a, T0 + 3));
	assert_true(a.hlc.last == rg_ver_clk(wall_at(&a, T0 + 3) + SKEW));
	rm(&a);
}

/*
 * A state file with a version a day ahead (saved while this host's clock
 * was a day fast, or another cluster's file): the block comes back but
 * unversioned, the clock is not pinned, and a peer's unblock made now
 * wins over it.
 */
static void test_restore_far_future(void **state)
{
	struct node a, b;
	struct rg_change chg;
	struct rg_saved s;
	struct rg_ref r;
	struct rg_ver vu;

	(void)state;
	mk(&a, 0xa, 600);
	r = ref_of(&a, GW, T0);
	assert_int_equal(rg_op_block(a.t, &r, 3600, T0, &chg), RG_OK);
	assert_int_equal(rg_op_save_slot(a.t, r.slot, WALL, T0, &s, 0), 1);
	s.repl.blk.clk += rg_ver_clk(DAY);
	s.repl.keep_ms = RG_STATE_END_MAX; /* and a marker kept for ever */
	mk(&b, 0xa2, 600);
	assert_int_equal(rg_op_restore(b.t, &s, WALL, T0 + 5000, &chg), RG_OK);
	assert_int_equal(field(&b, GW, RG_F_STATE, T0 + 5000), RG_DOWN);
	assert_true(b.hlc.last <= rg_ver_clk(wall_at(&b, T0 + 5000) + SKEW));
	r = ref_of(&b, GW, T0 + 5000);
	assert_int_equal(rg_op_save_slot(b.t, r.slot, WALL, T0 + 5000, &s, 0), 1);
	assert_true(s.repl.blk.clk == 0 && s.repl.blk.id == 0);
	assert_true(s.repl.keep_ms <= wall_at(&b, T0 + 5000) + RG_REPL_KEEP_MAX_MS);
	vu = ver(wall_at(&b, T0 + 5100), 0xb);
	assert_int_equal(
			rg_op_peer_up(b.t, GW, GWL, &vu, 0, T0 + 5100, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
	rm(&a);
	rm(&b);
}

/* an unblock's marker, kept 2 h: taken at T0 on a node whose idle
 * entries go after 60 s */
static void marker_at(struct node *n, uint64_t keep_from_now)
{
	struct rg_change chg;
	struct rg_ver vb, vu;

	mk(n, 0xa, 60);
	vb = ver(wall_at(n, T0), 1);
	vu = ver(wall_at(n, T0) + 1, 1);
	assert_int_equal(rg_op_peer_block(n->t, GW, GWL, 7200 * SEC, RG_BR_MANUAL,
							 0, &vb, T0, &chg),
			RG_OK);
	assert_int_equal(rg_op_peer_up(n->t, GW, GWL, &vu,
							 wall_at(n, T0) + keep_from_now, T0 + 1, &chg),
			RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
}

/* the wall clock steps forward a day: the marker is not dropped at once,
 * but kept its 2 h of host time, then goes */
static void test_wall_steps_forward(void **state)
{
	struct node a;

	(void)state;
	marker_at(&a, 7200 * SEC);
	a.hlc.wall_off_ms += (int64_t)DAY;
	assert_int_equal(rg_op_expire(a.t, T0 + 120 * SEC), 0);
	assert_int_equal(rg_op_expire(a.t, T0 + 7100 * SEC), 0);
	assert_int_equal(rg_op_expire(a.t, T0 + 7300 * SEC), 1);
	rm(&a);
}

/* the wall clock steps back: by an hour, the marker is kept at most an
 * hour longer; by two years, not two years longer */
static void test_wall_steps_back(void **state)
{
	struct node a;

	(void)state;
	marker_at(&a, 7200 * SEC);
	a.hlc.wall_off_ms -= 3600 * (int64_t)SEC;
	assert_int_equal(rg_op_expire(a.t, T0 + 7300 * SEC), 0);
	assert_int_equal(rg_op_expire(a.t, T0 + 10900 * SEC), 1);
	rm(&a);

	marker_at(&a, 7200 * SEC);
	a.hlc.wall_off_ms -= 730 * (int64_t)DAY;
	assert_int_equal(rg_op_expire(a.t, T0 + 7100 * SEC), 0);
	assert_int_equal(rg_op_expire(a.t, T0 + 7300 * SEC), 1);
	rm(&a);
}

/* a peer's marker kept for ever (a forged keep): kept, and passed on to
 * the peers, a year at most */
static void test_marker_keep_bounded(void **state)
{
	struct node a;
	struct rg_saved s;
	struct rg_ref r;

	(void)state;
	marker_at(&a, RG_STATE_END_MAX - (uint64_t)WALL - T0);
	r = ref_of(&a, GW, T0 + 2);
	assert_int_equal(rg_op_save_slot(a.t, r.slot, WALL, T0 + 2, &s, 0), 1);
	assert_true(s.repl.keep_ms <= wall_at(&a, T0 + 1) + RG_REPL_KEEP_MAX_MS);
	assert_int_equal(rg_op_expire(a.t, T0 + 365 * DAY), 0);
	assert_int_equal(rg_op_expire(a.t, T0 + 367 * DAY), 1);
	rm(&a);
}

/* without a cluster nothing is versioned or marked */
static void test_no_cluster(void **state)
{
	struct rg_table_cfg cfg = {8, 60, 600, hcfg, tcfg, fcfg, kcfg, 100, NULL, 0};
	struct rg_table *t = rg_table_new(&cfg);
	struct rg_change chg;
	struct rg_ref r;

	(void)state;
	assert_int_equal(rg_op_lookup(t, GW, GWL, 1, T0, &r), RG_OK);
	assert_int_equal(rg_op_block(t, &r, 60, T0, &chg), RG_OK);
	assert_int_equal(chg.pub, 0);
	rg_table_free(t);
}

/*
 * A burst of writes within one ms moves the clock's counter, not its ms:
 * 100,000 writes at one wall clock reading are all taken by a peer whose
 * clock reads the same (with ms + 1 per write they ran 100 s ahead, past
 * the skew, and every peer refused them).
 */
static void test_burst_stays_trusted(void **state)
{
	struct node a, b;
	struct rg_ver v = {0, 0}, prev = {0, 0};
	uint64_t w;
	int i;

	(void)state;
	mk(&a, 0xa, 600);
	mk(&b, 0xb, 600);
	w = wall_at(&a, T0);
	for(i = 0; i < 100000; i++) {
		v = rg_hlc_next(&a.hlc, w);
		assert_true(rg_ver_cmp(&v, &prev) > 0);
		prev = v;
	}
	assert_true(rg_ver_ms(v.clk) <= w + 1);
	assert_true(rg_hlc_trusted(&b.hlc, v.clk, wall_at(&b, T0)));
	rm(&a);
	rm(&b);
}

/*
 * This host's wall clock an hour fast, then stepped back: the writes it
 * made meanwhile were from every peer's future (refused); the next write
 * starts again from the wall clock, which the peers take, and a register
 * holding an hour-ahead version takes a peer's write made now.
 */
static void test_own_step_back(void **state)
{
	struct node a, b;
	struct rg_change chg;
	struct rg_ref r;
	struct rg_ver vu;
	uint64_t w;

	(void)state;
	mk(&a, 0xa, 600);
	mk(&b, 0xb, 600);
	a.hlc.wall_off_ms += 3600 * SEC;
	r = ref_of(&a, GW, T0);
	assert_int_equal(rg_op_block(a.t, &r, 600, T0, &chg), RG_OK);
	assert_false(rg_hlc_trusted(&b.hlc, chg.repl.blk.clk, wall_at(&b, T0)));
	a.hlc.wall_off_ms -= 3600 * SEC; /* NTP steps it back */
	w = wall_at(&a, T0 + 1);
	r = ref_of(&a, GW2, T0 + 1);
	assert_int_equal(rg_op_block(a.t, &r, 600, T0 + 1, &chg), RG_OK);
	assert_true(rg_ver_ms(chg.repl.blk.clk) == w);
	assert_true(rg_hlc_trusted(&b.hlc, chg.repl.blk.clk, wall_at(&b, T0 + 1)));
	/* GW's register holds the hour-ahead version: a peer's unblock now
	 * is newer than anything a peer could have taken */
	vu = ver(wall_at(&a, T0 + 2), 0xb);
	assert_int_equal(rg_op_peer_up(a.t, GW, GWL, &vu, 0, T0 + 2, &chg), RG_OK);
	assert_int_equal(chg.ev, RG_EV_UP);
	rm(&a);
	rm(&b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_local_writes),
			cmocka_unit_test(test_block_unblock_any_order),
			cmocka_unit_test(test_limits_any_order),
			cmocka_unit_test(test_peer_bounds),
			cmocka_unit_test(test_marker_kept),
			cmocka_unit_test(test_restart),
			cmocka_unit_test(test_marker_compared),
			cmocka_unit_test(test_no_cluster),
			cmocka_unit_test(test_far_future_refused),
			cmocka_unit_test(test_restore_far_future),
			cmocka_unit_test(test_wall_steps_forward),
			cmocka_unit_test(test_wall_steps_back),
			cmocka_unit_test(test_marker_keep_bounded),
			cmocka_unit_test(test_burst_stays_trusted),
			cmocka_unit_test(test_own_step_back),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
