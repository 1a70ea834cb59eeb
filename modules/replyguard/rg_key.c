/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_key.h"

/* byte classes, one lookup each: every call's key goes through here */
#define C_DIGIT 0x01
#define C_ALPHA 0x02
#define C_HOST 0x04 /* a host name's: letters, digits, '-', '.' */
#define C_CTL 0x08	/* below 0x20 or from 0x7f: not in a key */
static const unsigned char cls[256] = {
		[0x00 ... 0x1f] = C_CTL,
		['0' ... '9'] = C_DIGIT | C_HOST,
		['A' ... 'Z'] = C_ALPHA | C_HOST,
		['a' ... 'z'] = C_ALPHA | C_HOST,
		['-'] = C_HOST,
		['.'] = C_HOST,
		[0x7f ... 0xff] = C_CTL,
};

static inline char lower(char c)
{
	return (char)(c | (((unsigned char)(c - 'A') < 26u) << 5));
}

static inline int is_digit(char c)
{
	return cls[(unsigned char)c] & C_DIGIT;
}

static inline int is_alnum(char c)
{
	return cls[(unsigned char)c] & (C_DIGIT | C_ALPHA);
}

/* Case-insensitive: does [p, end) start with the lowercase `lit`? */
static int starts_with_ci(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	size_t i;

	if((size_t)(end - p) < n)
		return 0;
	for(i = 0; i < n; i++) {
		if(lower(p[i]) != lit[i])
			return 0;
	}
	return 1;
}

/* Append [s, s+n) to out at *pos, lowercased when `fold`; -1 if too long. */
static int put(char *out, size_t *pos, const char *s, size_t n, int fold)
{
	size_t i;

	if(*pos + n > RG_KEY_MAX)
		return -1;
	for(i = 0; i < n; i++)
		out[(*pos)++] = fold ? lower(s[i]) : s[i];
	return 0;
}

static int normalize_name(const char *p, const char *end, char *out)
{
	size_t n = (size_t)(end - p);
	size_t i;

	if(n > RG_KEY_MAX)
		return RG_KEY_ETOOLONG;
	for(i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if(c <= 0x20 || c >= 0x7f)
			return RG_KEY_EBADCHAR;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return (int)n;
}

/*
 * Find the `transport` URI parameter in [p, end) (which starts after the
 * host and port, at ';' or '?'), and return its value through val/vlen.
 */
static void find_transport(
		const char *p, const char *end, const char **val, size_t *vlen)
{
	*val = NULL;
	*vlen = 0;
	while(p < end && *p == ';') {
		const char *name = ++p;
		const char *eq = NULL;
		while(p < end && *p != ';' && *p != '?') {
			if(*p == '=' && !eq)
				eq = p;
			p++;
		}
		if(eq && eq - name == 9 && starts_with_ci(name, eq, "transport")) {
			*val = eq + 1;
			*vlen = (size_t)(p - eq - 1);
		}
	}
}

/* ":<port>" into `num` (8 bytes): its length. No printf: every call's
 * key goes through here. */
static size_t port_text(unsigned long port, char num[8])
{
	char rev[5];
	size_t n = 0, k = 0;

	do {
		rev[n++] = (char)('0' + port % 10);
		port /= 10;
	} while(port != 0 && n < sizeof(rev));
	num[k++] = ':';
	while(n > 0)
		num[k++] = rev[--n];
	return k;
}

static int normalize_uri(
		const char *p, const char *end, int secure, char *out)
{
	const char *host, *host_end, *at, *q;
	unsigned long port;
	const char *tval;
	size_t tlen, pos = 0, i, nlen;
	char num[8];

	/* user part: the last '@' before any parameter or header separator
	 * (a next hop seldom has one: one memchr says so) */
	at = NULL;
	if(memchr(p, '@', (size_t)(end - p)) != NULL) {
		for(q = p; q < end && *q != ';' && *q != '?'; q++) {
			if(*q == '@')
				at = q;
		}
	}
	if(at)
		p = at + 1;

	host = p;
	if(p < end && *p == '[') {
		while(p < end && *p != ']') {
			if(p > host && !(is_alnum(*p) || *p == ':' || *p == '.'))
				return RG_KEY_EBADHOST;
			p++;
		}
		if(p == end || p - host < 3)
			return RG_KEY_EBADHOST;
		p++;
	} else {
		while(p < end && (cls[(unsigned char)*p] & C_HOST))
			p++;
		if(p == host)
			return RG_KEY_EBADHOST;
	}
	host_end = p;

	port = secure ? 5061 : 5060;
	if(p < end && *p == ':') {
		const char *digits = ++p;
		port = 0;
		while(p < end && is_digit(*p)) {
			port = port * 10 + (unsigned long)(*p - '0');
			if(port > 65535)
				return RG_KEY_EBADPORT;
			p++;
		}
		if(p == digits || port == 0)
			return RG_KEY_EBADPORT;
	}
	if(p < end && *p != ';' && *p != '?')
		return RG_KEY_EBADHOST;

	find_transport(p, end, &tval, &tlen);
	for(i = 0; i < tlen; i++) {
		if(!is_alnum(tval[i]) && tval[i] != '-')
			return RG_KEY_EBADCHAR;
	}

	nlen = port_text(port, num);
	if(put(out, &pos, secure ? "sips:" : "sip:", secure ? 5 : 4, 0) < 0
			|| put(out, &pos, host, (size_t)(host_end - host), 1) < 0
			|| put(out, &pos, num, nlen, 0) < 0)
		return RG_KEY_ETOOLONG;
	if(tlen > 0 && !(tlen == 3 && starts_with_ci(tval, tval + 3, "udp"))) {
		if(put(out, &pos, ";transport=", 11, 0) < 0
				|| put(out, &pos, tval, tlen, 1) < 0)
			return RG_KEY_ETOOLONG;
	}
	out[pos] = '\0';
	return (int)pos;
}

int rg_key_normalize(const char *in, size_t len, char *out)
{
	const char *p, *end;

	if(in == NULL)
		return RG_KEY_EEMPTY;
	p = in;
	end = in + len;
	while(p < end && (*p == ' ' || *p == '\t'))
		p++;
	while(end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if(p == end)
		return RG_KEY_EEMPTY;
	/* bound the work on absurd input before looking inside it */
	if((size_t)(end - p) > (size_t)4 * RG_KEY_MAX)
		return RG_KEY_ETOOLONG;
	for(const char *q = p; q < end; q++) {
		if(cls[(unsigned char)*q] & C_CTL)
			return RG_KEY_EBADCHAR;
	}

	if(starts_with_ci(p, end, "sip:"))
		return normalize_uri(p + 4, end, 0, out);
	if(starts_with_ci(p, end, "sips:"))
		return normalize_uri(p + 5, end, 1, out);
	return normalize_name(p, end, out);
}

int rg_key_normalize_memo_h(struct rg_key_memo *m, const char *in,
		size_t len, char *out, struct rg_key_hashes *h)
{
	struct rg_key_hashes mine;
	unsigned int i;
	int n;

	if(in == NULL)
		return rg_key_normalize(in, len, out); /* its error */
	if(len > 0 && len <= RG_KEY_MEMO_RAW) {
		for(i = 0; i < RG_KEY_MEMO_N; i++) {
			if(m->e[i].raw_len == len && memcmp(m->e[i].raw, in, len) == 0) {
				memcpy(out, m->e[i].key, (size_t)m->e[i].key_len + 1);
				if(h != NULL) {
					h->key = m->e[i].key_hash;
					h->raw = m->e[i].raw_hash;
				}
				return m->e[i].key_len;
			}
		}
	}
	n = rg_key_normalize(in, len, out);
	if(n <= 0)
		return n;
	if(h == NULL)
		h = &mine;
	h->key = rg_key_hash(out, n);
	h->raw = rg_key_hash(in, (int)len);
	if(len <= RG_KEY_MEMO_RAW) {
		i = m->next++ % RG_KEY_MEMO_N;
		m->e[i].raw_len = (uint8_t)len;
		m->e[i].key_len = (uint8_t)n;
		m->e[i].key_hash = h->key;
		m->e[i].raw_hash = h->raw;
		memcpy(m->e[i].raw, in, len);
		memcpy(m->e[i].key, out, (size_t)n + 1);
	}
	return n;
}

int rg_key_normalize_memo(
		struct rg_key_memo *m, const char *in, size_t len, char *out)
{
	return rg_key_normalize_memo_h(m, in, len, out, NULL);
}

const char *rg_key_strerror(int err)
{
	switch(err) {
		case RG_KEY_EEMPTY:
			return "empty destination";
		case RG_KEY_ETOOLONG:
			return "destination longer than 127 bytes";
		case RG_KEY_EBADCHAR:
			return "destination has a space or non-printable byte";
		case RG_KEY_EBADHOST:
			return "destination URI has no valid host";
		case RG_KEY_EBADPORT:
			return "destination URI has an invalid port";
		default:
			return "invalid destination";
	}
}

int rg_key_hop_is(const char *key, int klen, const char *uri, int ulen,
		const char *duri, int dlen)
{
	char norm[RG_KEY_MAX + 1];
	int n;

	if(duri != NULL && dlen > 0) {
		uri = duri;
		ulen = dlen;
	}
	if(uri == NULL || ulen <= 0)
		return 0;
	n = rg_key_normalize(uri, (size_t)ulen, norm);
	return n > 0 && n == klen && memcmp(norm, key, (size_t)n) == 0;
}
