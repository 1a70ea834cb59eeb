/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: a reply's raw header block, as rg_inspect() reads it: the
 * Retry-After scan and grammar (rg_retry_after.c) and the SDP check
 * (rg_hdr.c), checked against a plain walk of every header with the
 * iterator (the SDP check reads most lines without it). Input: any bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rg_hdr.h"
#include "rg_retry_after.h"

static int lc(char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static const char *lws(const char *p, const char *end)
{
	while(p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/*
 * The SDP check as its documentation says it, one header at a time: -1
 * when the body is multipart (the parts are not walked here), else 0/1.
 */
static int ref_has_sdp(const char *hdrs, size_t len)
{
	static const char t[] = "application/sdp", mp[] = "multipart/";
	struct rg_hdr_it it;
	const char *name, *val, *v, *ve, *end = hdrs + len;
	size_t nlen, vlen, i;
	long clen = -1, avail;
	int ctype = -1;

	rg_hdr_begin(&it, hdrs, len);
	while(rg_hdr_next(&it, &name, &nlen, &val, &vlen)) {
		v = lws(val, val + vlen);
		ve = val + vlen;
		if(rg_hdr_name_is(name, nlen, "content-type")
				|| rg_hdr_name_is(name, nlen, "c")) {
			ctype = (size_t)(ve - v) >= sizeof(t) - 1;
			for(i = 0; ctype && i < sizeof(t) - 1; i++)
				ctype = lc(v[i]) == t[i];
			if(ctype) {
				v += sizeof(t) - 1;
				ctype = v == ve || *v == ';' || *v == ' ' || *v == '\t'
						|| *v == '\r';
			} else {
				ctype = (size_t)(ve - v) >= sizeof(mp) - 1 ? 2 : 0;
				for(i = 0; ctype && i < sizeof(mp) - 1; i++)
					ctype = lc(v[i]) == mp[i] ? 2 : 0;
				if(ctype == 2)
					return -1;
			}
		} else if(rg_hdr_name_is(name, nlen, "content-length")
				  || rg_hdr_name_is(name, nlen, "l")) {
			clen = -1;
			if(v < ve && *v >= '0' && *v <= '9') {
				clen = 0;
				while(v < ve && *v >= '0' && *v <= '9' && clen >= 0) {
					clen = clen > 100000000 ? -1 : clen * 10 + (*v - '0');
					v++;
				}
			}
		}
	}
	if(ctype == 0)
		return 0;
	avail = it.body ? (long)(end - it.body) : 0;
	if(clen < 0)
		clen = avail;
	return clen > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_retry_after ra;
	const char *val;
	size_t vlen;
	char *copy;
	int n;

	/* an exact-size heap copy: ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if(copy == NULL)
		return 0;
	memcpy(copy, data, size);
	n = rg_retry_after_find(copy, size, &val, &vlen);
	if(n > 0) {
		if(val < copy || val + vlen > copy + size)
			abort();
		if(rg_retry_after_parse(val, vlen, &ra) == 0
				&& ra.seconds > RG_RA_MAX_SECONDS)
			abort();
	} else if(n < 0) {
		abort();
	}
	/* the whole input as one value, too */
	if(rg_retry_after_parse(copy, size, &ra) == 0 && ra.duration < -1)
		abort();
	n = rg_hdr_has_sdp(copy, size);
	if(n != 0 && n != 1)
		abort();
	{
		int want = ref_has_sdp(copy, size);

		if(want >= 0 && n != want)
			abort();
	}
	free(copy);
	return 0;
}
