/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file (rg_state.c) and what an entry keeps over a restart
 * (RG_OP_SAVE, RG_OP_RESTORE): the round trip, wall-clock block ends, and
 * every bad file refused whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_entry.h"

#define SEC 1000ULL
#define T0 (RG_TEST_UPTIME_MS + 5000 * SEC)
#define WALL 1700000000000LL /* the wall clock at T0, ms */

static struct rg_saved got[4];
static int ngot;

static void collect(const struct rg_saved *s, void *arg)
{
	(void)arg;
	if(ngot < 4)
		got[ngot] = *s;
	ngot++;
}

static int parse(const char *text, struct rg_state_err *err)
{
	ngot = 0;
	return rg_state_parse(text, strlen(text), collect, NULL, err);
}

static void test_round_trip(void **state)
{
	struct rg_saved a, b;
	struct rg_state_err err;
	char file[1024];
	int n;

	(void)state;
	memset(&a, 0, sizeof(a));
	strcpy(a.key, "sip:10.0.0.1:5060");
	a.key_len = (int)strlen(a.key);
	a.block_end = (uint64_t)WALL + 42000;
	a.reason = RG_BR_MANUAL;
	a.ra_last = 7;
	a.repl.blk.clk = (uint64_t)WALL + 1;
	a.repl.blk.id = 0xfedcba9876543210ULL;
	a.repl.keep_ms = (uint64_t)WALL + 42000;
	memset(&b, 0, sizeof(b));
	strcpy(b.key, "carrier-a");
	b.key_len = 9;
	b.has_limit = 1;
	b.lim.mcps = 12500;
	b.lim.burst = 3;
	b.lim.max_concurrent = 40;
	b.throttled = 1;
	b.cur_mcps = 6000;
	b.ceil_mcps = 30000;
	n = snprintf(file, sizeof(file), RG_STATE_MAGIC "\n");
	n += rg_state_format(&a, file + n, sizeof(file) - (size_t)n);
	n += rg_state_format(&b, file + n, sizeof(file) - (size_t)n);
	assert_true(rg_state_format_end(2, file + n, sizeof(file) - (size_t)n) > 0);
	assert_int_equal(parse(file, &err), 2);
	assert_int_equal(ngot, 2);
	assert_memory_equal(&got[0], &a, sizeof(a));
	assert_memory_equal(&got[1], &b, sizeof(b));
	/* an empty table is a file too */
	assert_int_equal(parse(RG_STATE_MAGIC "\nend 0\n", &err), 0);
	/* a file of version 1 is read, with no versions */
	assert_int_equal(parse(RG_STATE_MAGIC_V1
						   "\ngw 0 0 0 0 1 1000 1 0 0 0 0\nend 1\n",
							 &err),
			1);
	assert_int_equal(got[0].lim.mcps, 1000);
	assert_true(got[0].repl.lim.clk == 0 && got[0].repl.lim.id == 0);
}

/* every bad file is refused whole, with the line and the reason */
static void test_bad_files(void **state)
{
	static const struct
	{
		const char *text;
		int line;
	} bad[] = {
			{"", 0},
			{"garbage\n", 1},
			{"replyguard-state 3\nend 0\n", 1},
			/* version 2: seven more fields, the ids in 16 hex digits */
			{RG_STATE_MAGIC "\ngw 0 0 0 0 1 1000 1 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC "\ngw 0 0 0 0 1 1000 1 0 0 0 0 5 "
						   "00000000000000aa 0 0000000000000000 0 "
						   "0000000000000000\nend 1\n",
					2},
			{RG_STATE_MAGIC "\ngw 0 0 0 0 1 1000 1 0 0 0 0 5 "
						   "00000000000000AA 0 0000000000000000 0 "
						   "0000000000000000 0\nend 1\n",
					2},
			{RG_STATE_MAGIC "\ngw 0 0 0 0 1 1000 1 0 0 0 0 5 aa 0 "
						   "0000000000000000 0 0000000000000000 0\nend 1\n",
					2},
			{RG_STATE_MAGIC "\ngw 0 0 0 0 1 1000 1 0 0 0 0 5 "
						   "00000000000000aa 0 0000000000000000 0 "
						   "0000000000000000 16725225600001\nend 1\n",
					2},
			{RG_STATE_MAGIC, 1},	/* cut in the first line */
			{RG_STATE_MAGIC "\n", 0}, /* no end line */
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 1 1000 1 0 0 0 0\n", 0},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 1 1000 1 0 0 0 0\nend 1", 3},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 1 1000 1 0 0 0 0\nend 2\n", 3},
			{RG_STATE_MAGIC "\nend 0\nmore\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 1 1000 1 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 1 1000 1 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 2 0 0 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw -1 0 0 0 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 0 4294967296 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 0 0 0 0 0 0 "
						   "99999999999999999999\nend 1\n",
					2},
			{RG_STATE_MAGIC_V1 "\ngw  0 0 0 0 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw\t0 0 0 0 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\nSIP:GW 0 0 0 0 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\n 0 0 0 0 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 0 0 0 0 0 0 0\r\nend 1\n", 2},
			/* what the writer never writes */
			{RG_STATE_MAGIC_V1 "\ngw 07 1 0 0 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 7 3 0 0 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 1 0 0 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 5 0 0 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 0 1000 1 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 1 1000 0 0 0 0 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 0 0 0 0 0 500 0\nend 1\n", 2},
			{RG_STATE_MAGIC_V1 "\ngw 0 0 0 0 1 1000000001 1 0 0 0 0\nend 1\n",
					2},
			{RG_STATE_MAGIC_V1 "\ngw 16725225600001 1 0 0 0 0 0 0 0 0 0\nend "
						   "1\n",
					2},
			{RG_STATE_MAGIC "\nend 00\n", 2},
	};
	struct rg_state_err err;
	size_t i;

	(void)state;
	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.what = NULL;
		if(parse(bad[i].text, &err) != -1 || ngot != 0
				|| err.line != bad[i].line || err.what == NULL)
			fail_msg("file %zu: got %d records, line %d (want %d)", i, ngot,
					err.line, bad[i].line);
	}
	/* a NUL inside is no key character */
	ngot = 0;
	assert_int_equal(rg_state_parse(RG_STATE_MAGIC "\ng\0 0 0 0 0 0 0 0 0 0 "
												   "0 0\nend 1\n",
							 sizeof(RG_STATE_MAGIC) + 30, collect, NULL, &err),
			-1);
	assert_int_equal(ngot, 0);
}

static void entry(struct rg_entry *e, struct rg_entry_cold *cold,
		struct rg_entry_cfg *c)
{
	static const struct rg_health_cfg h = {1, 300, 3, 30, 30, 1};
	static const struct rg_throttle_cfg th = {
			{0, 1, 0}, 1, 500, 1000, 1000, 1000, 0, 0, 0};

	memset(c, 0, sizeof(*c));
	c->slot_ms = rg_window_slot_ms(60);
	c->health = h;
	c->throttle = th;
	rg_entry_init(e, cold, c, "gw", 2, T0);
}

/* a block, a limit and a back-off out of one entry and into another one,
 * 15 s later: the block has 15 s less to go */
static void test_entry_round_trip(void **state)
{
	struct rg_entry a, b;
	struct rg_entry_cold ac, bc;
	struct rg_entry_cfg c;
	struct rg_change chg;
	struct rg_saved rec;
	struct rg_limit lim = {20000, 2, 10};
	struct rg_op op = {.kind = RG_OP_BLOCK};

	(void)state;
	entry(&a, &ac, &c);
	op.u.saved.rec = &rec;
	op.u.saved.wall_ms = WALL - (int64_t)T0;
	op.kind = RG_OP_SAVE;
	assert_int_equal(rg_entry_apply(&a, &c, &op, T0, &chg), 0);
	op.kind = RG_OP_BLOCK;
	op.u.block_s = 600;
	rg_entry_apply(&a, &c, &op, T0, &chg);
	op.kind = RG_OP_SET_LIMIT;
	op.u.limit.lim = &lim;
	op.u.limit.src = RG_LIM_MANUAL;
	op.u.limit.gen = 0;
	rg_entry_apply(&a, &c, &op, T0, &chg);
	rg_throttle_overload(&a.thr, &c.throttle, T0);
	assert_true(a.thr.throttled);
	op.kind = RG_OP_SAVE;
	op.u.saved.rec = &rec;
	op.u.saved.wall_ms = WALL - (int64_t)T0;
	assert_int_equal(rg_entry_apply(&a, &c, &op, T0, &chg), 1);
	assert_int_equal(rec.block_end, (uint64_t)WALL + 600 * SEC);
	assert_int_equal(rec.reason, RG_BR_MANUAL);
	assert_int_equal(rec.lim.mcps, 20000);
	assert_int_equal(rec.throttled, 1);

	/* a new process: its clock starts elsewhere, the wall went on 15 s */
	entry(&b, &bc, &c);
	op.kind = RG_OP_RESTORE;
	op.u.saved.wall_ms = WALL + 15 * (int64_t)SEC - (int64_t)T0;
	rg_entry_apply(&b, &c, &op, T0, &chg);
	assert_int_equal(chg.ev, RG_EV_DOWN);
	assert_int_equal(chg.tev, RG_TEV_THROTTLED);
	assert_int_equal(b.health.state, RG_DOWN);
	assert_int_equal(b.health.manual, 1);
	assert_int_equal(rg_health_blocked_for(&b.health, T0), 585);
	assert_int_equal(b.thr.src, RG_LIM_MANUAL);
	assert_memory_equal(&b.thr.lim, &lim, sizeof(lim));
	assert_int_equal(b.thr.cur_mcps, a.thr.cur_mcps);
	/* a block that ended while stopped is not taken back */
	entry(&b, &bc, &c);
	op.u.saved.wall_ms = WALL + 601 * (int64_t)SEC - (int64_t)T0;
	rg_entry_apply(&b, &c, &op, T0, &chg);
	assert_int_equal(b.health.state, RG_UP);
	assert_int_equal(b.thr.src, RG_LIM_MANUAL);
	/* a clock stepped back (or a foreign file): an inferred block is
	 * never longer than retry_after_max */
	entry(&b, &bc, &c);
	rec.reason = RG_BR_INFERRED;
	rec.block_end = (uint64_t)WALL + 10 * 86400 * SEC;
	op.u.saved.wall_ms = WALL - (int64_t)T0;
	rg_entry_apply(&b, &c, &op, T0, &chg);
	assert_int_equal(rg_health_blocked_for(&b.health, T0), 300);
	assert_int_equal(rg_health_reason(&b.health), RG_BR_INFERRED);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_round_trip),
			cmocka_unit_test(test_bad_files),
			cmocka_unit_test(test_entry_round_trip),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
