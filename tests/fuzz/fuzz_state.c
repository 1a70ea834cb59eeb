/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: the state file reader (rg_state.c). A file is taken whole
 * or refused whole; every record handed out has a key the module would
 * store, and writing the records back gives a file that reads the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_state.h"

#define MAXREC 64

static struct rg_saved recs[MAXREC], first[MAXREC];
static int nrec;

static void keep(const struct rg_saved *s, void *arg)
{
	char norm[RG_KEY_MAX + 1];

	(void)arg;
	if(s->key_len <= 0 || s->key_len > RG_KEY_MAX
			|| rg_key_normalize(s->key, (size_t)s->key_len, norm) != s->key_len
			|| s->reason > 2 || s->has_limit > 1 || s->throttled > 1)
		abort();
	if(nrec < MAXREC)
		recs[nrec] = *s;
	nrec++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_state_err err;
	char *again, *p;
	size_t cap;
	int n, i, len;

	nrec = 0;
	n = rg_state_parse((const char *)data, size, keep, NULL, &err);
	if(n < 0) {
		if(nrec != 0 || err.what == NULL)
			abort();
		return 0;
	}
	if(n != nrec)
		abort();
	if(n > MAXREC)
		return 0;
	/* written back, it reads the same */
	cap = sizeof(RG_STATE_MAGIC) + (size_t)(n + 1) * RG_STATE_LINE_MAX;
	again = malloc(cap);
	if(again == NULL)
		return 0;
	p = again + sprintf(again, RG_STATE_MAGIC "\n");
	for(i = 0; i < n; i++) {
		len = rg_state_format(&recs[i], p, cap - (size_t)(p - again));
		if(len < 0)
			abort();
		p += len;
	}
	p += rg_state_format_end((unsigned int)n, p, cap - (size_t)(p - again));
	memcpy(first, recs, sizeof(recs));
	nrec = 0;
	if(rg_state_parse(again, (size_t)(p - again), keep, NULL, &err) != n
			|| memcmp(first, recs, sizeof(struct rg_saved) * (size_t)n) != 0)
		abort(); /* written back, the records read differently */
	free(again);
	return 0;
}
