/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rg_hdr.h"
#include "rg_retry_after.h"

/* comments nest; bound the depth so hostile input cannot cost much */
#define RG_RA_MAX_COMMENT_DEPTH 16

static const char *skip_lws(const char *p, const char *end)
{
	while(p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static const char *parse_delta(const char *p, const char *end, uint64_t *v)
{
	const char *start = p;

	*v = 0;
	while(p < end && *p >= '0' && *p <= '9') {
		*v = *v * 10 + (uint64_t)(*p - '0');
		if(*v > RG_RA_MAX_SECONDS)
			return NULL;
		p++;
	}
	return p == start ? NULL : p;
}

/* p is at '('; returns the byte after the matching ')', NULL if unclosed */
static const char *skip_comment(const char *p, const char *end)
{
	int depth = 0;

	while(p < end) {
		if(*p == '\\') {
			p += 2;
			continue;
		}
		if(*p == '(') {
			if(++depth > RG_RA_MAX_COMMENT_DEPTH)
				return NULL;
		} else if(*p == ')') {
			if(--depth == 0)
				return p + 1;
		}
		p++;
	}
	return NULL;
}

static int is_token_char(char c)
{
	if((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
			|| (c >= '0' && c <= '9'))
		return 1;
	switch(c) {
		case '-': case '.': case '!': case '%': case '*': case '_':
		case '+': case '`': case '\'': case '~':
			return 1;
	}
	return 0;
}

/* Is [n, end) "duration", ignoring ASCII case? */
static int is_duration(const char *n, const char *end)
{
	return rg_hdr_name_is(n, (size_t)(end - n), "duration");
}

/* one `;name[=value]`; p is after the ';'. NULL when malformed. */
static const char *parse_param(
		const char *p, const char *end, int64_t *duration)
{
	const char *name, *name_end;
	uint64_t v;

	p = skip_lws(p, end);
	name = p;
	while(p < end && is_token_char(*p))
		p++;
	if(p == name)
		return NULL;
	name_end = p;
	p = skip_lws(p, end);
	if(p == end || *p != '=')
		return is_duration(name, name_end) ? NULL : p;
	p = skip_lws(p + 1, end);
	if(is_duration(name, name_end)) {
		p = parse_delta(p, end, &v);
		if(p == NULL)
			return NULL;
		*duration = (int64_t)v;
		return p;
	}
	if(p < end && *p == '"') {
		for(p++; p < end && *p != '"'; p++) {
			if(*p == '\\')
				p++;
		}
		return p < end ? p + 1 : NULL;
	}
	name = p;
	while(p < end && (is_token_char(*p) || *p == ':' || *p == '['
							 || *p == ']'))
		p++;
	return p == name ? NULL : p;
}

int rg_retry_after_parse(const char *s, size_t len, struct rg_retry_after *ra)
{
	const char *p, *end;
	uint64_t secs;
	int64_t duration = -1;

	if(s == NULL)
		return -1;
	p = s;
	end = s + len;
	p = skip_lws(p, end);
	p = parse_delta(p, end, &secs);
	if(p == NULL)
		return -1;
	p = skip_lws(p, end);
	if(p < end && *p == '(') {
		p = skip_comment(p, end);
		if(p == NULL)
			return -1;
		p = skip_lws(p, end);
	}
	while(p < end && *p == ';') {
		p = parse_param(p + 1, end, &duration);
		if(p == NULL)
			return -1;
		p = skip_lws(p, end);
	}
	if(p != end)
		return -1;
	ra->seconds = (uint32_t)secs;
	ra->duration = duration;
	return 0;
}

int rg_retry_after_find(
		const char *hdrs, size_t len, const char **val, size_t *vlen)
{
	struct rg_hdr_it it;
	const char *name, *v;
	size_t nlen, n;
	int found = 0;

	*val = NULL;
	*vlen = 0;
	rg_hdr_begin_only(&it, hdrs, len, "r");
	while(rg_hdr_next(&it, &name, &nlen, &v, &n)) {
		if(!rg_hdr_name_is(name, nlen, "retry-after"))
			continue;
		if(found++ == 0) {
			*val = v;
			*vlen = n;
		}
	}
	return found;
}

uint32_t rg_retry_after_jitter(uint32_t secs, unsigned int pct, uint32_t rnd)
{
	uint64_t most;

	if(secs == 0 || pct == 0)
		return secs;
	most = (uint64_t)secs * pct / 100;
	most = (uint64_t)secs + rnd % (most + 1);
	return most > UINT32_MAX ? UINT32_MAX : (uint32_t)most;
}
