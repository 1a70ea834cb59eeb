/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: a reply's raw header block, as rg_inspect() reads it: the
 * Retry-After scan and grammar (rg_retry_after.c, with rg_hdr.c's header
 * iterator). Input: any bytes. (The SDP answer is fuzz_sdp.c's.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rg_hdr.h"
#include "rg_retry_after.h"

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
	free(copy);
	return 0;
}
