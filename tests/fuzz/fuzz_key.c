/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: destination key normalisation (rg_key.c). A key is at most
 * RG_KEY_MAX bytes, NUL-terminated, printable without spaces, and
 * normalising it again gives the same key. The per-process memo
 * (kept across inputs, as a worker keeps it across calls) answers the
 * same as a parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rg_key.h"

static struct rg_key_memo memo;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[RG_KEY_MAX + 1], again[RG_KEY_MAX + 1], memo_out[RG_KEY_MAX + 1];
	char *copy = malloc(size ? size : 1);
	int n, m, i, k;

	if(copy == NULL)
		return 0;
	memcpy(copy, data, size);
	n = rg_key_normalize(copy, size, out);
	/* twice: the second answer may come from the memo */
	for(i = 0; i < 2; i++) {
		struct rg_key_hashes h;

		k = rg_key_normalize_memo_h(&memo, copy, size, memo_out, &h);
		if(k != n || (n > 0 && memcmp(out, memo_out, (size_t)n + 1) != 0))
			abort();
		/* the hashes kept with a key are those of the key and the input */
		if(n > 0
				&& (h.key != rg_fnv1a(out, n, RG_FNV_SEED)
						|| h.raw != rg_fnv1a(copy, (int)size, RG_FNV_SEED)))
			abort();
	}
	free(copy);
	if(n < 0) {
		if(rg_key_strerror(n) == NULL)
			abort();
		return 0;
	}
	if(n == 0 || n > RG_KEY_MAX || out[n] != '\0' || (int)strlen(out) != n)
		abort();
	for(i = 0; i < n; i++) {
		if(out[i] <= ' ' || out[i] > '~')
			abort();
	}
	m = rg_key_normalize(out, (size_t)n, again);
	if(m != n || memcmp(out, again, (size_t)n) != 0)
		abort();
	return 0;
}
