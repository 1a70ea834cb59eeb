/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded text buffer over caller-owned storage, for building JSON and
 * the Prometheus exposition without allocating.
 *
 * Appends never write past `cap - 1` and always leave the text
 * NUL-terminated; once one does not fit, `full` is set and every later
 * append is a no-op, so a caller checks once, at the end.
 */
#ifndef RG_BUF_H
#define RG_BUF_H

#include <stddef.h>
#include <stdint.h>

struct rg_buf
{
	char *s;
	size_t len;
	size_t cap;
	int full;
};

/* Point `b` at `mem` of `cap` bytes (cap >= 1), empty. */
void rg_buf_init(struct rg_buf *b, char *mem, size_t cap);

void rg_buf_add(struct rg_buf *b, const char *s, size_t n);
void rg_buf_puts(struct rg_buf *b, const char *s);
void rg_buf_printf(struct rg_buf *b, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

/* `n` bytes of `s` as the inside of a JSON string (no quotes added). */
void rg_buf_json_str(struct rg_buf *b, const char *s, size_t n);

/*
 * `n` bytes of `s` as HTML text or an attribute value (quoted): & < > "
 * and ' as entities; control characters and bytes >= 0x7f (keys come
 * from SIP traffic) as U+FFFD, never as themselves.
 */
void rg_buf_html_str(struct rg_buf *b, const char *s, size_t n);

/*
 * `n` bytes of `s` as a Prometheus label value (no quotes added):
 * backslash, double quote and line feed escaped, as format 0.0.4 asks.
 */
void rg_buf_prom_label(struct rg_buf *b, const char *s, size_t n);

/*
 * `n` bytes of `s` for a log line: printable ASCII as it is, a backslash
 * doubled, every other byte (control characters, CR/LF, bytes >= 0x7f) as
 * \xNN; at most `max` bytes of `s` are shown, then "...".
 */
void rg_buf_log_str(struct rg_buf *b, const char *s, size_t n, size_t max);

/*
 * rg_buf_log_str into one of a few per-process buffers, for one log line:
 * up to 4 calls may appear in the same line. Never NULL.
 */
const char *rg_log_safe(const char *s, int len);

/*
 * A URL fit for a log line: the userinfo (user:password@) and the query
 * (?token=...) replaced by "***", control characters escaped.
 */
void rg_buf_url_redacted(struct rg_buf *b, const char *url);

/* A rate in thousandths as a decimal: 2500 -> "2.5", 3000 -> "3". */
void rg_buf_milli(struct rg_buf *b, uint64_t milli);

/* A number in tenths with its one decimal: 455 -> "45.5", 1000 -> "100.0". */
void rg_buf_tenth(struct rg_buf *b, uint64_t tenths);

struct rg_fval;

/* A field's value as JSON: a string, true/false, or a number. */
void rg_buf_fval_json(struct rg_buf *b, const struct rg_fval *v);

#endif
