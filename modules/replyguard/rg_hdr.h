/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A raw SIP header block, read without Kamailio's parser: the few facts
 * replyguard needs from a reply (Retry-After, whether a 183 carries SDP)
 * cost one pass over the bytes, and no header is parsed that nobody else
 * needs.
 */
#ifndef RG_HDR_H
#define RG_HDR_H

#include <stddef.h>
#include <stdint.h>

struct rg_hdr_it
{
	const char *p;
	const char *end;
	const char *body; /* set once the blank line is reached, else NULL */
	uint32_t only;	  /* bit i: names starting with 'a' + i (any case)
						 are wanted; 0: every header */
};

/* Iterate the header block `hdrs` (the bytes after the start line). */
void rg_hdr_begin(struct rg_hdr_it *it, const char *hdrs, size_t len);

/*
 * The same, for the headers whose name starts with one of the letters
 * of `only` (lowercase, any case in the message): the others are
 * stepped over without looking for their colon.
 */
void rg_hdr_begin_only(
		struct rg_hdr_it *it, const char *hdrs, size_t len, const char *only);

/*
 * The next header: 1 with its name (trailing blanks cut) and its raw value
 * (everything after the colon, folded lines included); 0 at the blank
 * line (it->body points after it) or at the end of the bytes. Lines
 * without a colon are skipped.
 */
int rg_hdr_next(struct rg_hdr_it *it, const char **name, size_t *nlen,
		const char **val, size_t *vlen);

/* 1 when the `len` bytes at `name` are `lit` (lowercase) in any case. */
int rg_hdr_name_is(const char *name, size_t len, const char *lit);


#endif
