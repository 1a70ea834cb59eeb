/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rg_cluster_msg.h"
#include "rg_limits.h"
#include "rg_text.h"

#define MAGIC "RG1"

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

/* room kept for the end line, so a record that fits can always be ended */
#define END_ROOM 16

int rg_cmsg_begin(struct rg_cbuf *b, char *buf, size_t size,
		const struct rg_chdr *h)
{
	b->buf = buf;
	b->size = size > END_ROOM ? size - END_ROOM : 0;
	b->len = 0;
	b->n = 0;
	return put(b, MAGIC " %016" PRIx64 " %" PRIu64 " %s\n", h->origin, h->seq,
			h->node);
}

int rg_cmsg_add(struct rg_cbuf *b, const struct rg_crec *r)
{
	int rc;

	switch(r->kind) {
		case RG_CR_BLOCK:
			rc = put(b, "B %.*s %" PRIu64 " %u %u\n", r->key_len, r->key,
					r->left_ms, (unsigned int)r->reason, (unsigned int)r->ra_s);
			break;
		case RG_CR_UNBLOCK:
			rc = put(b, "U %.*s %u\n", r->key_len, r->key,
					(unsigned int)r->manual);
			break;
		case RG_CR_LIMIT:
			rc = put(b, "L %.*s %u %u %u\n", r->key_len, r->key,
					(unsigned int)r->lim.mcps, (unsigned int)r->lim.burst,
					(unsigned int)r->lim.max_concurrent);
			break;
		case RG_CR_CUT:
			rc = put(b, "C %.*s %u %u\n", r->key_len, r->key,
					(unsigned int)r->cur_mcps, (unsigned int)r->ceil_mcps);
			break;
		case RG_CR_DEMAND:
			rc = put(b, "D %.*s %u %u\n", r->key_len, r->key,
					(unsigned int)r->demand_mcps, (unsigned int)r->recv_mcps);
			break;
		case RG_CR_SYNC:
			rc = put(b, "S\n");
			break;
		default:
			return -1;
	}
	if(rc == 0)
		b->n++;
	return rc;
}

int rg_cmsg_end(struct rg_cbuf *b)
{
	b->size += END_ROOM;
	if(put(b, "E %u\n", b->n) < 0)
		return -1;
	return (int)b->len;
}

static int header(struct rg_cur *c, struct rg_chdr *h)
{
	const char *s;
	size_t i, n;

	n = rg_cur_field(c, &s);
	if(n != 3 || memcmp(s, MAGIC, 3) != 0 || rg_cur_next(c, n, 0) < 0)
		return -1;
	n = rg_cur_field(c, &s);
	if(n != 16)
		return -1;
	h->origin = 0;
	for(i = 0; i < 16; i++) {
		h->origin <<= 4;
		if(s[i] >= '0' && s[i] <= '9')
			h->origin |= (uint64_t)(s[i] - '0');
		else if(s[i] >= 'a' && s[i] <= 'f')
			h->origin |= (uint64_t)(s[i] - 'a' + 10);
		else
			return -1;
	}
	if(rg_cur_next(c, n, 0) < 0 || rg_cur_num(c, UINT64_MAX, &h->seq, 0) < 0
			|| h->seq == 0)
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

static int nums(struct rg_cur *c, const uint64_t *max, uint64_t *v, int n)
{
	int i;

	for(i = 0; i < n; i++) {
		if(rg_cur_num(c, max[i], &v[i], i == n - 1) < 0)
			return -1;
	}
	return 0;
}

static const char *record(struct rg_cur *c, struct rg_crec *r)
{
	static const uint64_t bmax[3] = {RG_CMSG_BLOCK_MAX_MS, 2, UINT32_MAX};
	static const uint64_t lmax[3] = {
			(uint64_t)RG_LIMIT_MAX * 1000, RG_LIMIT_MAX, RG_LIMIT_MAX};
	static const uint64_t cmax[2] = {UINT32_MAX, UINT32_MAX};
	/* a demand or a sent rate: at most RG_LIMIT_MAX cps */
	static const uint64_t dmax[2] = {
			(uint64_t)RG_LIMIT_MAX * 1000, (uint64_t)RG_LIMIT_MAX * 1000};
	uint64_t v[3];

	memset(r, 0, sizeof(*r));
	if(c->end - c->p < 1)
		return "empty line";
	r->kind = *c->p;
	if(r->kind == RG_CR_SYNC)
		return rg_cur_is(c, "S") ? NULL : "bad sync line";
	if(rg_cur_next(c, 1, 0) < 0)
		return "bad record";
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
		if(rg_cur_num(c, 1, v, 1) < 0)
			return "bad unblock";
		r->manual = (uint8_t)v[0];
	} else if(r->kind == RG_CR_BLOCK) {
		if(nums(c, bmax, v, 3) < 0 || v[0] == 0)
			return "bad block";
		r->left_ms = v[0];
		r->reason = (uint8_t)v[1];
		r->ra_s = (uint32_t)v[2];
	} else if(r->kind == RG_CR_LIMIT) {
		if(nums(c, lmax, v, 3) < 0 || v[1] == 0)
			return "bad limit";
		r->lim.mcps = (uint32_t)v[0];
		r->lim.burst = (uint32_t)v[1];
		r->lim.max_concurrent = (uint32_t)v[2];
	} else if(r->kind == RG_CR_DEMAND) {
		if(nums(c, dmax, v, 2) < 0)
			return "bad demand";
		r->demand_mcps = (uint32_t)v[0];
		r->recv_mcps = (uint32_t)v[1];
	} else {
		if(nums(c, cmax, v, 2) < 0 || v[0] == 0)
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

int rg_cmsg_parse(const char *buf, size_t len, struct rg_chdr *h,
		void (*each)(const struct rg_crec *r, void *arg), void *arg,
		const char **why)
{
	if(pass(buf, len, h, NULL, NULL, why) < 0)
		return -1;
	return pass(buf, len, h, each, arg, why);
}
