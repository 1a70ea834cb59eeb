/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rg_buf.h"
#include "rg_fields.h"

void rg_buf_init(struct rg_buf *b, char *mem, size_t cap)
{
	b->s = mem;
	b->len = 0;
	b->cap = cap;
	b->full = cap == 0;
	if(cap > 0)
		mem[0] = '\0';
}

void rg_buf_add(struct rg_buf *b, const char *s, size_t n)
{
	if(b->full)
		return;
	if(n >= b->cap - b->len) {
		b->full = 1;
		return;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void rg_buf_puts(struct rg_buf *b, const char *s)
{
	rg_buf_add(b, s, strlen(s));
}

void rg_buf_printf(struct rg_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if(b->full)
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, room, fmt, ap);
	va_end(ap);
	if(n < 0 || (size_t)n >= room) {
		b->s[b->len] = '\0';
		b->full = 1;
		return;
	}
	b->len += (size_t)n;
}

void rg_buf_json_str(struct rg_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, from = 0;
	char esc[7];

	for(i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if(c >= 0x20 && c != '"' && c != '\\')
			continue;
		rg_buf_add(b, s + from, i - from);
		from = i + 1;
		if(c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			rg_buf_add(b, esc, 2);
		} else {
			/* esc is 6 bytes of output, not a C string */
			/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			rg_buf_add(b, esc, 6);
		}
	}
	rg_buf_add(b, s + from, n - from);
}

void rg_buf_html_str(struct rg_buf *b, const char *s, size_t n)
{
	size_t i, from = 0;
	const char *ent;

	for(i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch(c) {
			case '&':
				ent = "&amp;";
				break;
			case '<':
				ent = "&lt;";
				break;
			case '>':
				ent = "&gt;";
				break;
			case '"':
				ent = "&quot;";
				break;
			case '\'':
				ent = "&#39;";
				break;
			default:
				if(c >= 0x20 && c < 0x7f)
					continue;
				ent = "&#xFFFD;";
				break;
		}
		rg_buf_add(b, s + from, i - from);
		from = i + 1;
		rg_buf_puts(b, ent);
	}
	rg_buf_add(b, s + from, n - from);
}

void rg_buf_prom_label(struct rg_buf *b, const char *s, size_t n)
{
	size_t i, from = 0;

	for(i = 0; i < n; i++) {
		if(s[i] != '\\' && s[i] != '"' && s[i] != '\n')
			continue;
		rg_buf_add(b, s + from, i - from);
		from = i + 1;
		rg_buf_add(b, s[i] == '\n' ? "\\n" : s[i] == '"' ? "\\\"" : "\\\\", 2);
	}
	rg_buf_add(b, s + from, n - from);
}

void rg_buf_milli(struct rg_buf *b, uint64_t milli)
{
	unsigned int frac = (unsigned int)(milli % 1000);

	if(frac == 0) {
		rg_buf_printf(b, "%llu", (unsigned long long)(milli / 1000));
		return;
	}
	while(frac % 10 == 0)
		frac /= 10;
	/* 2050 -> "2.05": print the thousandths with their leading zeros */
	if(milli % 1000 < 10)
		rg_buf_printf(b, "%llu.00%u", (unsigned long long)(milli / 1000), frac);
	else if(milli % 1000 < 100)
		rg_buf_printf(b, "%llu.0%u", (unsigned long long)(milli / 1000), frac);
	else
		rg_buf_printf(b, "%llu.%u", (unsigned long long)(milli / 1000), frac);
}

void rg_buf_log_str(struct rg_buf *b, const char *s, size_t n, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	char esc[4] = {'\\', 'x', 0, 0};
	size_t i;

	for(i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if(c == '\\')
			rg_buf_add(b, "\\\\", 2);
		else if(c >= 0x20 && c < 0x7f)
			rg_buf_add(b, (const char *)&s[i], 1);
		else {
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			rg_buf_add(b, esc, 4);
		}
	}
	if(n > max)
		rg_buf_add(b, "...", 3);
}

/* a log line shows at most this much of one value */
#define RG_LOG_SHOWN 64

const char *rg_log_safe(const char *s, int len)
{
	static char mem[4][RG_LOG_SHOWN * 4 + 8];
	static unsigned int next;
	struct rg_buf b;
	char *out = mem[next++ % 4];

	rg_buf_init(&b, out, sizeof(mem[0]));
	if(s != NULL && len > 0)
		rg_buf_log_str(&b, s, (size_t)len, RG_LOG_SHOWN);
	return out;
}

void rg_buf_url_redacted(struct rg_buf *b, const char *url)
{
	const char *host, *end, *at, *q;

	host = strstr(url, "://");
	host = host ? host + 3 : url;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	/* the user part may itself hold an '@' percent-encoded or not */
	while(at != NULL) {
		q = memchr(at + 1, '@', (size_t)(end - at - 1));
		if(q == NULL)
			break;
		at = q;
	}
	rg_buf_log_str(b, url, (size_t)(host - url), SIZE_MAX);
	if(at != NULL) {
		rg_buf_puts(b, "***");
		host = at;
	}
	q = strchr(host, '?');
	if(q == NULL) {
		rg_buf_log_str(b, host, strlen(host), SIZE_MAX);
		return;
	}
	rg_buf_log_str(b, host, (size_t)(q - host), SIZE_MAX);
	rg_buf_puts(b, "?***");
}

void rg_buf_tenth(struct rg_buf *b, uint64_t tenths)
{
	rg_buf_printf(b, "%llu.%u", (unsigned long long)(tenths / 10),
			(unsigned int)(tenths % 10));
}

void rg_buf_fval_json(struct rg_buf *b, const struct rg_fval *v)
{
	switch(v->type) {
		case RG_FV_STR:
			rg_buf_puts(b, "\"");
			rg_buf_json_str(b, v->str, strlen(v->str));
			rg_buf_puts(b, "\"");
			return;
		case RG_FV_BOOL:
			rg_buf_puts(b, v->num ? "true" : "false");
			return;
		case RG_FV_MILLI:
			rg_buf_milli(b, v->num);
			return;
		case RG_FV_TENTH:
			rg_buf_tenth(b, v->num);
			return;
		case RG_FV_INT:
			rg_buf_printf(b, "%lld", (long long)rg_fval_int(v));
			return;
		case RG_FV_UINT:
			rg_buf_printf(b, "%llu", (unsigned long long)v->num);
			return;
	}
}
