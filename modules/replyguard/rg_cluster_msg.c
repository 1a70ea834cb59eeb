/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "rg_cluster_msg.h"
#include "rg_limits.h"
#include "rg_state.h"
#include "rg_text.h"

#define MAGIC "RG2"
#define MAC_LINE (2 + 2 * RG_CMSG_MAC_LEN + 1) /* "H " hex "\n" */

/* append printf-style: 0, or -1 (nothing appended) when it does not fit */
static int put(struct rg_cbuf *b, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

static int put(struct rg_cbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = b->size - b->len;
	int n;

	if(room > RG_CMSG_MAX - b->len)
		room = RG_CMSG_MAX - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, room, fmt, ap);
	va_end(ap);
	if(n < 0 || (size_t)n >= room)
		return -1;
	b->len += (size_t)n;
	return 0;
}

/* room kept for the end and HMAC lines, so a record that fits can always
 * be ended */
#define END_ROOM (16 + MAC_LINE)

int rg_cmsg_begin(struct rg_cbuf *b, char *buf, size_t size,
		const struct rg_chdr *h)
{
	b->buf = buf;
	b->size = size > END_ROOM ? size - END_ROOM : 0;
	b->len = 0;
	b->n = 0;
	return put(b, MAGIC " %016" PRIx64 " %c %" PRIu64 " %" PRIu64 " %s\n",
			h->origin, h->chan, h->seq, h->wall_ms, h->node);
}

#define VER "%" PRIu64 " %016" PRIx64
#define VER_ARGS(r) (r)->ver.clk, (r)->ver.id

/* a D line: all of it, or nothing */
static int demand_line(struct rg_cbuf *b, const struct rg_crec *r)
{
	size_t at = b->len;
	int i;

	if(r->ngrants > RG_PEERS_MAX
			|| put(b, "D %.*s %u %u", r->key_len, r->key,
					   (unsigned int)r->demand_mcps, (unsigned int)r->recv_mcps)
					   < 0)
		return -1;
	for(i = 0; i < r->ngrants; i++) {
		if(put(b, " %u", (unsigned int)r->grant[i]) < 0) {
			b->len = at;
			return -1;
		}
	}
	if(put(b, "\n") < 0) {
		b->len = at;
		return -1;
	}
	return 0;
}

int rg_cmsg_add(struct rg_cbuf *b, const struct rg_crec *r)
{
	int rc = -1; /* (not a kind: -Wswitch names a forgotten one) */

	switch((enum rg_crec_kind)r->kind) {
		case RG_CR_BLOCK:
			rc = put(b, "B %.*s %" PRIu64 " %u %u " VER "\n", r->key_len,
					r->key, r->left_ms, (unsigned int)r->reason,
					(unsigned int)r->ra_s, VER_ARGS(r));
			break;
		case RG_CR_UNBLOCK:
			rc = put(b, "U %.*s %u %" PRIu64 " " VER "\n", r->key_len, r->key,
					(unsigned int)r->manual, r->keep_ms, VER_ARGS(r));
			break;
		case RG_CR_LIMIT:
			rc = put(b, "L %.*s %u %u %u " VER "\n", r->key_len, r->key,
					(unsigned int)r->lim.mcps, (unsigned int)r->lim.burst,
					(unsigned int)r->lim.max_concurrent, VER_ARGS(r));
			break;
		case RG_CR_CUT:
			rc = put(b, "C %.*s %u %u " VER "\n", r->key_len, r->key,
					(unsigned int)r->cur_mcps, (unsigned int)r->ceil_mcps,
					VER_ARGS(r));
			break;
		case RG_CR_DIGEST:
			rc = put(b, "G %u %016" PRIx64 "\n", (unsigned int)r->bucket,
					r->digest);
			break;
		case RG_CR_DEMAND:
			rc = demand_line(b, r);
			break;
		case RG_CR_PEER:
			rc = put(b, "P %016" PRIx64 " %" PRIu64 "\n", r->origin, r->ack);
			break;
		case RG_CR_SYNC:
			rc = put(b, "S\n");
			break;
	}
	if(rc == 0)
		b->n++;
	return rc;
}

/* HMAC-SHA256 of buf[0..len) with `key`: 0 or -1 */
static int mac(const unsigned char *key, size_t klen, const char *buf,
		size_t len, unsigned char out[RG_CMSG_MAC_LEN])
{
	unsigned int n = 0;

	if(key == NULL || klen == 0 || klen > INT32_MAX)
		return -1;
	if(HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)buf, len,
			   out, &n)
					== NULL
			|| n != RG_CMSG_MAC_LEN)
		return -1;
	return 0;
}

int rg_cmsg_end(struct rg_cbuf *b, const struct rg_ckeys *keys)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char m[RG_CMSG_MAC_LEN];
	char line[MAC_LINE + 1];
	int i;

	b->size += END_ROOM;
	if(keys == NULL || keys->n < 1 || put(b, "E %u\n", b->n) < 0
			|| mac(keys->key[0], keys->len[0], b->buf, b->len, m) < 0)
		return -1;
	line[0] = 'H';
	line[1] = ' ';
	for(i = 0; i < RG_CMSG_MAC_LEN; i++) {
		line[2 + 2 * i] = hex[m[i] >> 4];
		line[3 + 2 * i] = hex[m[i] & 15];
	}
	line[MAC_LINE - 1] = '\n';
	line[MAC_LINE] = '\0';
	if(put(b, "%s", line) < 0)
		return -1;
	return (int)b->len;
}

/* a lowercase hex digit's value, or -1 */
static int hexval(unsigned char c)
{
	if(c >= '0' && c <= '9')
		return c - '0';
	if(c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Is the last line of buf[0..len) an HMAC some key makes of the rest? */
static int verify(const char *buf, size_t len, const struct rg_ckeys *keys)
{
	unsigned char want[RG_CMSG_MAC_LEN], m[RG_CMSG_MAC_LEN];
	const char *l;
	size_t body;
	int i, ok = 0, hi, lo;

	if(keys == NULL || len < MAC_LINE + 1)
		return 0;
	body = len - MAC_LINE;
	l = buf + body;
	if(buf[body - 1] != '\n' || l[0] != 'H' || l[1] != ' '
			|| l[MAC_LINE - 1] != '\n')
		return 0;
	for(i = 0; i < RG_CMSG_MAC_LEN; i++) {
		hi = hexval((unsigned char)l[2 + 2 * i]);
		lo = hexval((unsigned char)l[3 + 2 * i]);
		if(hi < 0 || lo < 0)
			return 0;
		want[i] = (unsigned char)(hi << 4 | lo);
	}
	for(i = 0; i < keys->n && i < RG_CMSG_KEYS; i++) {
		if(mac(keys->key[i], keys->len[i], buf, body, m) == 0
				&& CRYPTO_memcmp(m, want, sizeof(m)) == 0)
			ok = 1;
	}
	return ok;
}

static int header(struct rg_cur *c, struct rg_chdr *h)
{
	const char *s;
	size_t i, n;

	n = rg_cur_field(c, &s);
	if(n != 3 || memcmp(s, MAGIC, 3) != 0 || rg_cur_next(c, n, 0) < 0)
		return -1;
	if(rg_cur_hex64(c, &h->origin, 0) < 0)
		return -1;
	n = rg_cur_field(c, &s);
	if(n != 1 || (*s != RG_CCHAN_CHANGE && *s != RG_CCHAN_BEAT)
			|| rg_cur_next(c, n, 0) < 0)
		return -1;
	h->chan = *s;
	if(rg_cur_num(c, UINT64_MAX, &h->seq, 0) < 0 || h->seq == 0
			|| rg_cur_num(c, UINT64_MAX, &h->wall_ms, 0) < 0)
		return -1;
	n = rg_cur_field(c, &s);
	if(n == 0 || n > RG_CMSG_NODE_MAX || rg_cur_next(c, n, 1) < 0)
		return -1;
	for(i = 0; i < n; i++) {
		if(s[i] <= ' ' || s[i] > '~')
			return -1;
	}
	memcpy(h->node, s, n);
	h->node[n] = '\0';
	return 0;
}

/* `n` numbers, then a version (`ver`) or the line's end */
static int nums(struct rg_cur *c, const uint64_t *max, uint64_t *v, int n,
		struct rg_ver *ver)
{
	int i;

	for(i = 0; i < n; i++) {
		if(rg_cur_num(c, max[i], &v[i], ver == NULL && i == n - 1) < 0)
			return -1;
	}
	if(ver == NULL)
		return 0;
	if(rg_cur_num(c, rg_ver_clk(RG_STATE_END_MAX), &ver->clk, 0) < 0
			|| ver->clk == 0)
		return -1;
	return rg_cur_hex64(c, &ver->id, 1);
}

/* a number and whether the line goes on after it; 0 or -1 */
static int num_more(struct rg_cur *c, uint64_t max, uint64_t *v, int *more)
{
	const char *s;
	size_t n = rg_cur_field(c, &s);

	*more = c->p + n != c->end;
	return rg_cur_num(c, max, v, !*more);
}

/* D: demand, received rate, then up to RG_PEERS_MAX grants */
static int demand(struct rg_cur *c, struct rg_crec *r)
{
	const uint64_t max = (uint64_t)RG_LIMIT_MAX * 1000;
	uint64_t v;
	int more;

	if(rg_cur_num(c, max, &v, 0) < 0)
		return -1;
	r->demand_mcps = (uint32_t)v;
	if(num_more(c, max, &v, &more) < 0)
		return -1;
	r->recv_mcps = (uint32_t)v;
	while(more) {
		if(r->ngrants == RG_PEERS_MAX || num_more(c, max, &v, &more) < 0)
			return -1;
		r->grant[r->ngrants++] = (uint32_t)v;
	}
	return 0;
}

static const char *record(struct rg_cur *c, struct rg_crec *r)
{
	static const uint64_t bmax[3] = {RG_CMSG_BLOCK_MAX_MS, 2, UINT32_MAX};
	static const uint64_t lmax[3] = {
			(uint64_t)RG_LIMIT_MAX * 1000, RG_LIMIT_MAX, RG_LIMIT_MAX};
	static const uint64_t cmax[2] = {UINT32_MAX, UINT32_MAX};
	static const uint64_t umax[2] = {1, RG_STATE_END_MAX};
	uint64_t v[3];

	memset(r, 0, sizeof(*r));
	if(c->end - c->p < 1)
		return "empty line";
	r->kind = *c->p;
	if(r->kind == RG_CR_SYNC)
		return rg_cur_is(c, "S") ? NULL : "bad sync line";
	if(rg_cur_next(c, 1, 0) < 0)
		return "bad record";
	if(r->kind == RG_CR_PEER) {
		if(rg_cur_hex64(c, &r->origin, 0) < 0
				|| rg_cur_num(c, UINT64_MAX, &r->ack, 1) < 0)
			return "bad peer line";
		return NULL;
	}
	if(r->kind == RG_CR_DIGEST) {
		if(rg_cur_num(c, RG_CMSG_BUCKETS - 1, v, 0) < 0)
			return "bad digest";
		r->bucket = (uint8_t)v[0];
		if(rg_cur_hex64(c, &r->digest, 1) < 0)
			return "bad digest";
		return NULL;
	}
	switch(r->kind) {
		case RG_CR_BLOCK:
		case RG_CR_LIMIT:
		case RG_CR_CUT:
		case RG_CR_DEMAND:
		case RG_CR_UNBLOCK:
			r->key_len = rg_cur_key(c, r->key, 0);
			break;
		default:
			return "unknown record";
	}
	if(r->key_len < 0)
		return "bad destination key";
	if(r->kind == RG_CR_UNBLOCK) {
		if(nums(c, umax, v, 2, &r->ver) < 0)
			return "bad unblock";
		r->manual = (uint8_t)v[0];
		r->keep_ms = v[1];
	} else if(r->kind == RG_CR_BLOCK) {
		if(nums(c, bmax, v, 3, &r->ver) < 0 || v[0] == 0)
			return "bad block";
		r->left_ms = v[0];
		r->reason = (uint8_t)v[1];
		r->ra_s = (uint32_t)v[2];
	} else if(r->kind == RG_CR_LIMIT) {
		if(nums(c, lmax, v, 3, &r->ver) < 0 || v[1] == 0)
			return "bad limit";
		r->lim.mcps = (uint32_t)v[0];
		r->lim.burst = (uint32_t)v[1];
		r->lim.max_concurrent = (uint32_t)v[2];
	} else if(r->kind == RG_CR_DEMAND) {
		if(demand(c, r) < 0)
			return "bad demand";
	} else {
		if(nums(c, cmax, v, 2, &r->ver) < 0 || v[0] == 0)
			return "bad cut";
		r->cur_mcps = (uint32_t)v[0];
		r->ceil_mcps = (uint32_t)v[1];
	}
	return NULL;
}

static int pass(const char *buf, size_t len, struct rg_chdr *h,
		void (*each)(const struct rg_crec *, void *), void *arg,
		const char **why)
{
	const char *p = buf, *end = buf + len;
	struct rg_crec r;
	struct rg_cur c;
	uint64_t want;
	int n = 0;

	if(len > RG_CMSG_MAX) {
		*why = "too large";
		return -1;
	}
	if(!rg_cur_line(&p, end, &c) || header(&c, h) < 0) {
		*why = "not a replyguard message (bad first line)";
		return -1;
	}
	while(rg_cur_line(&p, end, &c)) {
		if(c.end - c.p >= 2 && memcmp(c.p, "E ", 2) == 0) {
			c.p += 2;
			if(rg_cur_num(&c, UINT32_MAX, &want, 1) < 0
					|| want != (uint64_t)n || p != end) {
				*why = "bad end line";
				return -1;
			}
			return n;
		}
		if((*why = record(&c, &r)) != NULL)
			return -1;
		if(each != NULL)
			each(&r, arg);
		n++;
	}
	*why = "truncated (no end line)";
	return -1;
}

int rg_cmsg_parse(const char *buf, size_t len, const struct rg_ckeys *keys,
		struct rg_chdr *h, void (*each)(const struct rg_crec *r, void *arg),
		void *arg, const char **why)
{
	if(len > RG_CMSG_MAX) {
		*why = "too large";
		return RG_CMSG_BAD;
	}
	/* nothing of it is read before it proves who wrote it */
	if(!verify(buf, len, keys)) {
		*why = "no valid HMAC (not signed with cluster_secret)";
		return RG_CMSG_AUTH;
	}
	len -= MAC_LINE;
	if(pass(buf, len, h, NULL, NULL, why) < 0)
		return RG_CMSG_BAD;
	return pass(buf, len, h, each, arg, why);
}

int rg_cmsg_stale(uint64_t here_ms, uint64_t sent_ms, uint64_t max_ms,
		char *why, size_t size)
{
	int ahead = sent_ms > here_ms;
	uint64_t skew = ahead ? sent_ms - here_ms : here_ms - sent_ms;

	if(skew <= max_ms)
		return 0;
	snprintf(why, size,
			"its wall clock is %llu ms %s this node's, more than "
			"cluster_max_skew (%llu ms): %s",
			(unsigned long long)skew, ahead ? "ahead of" : "behind",
			(unsigned long long)max_ms,
			ahead ? "the clocks are apart (check NTP on both nodes)"
				  : "an old message replayed, or the clocks are apart "
					"(check NTP on both nodes)");
	return 1;
}

/* FNV-1a, 64 bits, over `n` bytes */
static uint64_t fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for(i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t rg_cmsg_digest(const char *key, int len, const struct rg_ver *blk,
		const struct rg_ver *lim, const struct rg_ver *cut)
{
	uint64_t h = fnv64(0xcbf29ce484222325ULL, key, (size_t)len);

	h = fnv64(h, blk, sizeof(*blk));
	h = fnv64(h, lim, sizeof(*lim));
	return fnv64(h, cut, sizeof(*cut));
}
