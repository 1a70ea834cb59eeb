/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the module's own line formats (the state file, the cluster's
 * messages): one line at a time, fields separated by exactly one space,
 * numbers in canonical decimal, keys as the module stores them. Whatever
 * else is there is refused, so a reader never accepts what the writer
 * would not write.
 */
#ifndef RG_TEXT_H
#define RG_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* a cursor over one line, without its newline */
struct rg_cur
{
	const char *p, *end;
};

/*
 * The next line of [*pos, end) into `c`, and *pos past its newline:
 * 1, or 0 when there is no complete line (none left, or no newline).
 */
int rg_cur_line(const char **pos, const char *end, struct rg_cur *c);

/* The next field (up to a space or the line's end): its length. */
size_t rg_cur_field(struct rg_cur *c, const char **start);

/*
 * Step over `n` bytes and the one space after them (`last`: the line
 * must end there instead). 0 or -1.
 */
int rg_cur_next(struct rg_cur *c, size_t n, int last);

/* A canonical decimal number no greater than `max`. 0 or -1. */
int rg_cur_num(struct rg_cur *c, uint64_t max, uint64_t *v, int last);

/*
 * A destination key as the module stores it (rg_key.h), copied into
 * `out` (RG_KEY_MAX + 1 bytes, NUL-terminated): its length, or -1.
 */
int rg_cur_key(struct rg_cur *c, char *out, int last);

/* 16 lowercase hex digits (an id). 0 or -1. */
int rg_cur_hex64(struct rg_cur *c, uint64_t *v, int last);

/* Is the rest of the line exactly `word`? */
int rg_cur_is(const struct rg_cur *c, const char *word);

#endif
