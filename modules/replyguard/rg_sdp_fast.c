/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_sdp_fast.h"

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* `n` bytes at `s` are `lit` (lowercase), in any case */
static int is(const char *s, int n, const char *lit)
{
	int i;

	if(n != (int)strlen(lit))
		return 0;
	for(i = 0; i < n; i++)
		if(lower(s[i]) != lit[i])
			return 0;
	return 1;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		   || (c >= '0' && c <= '9') || c == '-';
}

int rg_sdpf_is_sdp(const char *v, int len)
{
	const char *e = v + len;

	/* decode_mime_type(): blanks, type/subtype, blanks, then the end */
	while(v < e && (*v == ' ' || *v == '\t'))
		v++;
	while(e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return is(v, (int)(e - v), "application/sdp");
}

/* SP/HT* 1..9 digits SP/HT*: what parse_content_length() takes plainly */
static int plain_length(const char *v, const char *e)
{
	int n = 0;

	while(v < e && (*v == ' ' || *v == '\t'))
		v++;
	while(v < e && *v >= '0' && *v <= '9') {
		v++;
		n++;
	}
	while(v < e && (*v == ' ' || *v == '\t'))
		v++;
	return v == e && n > 0 && n <= 9;
}

/* what a header's name makes of it here */
enum hname
{
	H_OTHER,   /* its value is not read by the parser */
	H_PARSED,  /* Via, To, CSeq, Retry-After, From (Kamailio 6 reads it):
				  the parser reads its value */
	H_LENGTH,  /* Content-Length */
	H_TYPE	   /* Content-Type */
};

/* the name's kind, by its length and first letter before any compare */
static enum hname kind(const char *p, int n)
{
	switch(n) {
		case 1:
			switch(lower(*p)) {
				case 'v':
				case 't':
				case 'f':
					return H_PARSED;
				case 'l':
					return H_LENGTH;
				case 'c':
					return H_TYPE;
				default:
					return H_OTHER;
			}
		case 2:
			return is(p, n, "to") ? H_PARSED : H_OTHER;
		case 3:
			return is(p, n, "via") ? H_PARSED : H_OTHER;
		case 4:
			return (is(p, n, "cseq") || is(p, n, "from")) ? H_PARSED : H_OTHER;
		case 11:
			return is(p, n, "retry-after") ? H_PARSED : H_OTHER;
		case 12:
			return is(p, n, "content-type") ? H_TYPE : H_OTHER;
		case 14:
			return is(p, n, "content-length") ? H_LENGTH : H_OTHER;
		default:
			return H_OTHER;
	}
}

int rg_sdpf_headers(const char *p, const char *end, int *ct, const char **body)
{
	const char *q, *v, *nl;
	enum hname k;

	while(p < end) {
		/* get_hdr_field(): a line starting with CR or LF ends the headers;
		 * get_body() skips a CRLF there */
		if(*p == '\r') {
			if(p + 1 < end && p[1] == '\n') {
				*body = p + 2;
				return 1;
			}
			return RG_SDPF_UNSURE;
		}
		for(q = p; q < end && name_char(*q); q++)
			;
		if(q == p || q >= end || *q != ':')
			return RG_SDPF_UNSURE;
		v = q + 1;
		nl = memchr(v, '\n', (size_t)(end - v));
		/* one line, CRLF-ended, not folded, not the last */
		if(nl == NULL || nl == v || nl[-1] != '\r' || nl + 1 >= end
				|| nl[1] == ' ' || nl[1] == '\t')
			return RG_SDPF_UNSURE;
		/* headers whose values the parser reads (get_hdr_field()) */
		k = kind(p, (int)(q - p));
		if(k == H_PARSED || (k == H_LENGTH && !plain_length(v, nl - 1)))
			return RG_SDPF_UNSURE;
		/* the first Content-Type is the one parse_content_type_hdr() reads */
		if(k == H_TYPE && *ct < 0)
			*ct = rg_sdpf_is_sdp(v, (int)(nl - 1 - v));
		p = nl + 1;
	}
	return RG_SDPF_UNSURE;
}

/* eat_line() */
static const char *eat_line(const char *b, unsigned int len)
{
	const char *nl = len ? memchr(b, '\n', len) : NULL;

	if(nl == NULL)
		return b + len;
	if(nl + 1 < b + len)
		nl++;
	if(nl + 1 < b + len && *nl == '\r')
		nl++;
	return nl;
}

/* find_sdp_line(): the first "c=" whose byte before is CR or LF */
static const char *find_line(const char *p, const char *lim, char c)
{
	const char *q;

	while(p < lim) {
		q = memchr(p, c, (size_t)(lim - p));
		if(q == NULL || q + 1 >= lim)
			return NULL;
		if(q[1] != '=') {
			p = q + 1;
			continue;
		}
		if(q[-1] == '\n' || q[-1] == '\r')
			return q;
		p = q + 2;
	}
	return NULL;
}

/* find_next_sdp_line(): from the line after `p`, or `lim` */
static const char *find_next(const char *p, const char *lim, char c)
{
	const char *t;

	if(p >= lim || lim - p < 3)
		return lim;
	t = find_line(p + 2, lim, c);
	return t ? t : lim;
}

static const char *space_end(const char *p, const char *e)
{
	while(p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *token_end(const char *p, const char *e)
{
	while(p < e && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
		p++;
	return p;
}

/* the line at `s` (its "x=" skipped) to `lim`, as trim_len() leaves it */
static int line_of(const char *s, const char *lim, const char **b)
{
	const char *a = s + 2;
	int len = (int)(eat_line(a, (unsigned int)(lim - a)) - a);
	char c;

	while(len > 0
			&& ((c = a[len - 1]) == 0 || c == '\r' || c == '\n' || c == ' '
					|| c == '\t'))
		len--;
	while(len > 0 && (*a == ' ' || *a == '\t')) {
		len--;
		a++;
	}
	*b = a;
	return len;
}

/* extract_mediaip() of the line at `s` (an "o=" or "c=" line start) */
static int mediaip_ok(const char *s, const char *lim)
{
	const char *a, *e, *cp;
	int len = line_of(s, lim, &a);

	if(len == 0)
		return 0;
	e = a + len;
	/* the last " IP" in it */
	for(cp = e - 3; cp >= a; cp--)
		if(cp[0] == ' ' && cp[1] == 'I' && cp[2] == 'P')
			break;
	if(cp < a)
		return 0;
	/* (the address type first: the parser's order reads cp[4] past the
	 * line when " IP" ends it; the answer is the same) */
	if(cp[3] != '4' && cp[3] != '6')
		return 0;
	if(cp + 6 > e && cp[4] != ' ')
		return 0;
	cp = space_end(cp + 5, e);
	return token_end(cp, e) != cp;
}

/* extract_media_attr() of the m= line at `s`, up to `lim` */
static int media_ok(const char *s, const char *lim)
{
	const char *a, *cp;
	int len = line_of(s, lim, &a), tlen;

	/* media */
	cp = token_end(a, a + len);
	len -= (int)(cp - a);
	if(len <= 0 || cp == a)
		return 0;
	a = cp;
	cp = space_end(a, a + len);
	len -= (int)(cp - a);
	if(len <= 0 || cp == a)
		return 0;
	/* port */
	a = cp;
	cp = token_end(a, a + len);
	tlen = len - (int)(cp - a);
	if(tlen <= 0 || cp == a)
		return 0;
	/* transport */
	a = cp;
	cp = space_end(a, a + tlen);
	tlen -= (int)(cp - a);
	if(tlen <= 0 || cp == a)
		return 0;
	a = cp;
	return token_end(a, a + tlen) != a;
}

int rg_sdpf_session(const char *s, int len)
{
	const char *lim = s + len, *o1p, *m1p, *m2p, *c1p, *c2p;

	/* parse_sdp_session(): v=, then o=, then m= */
	o1p = find_line(s, lim, 'v');
	if(o1p == NULL || (o1p = find_line(o1p, lim, 'o')) == NULL
			|| (m1p = find_line(o1p, lim, 'm')) == NULL)
		return 0;
	/* extract_sess_version(): the o= line, 15 bytes at least */
	if(eat_line(o1p, (unsigned int)(m1p - o1p)) - o1p < 15)
		return 0;
	if(!mediaip_ok(o1p, lim))
		return 0;
	c1p = find_line(o1p, m1p, 'c');
	if(c1p != NULL && !mediaip_ok(c1p, lim))
		return 0;
	for(m2p = m1p; m2p < lim;) {
		m1p = m2p;
		m2p = find_next(m1p, lim, 'm');
		c2p = find_line(m1p, m2p, 'c');
		if(c2p != NULL ? !mediaip_ok(c2p, lim) : c1p == NULL)
			return 0;
		if(!media_ok(m1p, m2p))
			return 0;
	}
	return 1;
}
