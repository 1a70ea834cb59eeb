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
#include <ctype.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "case_filter.h"
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

static const unsigned char K1[] = "0123456789abcdef-one";
static const unsigned char K2[] = "0123456789abcdef-two";
static const struct rg_ckeys KEYS = {{K1, NULL}, {sizeof(K1) - 1, 0}, 1};
/* rotation: signs with the new key, takes the old one too */
static const struct rg_ckeys KEYS2 = {
		{K2, K1}, {sizeof(K2) - 1, sizeof(K1) - 1}, 2};
static const struct rg_ckeys KEYS_OTHER = {{K2, NULL}, {sizeof(K2) - 1, 0}, 1};

static int parse_with(const char *text, size_t len, struct rg_chdr *h,
		const struct rg_ckeys *k)
{
	const char *why = NULL;

	ngot = 0;
	return rg_cmsg_parse(text, len, k, h, collect, NULL, &why);
}

static int parse(const char *text, size_t len, struct rg_chdr *h)
{
	return parse_with(text, len, h, &KEYS);
}

/* `text` with the HMAC line K1 makes of it, into `out` */
static size_t sign(const char *text, size_t len, char *out, size_t size)
{
	unsigned char m[32];
	unsigned int n = 0;
	size_t i, at;

	assert_true(len + 68 <= size);
	memcpy(out, text, len);
	HMAC(EVP_sha256(), K1, sizeof(K1) - 1, (const unsigned char *)text, len,
			m, &n);
	assert_int_equal(n, 32);
	at = len;
	out[at++] = 'H';
	out[at++] = ' ';
	for(i = 0; i < 32; i++)
		at += (size_t)snprintf(out + at, 3, "%02x", m[i]);
	out[at++] = '\n';
	return at;
}

static struct rg_chdr hdr(uint64_t origin, uint64_t seq, const char *node)
{
	struct rg_chdr h;

	memset(&h, 0, sizeof(h));
	h.origin = origin;
	h.seq = seq;
	h.chan = RG_CCHAN_CHANGE;
	h.wall_ms = 1764000000000ULL;
	snprintf(h.node, sizeof(h.node), "%s", node);
	return h;
}

static struct rg_crec rec(char kind, const char *key)
{
	struct rg_crec r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	if(kind != RG_CR_SYNC && kind != RG_CR_DEMAND && kind != RG_CR_DIGEST
			&& kind != RG_CR_PEER) {
		r.ver.clk = 1764000000123ULL;
		r.ver.id = 0xa1b2c3d4e5f60718ULL;
	}
	if(key != NULL) {
		r.key_len = (int)strlen(key);
		memcpy(r.key, key, (size_t)r.key_len);
	}
	return r;
}

static void test_round_trip(void **state)
{
	struct rg_chdr h = hdr(0x0123456789abcdefULL, 42, "node-1"), h2;
	struct rg_crec r[8];
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
	r[1].keep_ms = 1764000099000ULL;
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
	r[6] = rec(RG_CR_DIGEST, NULL);
	r[6].bucket = 15;
	r[6].digest = 0xffeeddccbbaa0099ULL;
	r[7] = rec(RG_CR_PEER, NULL);
	r[7].origin = 0x00000000000000abULL;
	r[7].ack = 123456;
	r[5].ngrants = 2;
	r[5].grant[0] = 10000;
	r[5].grant[1] = 0;
	h.chan = RG_CCHAN_BEAT;
	rg_cmsg_begin(&b, buf, sizeof(buf), &h);
	for(i = 0; i < 8; i++)
		assert_int_equal(rg_cmsg_add(&b, &r[i]), 0);
	len = rg_cmsg_end(&b, &KEYS);
	assert_true(len > 0);
	assert_non_null(strstr(buf, "\nD carrier-a 20000 9875 10000 0\n"));
	assert_non_null(strstr(buf, "\nP 00000000000000ab 123456\n"));
	assert_non_null(strstr(buf, "\nU carrier-a 1 1764000099000 1764000000123 a1b2c3d4e5f60718\n"));
	assert_non_null(strstr(buf, "\nG 15 ffeeddccbbaa0099\n"));
	assert_int_equal(parse(buf, (size_t)len, &h2), 8);
	assert_true(h2.origin == h.origin);
	assert_true(h2.seq == 42);
	assert_true(h2.wall_ms == h.wall_ms);
	assert_int_equal(h2.chan, RG_CCHAN_BEAT);
	assert_string_equal(h2.node, "node-1");
	for(i = 0; i < 8; i++)
		assert_memory_equal(&got[i], &r[i], sizeof(r[i]));
}

/* no valid HMAC: refused before anything is read */
static void test_auth(void **state)
{
	struct rg_chdr h = hdr(7, 1, "n"), h2;
	struct rg_crec r = rec(RG_CR_BLOCK, "sip:gw:5060");
	struct rg_cbuf b;
	char buf[1024], t[1024];
	int len;

	(void)state;
	r.left_ms = 1000;
	rg_cmsg_begin(&b, buf, sizeof(buf), &h);
	assert_int_equal(rg_cmsg_add(&b, &r), 0);
	len = rg_cmsg_end(&b, &KEYS);
	assert_int_equal(parse(buf, (size_t)len, &h2), 1);
	/* another secret */
	assert_int_equal(parse_with(buf, (size_t)len, &h2, &KEYS_OTHER),
			RG_CMSG_AUTH);
	assert_int_equal(ngot, 0);
	/* rotation: a node with the new key and the old takes it */
	assert_int_equal(parse_with(buf, (size_t)len, &h2, &KEYS2), 1);
	/* one byte changed anywhere: the record, the header, the HMAC */
	memcpy(t, buf, (size_t)len);
	t[strstr(t, "\nB ") - t + 3] = 'S';
	assert_int_equal(parse(t, (size_t)len, &h2), RG_CMSG_AUTH);
	memcpy(t, buf, (size_t)len);
	t[5] ^= 1;
	assert_int_equal(parse(t, (size_t)len, &h2), RG_CMSG_AUTH);
	memcpy(t, buf, (size_t)len);
	t[len - 2] = t[len - 2] == '0' ? '1' : '0';
	assert_int_equal(parse(t, (size_t)len, &h2), RG_CMSG_AUTH);
	/* upper-case hex, no HMAC line, a truncated one, no keys at all */
	memcpy(t, buf, (size_t)len);
	t[len - 10] = (char)toupper((unsigned char)t[len - 10]);
	if(t[len - 10] != buf[len - 10])
		assert_int_equal(parse(t, (size_t)len, &h2), RG_CMSG_AUTH);
	assert_int_equal(parse(buf, (size_t)len - 67, &h2), RG_CMSG_AUTH);
	assert_int_equal(parse(buf, (size_t)len - 1, &h2), RG_CMSG_AUTH);
	assert_int_equal(parse_with(buf, (size_t)len, &h2, NULL), RG_CMSG_AUTH);
	assert_int_equal(ngot, 0);
}

/* a record that does not fit leaves the message whole, and endable */
static void test_full(void **state)
{
	struct rg_chdr h = hdr(1, 1, "n"), h2;
	struct rg_crec r = rec(RG_CR_UNBLOCK, "carrier-with-a-longish-name");
	struct rg_cbuf b;
	char buf[400];
	int n = 0, len;

	(void)state;
	rg_cmsg_begin(&b, buf, sizeof(buf), &h);
	while(rg_cmsg_add(&b, &r) == 0)
		n++;
	assert_true(n > 0);
	len = rg_cmsg_end(&b, &KEYS);
	assert_true(len > 0 && (size_t)len <= sizeof(buf));
	assert_int_equal(parse(buf, (size_t)len, &h2), n);
}

#define HD "RG2 0000000000000001 c 1 1764000000000 n\n"
#define V " 5 00000000000000aa"

/* signed, but not what a writer writes: refused whole */
static void test_bad(void **state)
{
	static const char *bad[] = {
			"",
			"garbage\n",
			"RG1 0000000000000001 c 1 5 n\nE 0\n",
			"RG2 000000000000001 c 1 5 n\nE 0\n", /* 15 hex digits */
			"RG2 000000000000000G c 1 5 n\nE 0\n",
			"RG2 0000000000000001 x 1 5 n\nE 0\n", /* no such channel */
			"RG2 0000000000000001 c 0 5 n\nE 0\n", /* seq 0 */
			"RG2 0000000000000001 c 01 5 n\nE 0\n", /* not canonical */
			"RG2 0000000000000001 c 1 n\nE 0\n",	  /* no wall clock */
			"RG2 0000000000000001 c 1 5\nE 0\n",	  /* no node */
			HD,										  /* no end */
			HD "E 1\n",
			HD "E 0\nU gw 0 0" V "\n",
			HD "X gw\nE 1\n",
			HD "U SIP:GW 0 0" V "\nE 1\n",
			HD "U gw x 0" V "\nE 1\n",
			HD "U gw\nE 1\n",
			HD "U gw 0 0\nE 1\n", /* no version */
			HD "U gw 0" V "\nE 1\n", /* no keep */
			HD "U gw 2 0" V "\nE 1\n",
			HD "U gw 0 16725225600001" V "\nE 1\n",
			HD "U gw 0 0 0 00000000000000aa\nE 1\n", /* clock 0 */
			/* a version clock past the year 2500's (ms << 16) */
			HD "U gw 0 0 1096104384921600001 00000000000000aa\nE 1\n",
			HD "U gw 0 0 5 aa\nE 1\n",
			HD "U gw 0 0 5 00000000000000AA\nE 1\n",
			HD "U gw 0 0" V " x\nE 1\n",
			HD "B gw 0 0 0" V "\nE 1\n", /* no time */
			HD "B gw 1000 3 0" V "\nE 1\n",
			HD "B gw 31536000001 0 0" V "\nE 1\n",
			HD "L gw 1000 0 0" V "\nE 1\n", /* burst 0 */
			HD "L gw 1000000001 1 0" V "\nE 1\n",
			HD "C gw 0 0" V "\nE 1\n",
			HD "S x\nE 1\n",
			HD "D gw 1000\nE 1\n", /* no recv */
			HD "D gw 4294967296 0\nE 1\n",
			HD "D gw -1 0\nE 1\n",
			HD "D gw 1 0 00\nE 1\n",
			HD "D gw 1 0 1 \nE 1\n",
			HD "D gw 1 0 1000000001\nE 1\n",
			HD "D gw 1 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 "
			   "20 21 22 23 24 25 26 27 28 29 30 31 32 33\nE 1\n",
			HD "P 00000000000000ab\nE 1\n",
			HD "P 00000000000000ab -1\nE 1\n",
			HD "P ab 1\nE 1\n",
			HD "G 16 0000000000000000\nE 1\n",
			HD "G 1 000000000000000\nE 1\n",
			HD "G 1\nE 1\n",
			HD "U gw 0 0" V "\r\nE 1\n",
			HD "U gw 0 0" V "\nU gw 0 0" V "\nE 1\n",
	};
	static char t[RG_CMSG_MAX + 200];
	struct rg_chdr h;
	size_t i, n;

	(void)state;
	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = sign(bad[i], strlen(bad[i]), t, sizeof(t));
		if(parse(t, n, &h) >= 0 || ngot != 0)
			fail_msg("message %zu taken: %s", i, bad[i]);
	}
	/* and the same, well formed, is taken */
	n = sign(HD "U gw 0 0" V "\nE 1\n", strlen(HD "U gw 0 0" V "\nE 1\n"),
			t, sizeof(t));
	assert_int_equal(parse(t, n, &h), 1);
	/* one byte over the size */
	{
		static char big[RG_CMSG_MAX + 64];
		int m = snprintf(big, sizeof(big), HD);

		while(m < RG_CMSG_MAX)
			m += snprintf(big + m, sizeof(big) - (size_t)m, "S\n");
		m += snprintf(big + m, sizeof(big) - (size_t)m, "E %d\n",
				(m - (int)strlen(HD)) / 2);
		n = sign(big, (size_t)m, t, sizeof(t));
		assert_true(n > RG_CMSG_MAX);
		assert_int_equal(parse(t, n, &h), RG_CMSG_BAD);
	}
}

/* a message is taken once; out of order within the window is fine */
static void test_peers_window(void **state)
{
	struct rg_peers *p = rg_peers_new();
	struct rg_peer l[RG_PEERS_MAX];
	const uint64_t T = RG_TEST_UPTIME_MS + 1000000;

	(void)state;
	assert_int_equal(rg_peers_accept(p, 7, 0, 1, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 0, 1, "a", "sip:x", T, 600), 0);
	assert_int_equal(rg_peers_accept(p, 7, 0, 3, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 0, 2, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 0, 2, "a", "sip:x", T, 600), 0);
	assert_int_equal(rg_peers_accept(p, 7, 0, 100, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 0, 37, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 0, 37, "a", "sip:x", T, 600), 0);
	/* a jump of 1000 (not a multiple of 64): what was seen moves along */
	assert_int_equal(rg_peers_accept(p, 7, 0, 1100, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 0, 100, "a", "sip:x", T, 600), 0);
	assert_int_equal(rg_peers_accept(p, 7, 0, 99, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 0, 76, "a", "sip:x", T, 600), 0);
	assert_int_equal(rg_peers_accept(p, 7, 0, 77, "a", "sip:x", T, 600), 1);
	/* the other channel has a window of its own */
	assert_int_equal(rg_peers_accept(p, 7, 1, 1, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 1, 1, "a", "sip:x", T, 600), 0);
	assert_int_equal(rg_peers_accept(p, 7, 1, 5000, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 0, 1099, "a", "sip:x", T, 600), 1);
	assert_int_equal(rg_peers_accept(p, 7, 2, 9, "a", "sip:x", T, 600), 0);
	/* no jump of more than RG_PEER_JUMP_MAX: a signed 2^64-1 cannot close
	 * the window for good */
	assert_int_equal(rg_peers_accept(p, 7, 0, UINT64_MAX, "a", "sip:x", T, 600),
			RG_PEER_JUMP);
	assert_int_equal(rg_peers_accept(p, 7, 0, 1101, "a", "sip:x", T, 600), 1);
	/* another instance (a restart) starts again from 1 */
	assert_int_equal(rg_peers_accept(p, 8, 0, 1, "a", "sip:x", T + 5, 600), 1);
	assert_int_equal(rg_peers_list(p, l, RG_PEERS_MAX), 2);
	assert_true(l[0].origin == 8); /* heard last */
	assert_true(l[1].taken == 12);
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
				rg_peers_accept(p, 100 + i, 0, 1, "n", "a", RG_TEST_UPTIME_MS + 1000 + i, 600), 1);
	assert_int_equal(rg_peers_accept(p, 999, 0, 1, "n", "a", RG_TEST_UPTIME_MS + 1100, 600), -1);
	assert_int_equal(rg_peers_accept(p, 999, 0, 1, "n", "a", RG_TEST_UPTIME_MS + 1700, 600), 1);
	rg_peers_free(p);
	assert_int_equal(stub_locks_held(), 0);
}

/* a message too far from this node's wall clock: the reason names the
 * skew and the limit, in ms, either way; within the limit, none */
static void test_stale(void **state)
{
	const uint64_t W = 1764000000000ULL;
	char why[200];
	size_t i;

	(void)state;
	why[0] = '\0';
	assert_int_equal(rg_cmsg_stale(W, W + 30000, 30000, why, sizeof(why)), 0);
	assert_int_equal(rg_cmsg_stale(W, W - 30000, 30000, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(rg_cmsg_stale(W, W + 45123, 30000, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "45123 ms ahead of this node's"));
	assert_non_null(strstr(why, "cluster_max_skew (30000 ms)"));
	assert_int_equal(rg_cmsg_stale(W, W - 3600000, 30000, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "3600000 ms behind this node's"));
	assert_non_null(strstr(why, "replayed"));
	/* a sender's clock of 0 or 2^64 - 1: the figure, whole, no wrap */
	assert_int_equal(rg_cmsg_stale(W, UINT64_MAX, 30000, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "18446742309709551615 ms ahead"));
	assert_int_equal(rg_cmsg_stale(W, 0, 30000, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "1764000000000 ms behind"));
	/* one line, nothing to escape */
	for(i = 0; why[i] != '\0'; i++)
		assert_true(why[i] >= 0x20 && why[i] < 0x7f);
	/* a short buffer: cut, still a string */
	assert_int_equal(rg_cmsg_stale(W, 0, 30000, why, 8), 1);
	assert_int_equal(strlen(why), 7);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_round_trip),
			cmocka_unit_test(test_auth),
			cmocka_unit_test(test_full),
			cmocka_unit_test(test_bad),
			cmocka_unit_test(test_peers_window),
			cmocka_unit_test(test_peers_full),
			cmocka_unit_test(test_stale),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
