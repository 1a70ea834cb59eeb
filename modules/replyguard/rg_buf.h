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
 * `n` bytes of `s` as a Prometheus label value (no quotes added):
 * backslash, double quote and line feed escaped, as format 0.0.4 asks.
 */
void rg_buf_prom_label(struct rg_buf *b, const char *s, size_t n);

/* A rate in thousandths as a decimal: 2500 -> "2.5", 3000 -> "3". */
void rg_buf_milli(struct rg_buf *b, uint64_t milli);

#endif
