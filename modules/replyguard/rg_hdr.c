/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_hdr.h"

static char lower(char c)
{
	/* no branch: this runs on every byte of the names compared */
	return (char)(c | (((unsigned char)(c - 'A') < 26u) << 5));
}

int rg_hdr_name_is(const char *name, size_t len, const char *lit)
{
	size_t i;

	for(i = 0; i < len; i++) {
		if(lit[i] == '\0' || lower(name[i]) != lit[i])
			return 0;
	}
	return lit[len] == '\0';
}

void rg_hdr_begin(struct rg_hdr_it *it, const char *hdrs, size_t len)
{
	it->p = hdrs;
	it->end = hdrs + len;
	it->body = NULL;
	it->only = 0;
}

void rg_hdr_begin_only(
		struct rg_hdr_it *it, const char *hdrs, size_t len, const char *only)
{
	rg_hdr_begin(it, hdrs, len);
	for(; *only; only++) {
		if(*only >= 'a' && *only <= 'z')
			it->only |= 1u << (*only - 'a');
	}
}

/* does a line starting with `c` (any case) start a header asked for? */
static int wanted(uint32_t only, char c)
{
	unsigned int k = (unsigned int)(unsigned char)(c | 0x20) - 'a';

	return k < 26u && ((only >> k) & 1u);
}

int rg_hdr_next(struct rg_hdr_it *it, const char **name, size_t *nlen,
		const char **val, size_t *vlen)
{
	const char *end = it->end;

	while(it->p < end) {
		const char *line = it->p, *colon, *name_end, *eol = it->p, *nl;

		/*
		 * A line no header asked for starts with is stepped over whole,
		 * and so is each of its folded lines (they start with a blank,
		 * never wanted): the same as skipping the folded header at once.
		 * A blank line (CR or LF first) is the end of the headers.
		 */
		if(it->only != 0 && *line != '\r' && *line != '\n'
				&& !wanted(it->only, *line)) {
			nl = memchr(line, '\n', (size_t)(end - line));
			it->p = nl ? nl + 1 : end;
			continue;
		}
		/* a blank line ends the headers, even before a line that
		 * starts with a blank (no header to continue) */
		if(*line == '\n' || (*line == '\r' && line + 1 < end && line[1] == '\n')) {
			it->body = line + (*line == '\r' ? 2 : 1);
			it->p = end;
			return 0;
		}
		/* the end of this header, folded continuation lines included;
		 * memchr, not a byte loop: this runs on every 183 */
		for(;;) {
			nl = memchr(eol, '\n', (size_t)(end - eol));
			eol = nl ? nl : end;
			if(eol + 1 < end && (eol[1] == ' ' || eol[1] == '\t')) {
				eol++;
				continue;
			}
			break;
		}
		it->p = eol < end ? eol + 1 : end;
		if(eol > line && eol[-1] == '\r')
			eol--;
		if(eol == line) {
			it->body = it->p; /* the blank line: end of headers */
			it->p = end;
			return 0;
		}
		if(it->only != 0 && !wanted(it->only, *line))
			continue; /* "\rx": no blank line, and not asked for */
		colon = memchr(line, ':', (size_t)(eol - line));
		if(colon == NULL)
			continue;
		name_end = colon;
		while(name_end > line && (name_end[-1] == ' ' || name_end[-1] == '\t'))
			name_end--;
		*name = line;
		*nlen = (size_t)(name_end - line);
		*val = colon + 1;
		*vlen = (size_t)(eol - colon - 1);
		return 1;
	}
	return 0;
}

static const char *skip_lws(const char *p, const char *end)
{
	while(p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* application/sdp, then the end, a blank or a ';' */
static int is_sdp_type(const char *v, size_t n)
{
	static const char t[] = "application/sdp";
	const char *end = v + n;
	size_t i;

	v = skip_lws(v, end);
	if((size_t)(end - v) < sizeof(t) - 1)
		return 0;
	/* as senders write it, then in any case */
	if(memcmp(v, t, sizeof(t) - 1) != 0) {
		for(i = 0; i < sizeof(t) - 1; i++) {
			if(lower(v[i]) != t[i])
				return 0;
		}
	}
	v += sizeof(t) - 1;
	return v == end || *v == ';' || *v == ' ' || *v == '\t' || *v == '\r';
}

/* Content-Length's value; -1 when not a number */
static long length_of(const char *v, size_t n)
{
	const char *end = v + n;
	long len = 0;

	v = skip_lws(v, end);
	if(v == end || *v < '0' || *v > '9')
		return -1;
	while(v < end && *v >= '0' && *v <= '9') {
		if(len > 100000000)
			return -1;
		len = len * 10 + (*v++ - '0');
	}
	return len;
}

/*
 * multipart/...: 1 and the boundary parameter's value (unquoted) in
 * `b`/`blen`; else 0.
 */
static int multipart_boundary(
		const char *v, size_t n, const char **b, size_t *blen)
{
	static const char mp[] = "multipart/";
	const char *end = v + n, *p;
	size_t i;

	v = skip_lws(v, end);
	for(i = 0; i < sizeof(mp) - 1; i++) {
		if(v + i >= end || lower(v[i]) != mp[i])
			return 0;
	}
	for(p = v; p + 9 <= end; p++) {
		if(!rg_hdr_name_is(p, 9, "boundary="))
			continue;
		p += 9;
		if(p < end && *p == '"') {
			*b = ++p;
			while(p < end && *p != '"')
				p++;
		} else {
			*b = p;
			while(p < end && *p != ';' && *p != ' ' && *p != '\t'
					&& *p != '\r' && *p != '\n')
				p++;
		}
		*blen = (size_t)(p - *b);
		return *blen > 0;
	}
	return 0;
}

/*
 * A part of a multipart body (SIP-I/SIP-T carriers send ISUP and SDP
 * together) that is application/sdp and not empty.
 */
static int multipart_has_sdp(
		const char *body, size_t len, const char *bnd, size_t blen)
{
	const char *end = body + len, *p = body, *part, *next;
	struct rg_hdr_it it;
	const char *name, *val;
	size_t nlen, vlen;
	int sdp;

	for(;;) {
		/* the next delimiter line: "--" boundary at a line start */
		while(p + 2 + blen <= end
				&& !((p == body || p[-1] == '\n') && p[0] == '-'
						&& p[1] == '-' && memcmp(p + 2, bnd, blen) == 0))
			p++;
		if(p + 2 + blen > end)
			return 0;
		p += 2 + blen;
		if(p + 2 <= end && p[0] == '-' && p[1] == '-')
			return 0; /* the closing delimiter */
		part = memchr(p, '\n', (size_t)(end - p));
		if(part == NULL)
			return 0;
		part++;
		sdp = 0;
		rg_hdr_begin(&it, part, (size_t)(end - part));
		while(rg_hdr_next(&it, &name, &nlen, &val, &vlen)) {
			if(rg_hdr_name_is(name, nlen, "content-type")
					|| rg_hdr_name_is(name, nlen, "c"))
				sdp = is_sdp_type(val, vlen);
		}
		if(it.body == NULL)
			return 0;
		/* the part's content runs to the next delimiter */
		for(next = it.body; next + 2 + blen <= end; next++) {
			if((next == it.body || next[-1] == '\n') && next[0] == '-'
					&& next[1] == '-' && memcmp(next + 2, bnd, blen) == 0)
				break;
		}
		if(sdp && skip_lws(it.body, next) < next)
			return 1;
		p = it.body;
	}
}

/*
 * The names compared on every reply are compared 8 or 4 bytes at a time:
 * OR-ing 0x20 into the bytes that are letters in the lowercase literal
 * maps exactly the two cases of that letter onto it, and leaves the other
 * bytes ('-') as they are. `fold` says which bytes are letters (0x20) and
 * which are not (0x00); literal and fold are read the same way as the
 * message, so the byte order of the machine does not matter.
 */
static uint64_t load8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t load4(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int fold_eq8(const char *p, const char *lit, const char *fold)
{
	return (load8(p) | load8(fold)) == load8(lit);
}

static int fold_eq4(const char *p, const char *lit)
{
	return (load4(p) | load4("\x20\x20\x20\x20")) == load4(lit);
}

/* the first 8 bytes are "content-" in any case (the caller has 8) */
static int is_content_dash(const char *p)
{
	return fold_eq8(p, "content-", "\x20\x20\x20\x20\x20\x20\x20\x00");
}

/*
 * Might the line at `line` start a Content-Type or Content-Length (or
 * their compact c, l)? The other headers (Call-ID, CSeq, Contact, ...)
 * are told apart by their first letters, without looking for the colon.
 * 2: it starts with "content-" (any case), 1: it might, 0: it does not.
 */
static int maybe_content(const char *line, const char *end)
{
	char c = lower(line[0]);

	if(c != 'c' && c != 'l')
		return 0;
	if(end - line < 2)
		return 1;
	if(line[1] == ':' || line[1] == ' ' || line[1] == '\t')
		return 1; /* compact form */
	return (c == 'c' && end - line >= 8 && is_content_dash(line)) ? 2 : 0;
}

/*
 * Of a header name `name` of `n` bytes (12 or 14): 1 Content-Type, 2
 * Content-Length, else 0. When it starts at `checked`, maybe_content()
 * has read its "content-" already (returned 2 for it).
 */
static int content_kind(const char *name, const char *checked, size_t n)
{
	if((checked == NULL || name != checked) && !is_content_dash(name))
		return 0;
	if(n == 12)
		return fold_eq4(name + 8, "type");
	/* "t-length": the '-' is no letter */
	return fold_eq8(name + 6, "t-length",
				   "\x20\x00\x20\x20\x20\x20\x20\x20")
				   ? 2
				   : 0;
}

/*
 * The common case read without the iterator: a line at `p` starting with
 * "content-" (read already) that is Content-Type or Content-Length, with
 * its colon, on one line that is not the last of the bytes. 1 or 2 (the
 * header's kind), its raw value as the iterator gives it and the next
 * line; 0 for anything else (the iterator reads it then).
 */
static int content_line(const char *p, const char *end, const char **val,
		size_t *vlen, const char **next)
{
	const char *q = p + 8, *nl, *eol;
	int kind;

	if(end - q >= 4 && fold_eq4(q, "type")) {
		kind = 1;
		q += 4;
	} else if(end - q >= 6 && fold_eq4(q, "leng") && lower(q[4]) == 't'
			  && lower(q[5]) == 'h') {
		kind = 2;
		q += 6;
	} else
		return 0;
	while(q < end && (*q == ' ' || *q == '\t'))
		q++;
	if(q == end || *q != ':')
		return 0;
	nl = memchr(q, '\n', (size_t)(end - q));
	if(nl == NULL || nl + 1 >= end || nl[1] == ' ' || nl[1] == '\t')
		return 0; /* folded, or at the end of the bytes */
	eol = nl[-1] == '\r' ? nl - 1 : nl;
	*val = q + 1;
	*vlen = (size_t)(eol - q - 1);
	*next = nl + 1;
	return kind;
}

int rg_hdr_has_sdp(const char *hdrs, size_t len)
{
	struct rg_hdr_it it;
	const char *name, *val, *bnd = NULL, *p = hdrs, *end = hdrs + len;
	const char *nl, *body = NULL, *p0;
	size_t nlen, vlen, blen = 0;
	long clen = -1, avail;
	int ctype = -1; /* -1 absent, 0 other, 1 SDP, 2 multipart */
	int kind;		/* of a header: 1 Content-Type, 2 Content-Length */
	int seen;

	/*
	 * This runs on every first 183. A line that cannot start one of the
	 * two headers is stepped over with one memchr (its folded lines too:
	 * they start with a blank); a plain Content-Type or Content-Length
	 * line is read on the spot, and any other line that might be one is
	 * read by the iterator, which gives exactly what a walk of every
	 * header would.
	 */
	while(p < end) {
		if(*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			body = p + (*p == '\r' ? 2 : 1); /* the blank line */
			break;
		}
		if(!(seen = maybe_content(p, end))) {
			nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
			continue;
		}
		if(seen == 2 && (kind = content_line(p, end, &val, &vlen, &p)) > 0)
			goto value;
		p0 = seen == 2 ? p : NULL;
		rg_hdr_begin(&it, p, (size_t)(end - p));
		if(!rg_hdr_next(&it, &name, &nlen, &val, &vlen)) {
			body = it.body;
			break;
		}
		p = it.p;
		if(nlen == 1)
			kind = lower(name[0]) == 'c' ? 1 : lower(name[0]) == 'l' ? 2 : 0;
		else if(nlen == 12 || nlen == 14)
			kind = content_kind(name, p0, nlen);
		else
			continue;
	value:
		if(kind == 1) {
			ctype = is_sdp_type(val, vlen);
			if(!ctype && multipart_boundary(val, vlen, &bnd, &blen))
				ctype = 2;
		} else if(kind == 2)
			clen = length_of(val, vlen);
	}
	if(ctype == 0)
		return 0;
	avail = body ? (long)(end - body) : 0;
	if(clen < 0)
		clen = avail;
	if(ctype == 2) /* its parts are read: never past the bytes there are */
		return avail > 0
			   && multipart_has_sdp(body,
					   (size_t)(clen < avail ? clen : avail), bnd, blen);
	return clen > 0;
}
