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
