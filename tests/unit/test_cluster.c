/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's messages (rg_cluster_msg.c) and its peers (rg_peers.c):
 * every record written reads back the same, a message that does not fit
 * stays whole, bad messages are refused whole, and a peer's message is
 * taken once, in any order within its window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rg_cluster_msg.h"
#include "rg_peers.h"
#include "seam_stub.h"

static struct rg_crec got[8];
static int ngot;

static void collect(const struct rg_crec *r, void *arg)
{
	(void)arg;
	if(ngot < 8)
		got[ngot] = *r;
	ngot++;
}

static int parse(const char *text, size_t len, struct rg_chdr *h)
{
	const char *why = NULL;

	ngot = 0;
	return rg_cmsg_parse(text, len, h, collect, NULL, &why);
}

static struct rg_crec rec(char kind, const char *key)
{
	struct rg_crec r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	if(key != NULL) {
		r.key_len = (int)strlen(key);
		memcpy(r.key, key, (size_t)r.key_len);
	}
	return r;
}

static void test_round_trip(void **state)
{
	struct rg_chdr h = {0x0123456789abcdefULL, 42, "node-1"}, h2;
	struct rg_crec r[6];
	struct rg_cbuf b;
	char buf[2048];
	int i, len;

	(void)state;
	r[0] = rec(RG_CR_BLOCK, "sip:10.0.0.1:5060");
	r[0].left_ms = 30000;
	r[0].reason = 2;
	r[0].ra_s = 30;
	r[1] = rec(RG_CR_UNBLOCK, "carrier-a");
	r[1].manual = 1;
	r[2] = rec(RG_CR_LIMIT, "carrier-a");
	r[2].lim.mcps = 12500;
	r[2].lim.burst = 2;
	r[2].lim.max_concurrent = 40;
	r[3] = rec(RG_CR_CUT, "sip:10.0.0.1:5060");
	r[3].cur_mcps = 6000;
	r[3].ceil_mcps = 20000;
	r[4] = rec(RG_CR_SYNC, NULL);
	r[5] = rec(RG_CR_DEMAND, "carrier-a");
	r[5].demand_mcps = 20000;
	r[5].recv_mcps = 9875;
	rg_cmsg_begin(&b, buf, sizeof(buf), &h);
	for(i = 0; i < 6; i++)
		assert_int_equal(rg_cmsg_add(&b, &r[i]), 0);
	len = rg_cmsg_end(&b);
	assert_true(len > 0);
	assert_non_null(strstr(buf, "\nD carrier-a 20000 9875\n"));
	assert_int_equal(parse(buf, (size_t)len, &h2), 6);
	assert_true(h2.origin == h.origin);
	assert_true(h2.seq == 42);
	assert_string_equal(h2.node, "node-1");
	for(i = 0; i < 6; i++)
		assert_memory_equal(&got[i], &r[i], sizeof(r[i]));
}

/* a record that does not fit leaves the message whole, and endable */
static void test_full(void **state)
{
	struct rg_chdr h = {1, 1, "n"}, h2;
	struct rg_crec r = rec(RG_CR_UNBLOCK, "carrier-with-a-longish-name");
	struct rg_cbuf b;
	char buf[200];
	int n = 0, len;

	(void)state;
	rg_cmsg_begin(&b, buf, sizeof(buf), &h);
	while(rg_cmsg_add(&b, &r) == 0)
		n++;
	assert_true(n > 0);
	len = rg_cmsg_end(&b);
	assert_true(len > 0 && (size_t)len <= sizeof(buf));
	assert_int_equal(parse(buf, (size_t)len, &h2), n);
}

static void test_bad(void **state)
{
	static const char *bad[] = {
			"",
			"garbage\n",
			"RG2 0000000000000001 1 n\nE 0\n",
			"RG1 000000000000001 1 n\nE 0\n",	/* 15 hex digits */
			"RG1 000000000000000G 1 n\nE 0\n",
			"RG1 0000000000000001 0 n\nE 0\n",	/* seq 0 */
			"RG1 0000000000000001 01 n\nE 0\n", /* not canonical */
			"RG1 0000000000000001 1\nE 0\n",	/* no node */
			"RG1 0000000000000001 1 n\n",		/* no end */
			"RG1 0000000000000001 1 n\nE 1\n",
			"RG1 0000000000000001 1 n\nE 0\nU gw 0\n",
			"RG1 0000000000000001 1 n\nX gw\nE 1\n",
			"RG1 0000000000000001 1 n\nU SIP:GW 0\nE 1\n",
			"RG1 0000000000000001 1 n\nU gw x\nE 1\n",
			"RG1 0000000000000001 1 n\nU gw\nE 1\n",
			"RG1 0000000000000001 1 n\nU gw 2\nE 1\n",
			"RG1 0000000000000001 1 n\nB gw 0 0 0\nE 1\n", /* no time */
			"RG1 0000000000000001 1 n\nB gw 1000 3 0\nE 1\n",
			"RG1 0000000000000001 1 n\nB gw 31536000001 0 0\nE 1\n",
			"RG1 0000000000000001 1 n\nL gw 1000 0 0\nE 1\n", /* burst 0 */
			"RG1 0000000000000001 1 n\nL gw 1000000001 1 0\nE 1\n",
			"RG1 0000000000000001 1 n\nC gw 0 0\nE 1\n",
			"RG1 0000000000000001 1 n\nS x\nE 1\n",
			"RG1 0000000000000001 1 n\nD gw 1000\nE 1\n", /* no recv */
			"RG1 0000000000000001 1 n\nD gw 4294967296 0\nE 1\n",
			"RG1 0000000000000001 1 n\nD gw -1 0\nE 1\n",
			"RG1 0000000000000001 1 n\nU gw 0\r\nE 1\n",
			"RG1 0000000000000001 1 n\nU gw 0\nU gw 0\nE 1\n",
	};
	struct rg_chdr h;
	size_t i;

	(void)state;
	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if(parse(bad[i], strlen(bad[i]), &h) != -1 || ngot != 0)
			fail_msg("message %zu taken: %s", i, bad[i]);
	}
	/* one byte over the size */
	{
		static char big[RG_CMSG_MAX + 2];
		int n = snprintf(big, sizeof(big), "RG1 0000000000000001 1 n\n");

		while(n < RG_CMSG_MAX)
			n += snprintf(big + n, sizeof(big) - (size_t)n, "S\n");
		n += snprintf(big + n, sizeof(big) - (size_t)n, "E %d\n",
				(n - 25) / 2);
		assert_true(n > RG_CMSG_MAX);
		assert_int_equal(parse(big, (size_t)n, &h), -1);
	}
}

/* a message is taken once; out of order within the window is fine */
static void test_peers_window(void **state)
{
	struct rg_peers *p = rg_peers_new();
	struct rg_peer l[RG_PEERS_MAX];
	const uint64_t T = 1000000;

	(void)state;
	assert_int_equal(rg_peers_accept(p, 7, 1, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 1, "a", "sip:x", T, 600), 0);
	assert_int_equal(rg_peers_accept(p, 7, 3, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 2, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 2, "a", "sip:x", T, 600), 0);
	assert_int_equal(rg_peers_accept(p, 7, 100, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 37, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 37, "a", "sip:x", T, 600), 0);
	/* a jump of 1000 (not a multiple of 64): what was seen moves along */
	assert_int_equal(rg_peers_accept(p, 7, 1100, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 100, "a", "sip:x", T, 600), 0);
	assert_int_equal(rg_peers_accept(p, 7, 99, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 76, "a", "sip:x", T, 600), 0);
	assert_int_equal(rg_peers_accept(p, 7, 77, "a", "sip:x", T, 600), 1);
	/* another instance (a restart) starts again from 1 */
	assert_int_equal(rg_peers_accept(p, 8, 1, "a", "sip:x", T + 5, 600), 1);
	assert_int_equal(rg_peers_list(p, l, RG_PEERS_MAX), 2);
	assert_true(l[0].origin == 8); /* heard last */
	assert_true(l[1].taken == 8);
	rg_peers_free(p);
}

/* a full table takes a new origin only in place of a silent one */
static void test_peers_full(void **state)
{
	struct rg_peers *p = rg_peers_new();
	uint64_t i;

	(void)state;
	for(i = 0; i < RG_PEERS_MAX; i++)
		assert_int_equal(
				rg_peers_accept(p, 100 + i, 1, "n", "a", 1000 + i, 600), 1);
	assert_int_equal(rg_peers_accept(p, 999, 1, "n", "a", 1100, 600), -1);
	assert_int_equal(rg_peers_accept(p, 999, 1, "n", "a", 1700, 600), 1);
	rg_peers_free(p);
	assert_int_equal(stub_locks_held(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_round_trip),
			cmocka_unit_test(test_full),
			cmocka_unit_test(test_bad),
			cmocka_unit_test(test_peers_window),
			cmocka_unit_test(test_peers_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
