/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_hdr.h"
#include "rg_reason.h"

static int lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* token characters (RFC 3261 25.1) */
static int tokch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		   || (c >= '0' && c <= '9') || (c != '\0' && strchr("-.!%*_+`'~", c));
}

struct cur
{
	const char *p, *end;
};

static void skip_lws(struct cur *c)
{
	while(c->p < c->end && lws(*c->p))
		c->p++;
}

/* a token: its start and length, 0 when there is none */
static size_t token(struct cur *c, const char **t)
{
	*t = c->p;
	while(c->p < c->end && tokch(*c->p))
		c->p++;
	return (size_t)(c->p - *t);
}

/* a quoted-string, the opening quote at c->p: 0, or -1 when unclosed */
static int quoted(struct cur *c)
{
	for(c->p++; c->p < c->end; c->p++) {
		if(*c->p == '\\') {
			if(++c->p >= c->end)
				return -1;
		} else if(*c->p == '"') {
			c->p++;
			return 0;
		}
	}
	return -1;
}

static int name_is(const char *s, size_t n, const char *lit)
{
	return rg_hdr_name_is(s, n, lit);
}

/* 1*DIGIT as a whole value, at most `max`: the number, or -1 */
static long number(const char *s, size_t n, long max)
{
	long v = 0;
	size_t i;

	if(n == 0 || n > 6)
		return -1;
	for(i = 0; i < n; i++) {
		if(s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* one reason-value: its protocol's cause into *got (proto NONE: none) */
static int reason_value(struct cur *c, struct rg_cause *got)
{
	const char *proto, *pn, *pv;
	size_t plen, nlen, vlen;
	enum rg_cause_proto kind;
	long v;

	got->proto = RG_CAUSE_NONE;
	skip_lws(c);
	plen = token(c, &proto);
	if(plen == 0)
		return -1;
	kind = name_is(proto, plen, "q.850")  ? RG_CAUSE_Q850
		   : name_is(proto, plen, "sip") ? RG_CAUSE_SIP
										   : RG_CAUSE_NONE;
	for(;;) {
		skip_lws(c);
		if(c->p >= c->end || *c->p == ',')
			return 0;
		if(*c->p != ';')
			return -1;
		c->p++;
		skip_lws(c);
		nlen = token(c, &pn);
		if(nlen == 0)
			return -1;
		skip_lws(c);
		pv = NULL;
		vlen = 0;
		if(c->p < c->end && *c->p == '=') {
			c->p++;
			skip_lws(c);
			if(c->p < c->end && *c->p == '"') {
				pv = c->p;
				if(quoted(c) < 0)
					return -1;
				vlen = (size_t)(c->p - pv);
			} else {
				/* gen-value: token, host or quoted-string; a host's
				 * characters are tokens' and ':' '[' ']' */
				pv = c->p;
				while(c->p < c->end
						&& (tokch(*c->p) || *c->p == ':' || *c->p == '['
								|| *c->p == ']'))
					c->p++;
				vlen = (size_t)(c->p - pv);
				if(vlen == 0)
					return -1;
			}
		}
		if(!name_is(pn, nlen, "cause"))
			continue;
		if(pv == NULL)
			return -1;
		v = number(pv, vlen, kind == RG_CAUSE_Q850 ? RG_Q850_MAX : 699);
		if(v < 0 || (kind == RG_CAUSE_SIP && v < RG_CODES_MIN))
			return -1;
		if(kind != RG_CAUSE_NONE && got->proto == RG_CAUSE_NONE) {
			got->proto = (uint8_t)kind;
			got->num = (uint16_t)v;
		}
	}
}

static void merge(struct rg_cause *best, const struct rg_cause *c)
{
	if(c->proto == RG_CAUSE_NONE)
		return;
	if(best->proto == RG_CAUSE_NONE
			|| (best->proto == RG_CAUSE_SIP && c->proto == RG_CAUSE_Q850))
		*best = *c;
}

int rg_reason_parse(const char *s, size_t len, struct rg_cause *best)
{
	struct rg_cause mine = {RG_CAUSE_NONE, 0}, got;
	struct cur c = {s, s + len};

	for(;;) {
		if(reason_value(&c, &got) < 0)
			return -1;
		merge(&mine, &got);
		if(c.p >= c.end)
			break;
		c.p++; /* the comma */
	}
	merge(best, &mine);
	return 0;
}

int rg_reason_find(const char *hdrs, size_t len, struct rg_cause *out)
{
	struct rg_hdr_it it;
	const char *name, *v;
	size_t nlen, n;
	int bad = 0;

	out->proto = RG_CAUSE_NONE;
	out->num = 0;
	rg_hdr_begin_only(&it, hdrs, len, "r");
	while(rg_hdr_next(&it, &name, &nlen, &v, &n)) {
		if(rg_hdr_name_is(name, nlen, "reason")
				&& rg_reason_parse(v, n, out) < 0)
			bad++;
	}
	return bad;
}

int rg_cause_q850_parse(const char *list, struct rg_cause_set *set)
{
	const char *p = list, *d;
	long a, b, i;

	memset(set->q850, 0, sizeof(set->q850));
	while(p != NULL && *p != '\0') {
		while(*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if(*p == '\0')
			break;
		for(d = p, a = 0; *p >= '0' && *p <= '9' && a <= RG_Q850_MAX; p++)
			a = a * 10 + (*p - '0');
		if(p == d)
			goto bad;
		b = a;
		if(*p == '-') {
			p++;
			if(*p < '0' || *p > '9')
				goto bad;
			for(b = 0; *p >= '0' && *p <= '9' && b <= RG_Q850_MAX; p++)
				b = b * 10 + (*p - '0');
		}
		if(a > RG_Q850_MAX || b > RG_Q850_MAX || b < a
				|| (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t'))
			goto bad;
		for(i = a; i <= b; i++)
			set->q850[i / 64] |= 1ull << (i % 64);
	}
	return 0;
bad:
	memset(set->q850, 0, sizeof(set->q850));
	return -1;
}

void rg_cause_count(struct rg_cause_counts *cc, const struct rg_cause *c)
{
	unsigned int i;

	if(c->proto == RG_CAUSE_NONE)
		return;
	for(i = 0; i < RG_CAUSE_SLOTS; i++) {
		if(cc->slot[i].proto == RG_CAUSE_NONE) {
			cc->slot[i].proto = c->proto;
			cc->slot[i].num = c->num;
		}
		if(cc->slot[i].proto == c->proto && cc->slot[i].num == c->num) {
			cc->slot[i].n++;
			return;
		}
	}
	cc->other++;
}
