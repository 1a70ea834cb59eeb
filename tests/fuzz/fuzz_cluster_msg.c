/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: a cluster peer's message (rg_cluster_msg.c). A message is
 * taken whole or refused whole; what is taken is within bounds, and
 * written back it reads the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_cluster_msg.h"

#define MAXREC 64

static struct rg_crec recs[MAXREC], first[MAXREC];
static int nrec;

static void keep(const struct rg_crec *r, void *arg)
{
	(void)arg;
	if(r->kind != RG_CR_SYNC
			&& (r->key_len <= 0 || r->key_len > RG_KEY_MAX
					|| strlen(r->key) != (size_t)r->key_len))
		abort();
	if(r->kind == RG_CR_BLOCK
			&& (r->left_ms == 0 || r->left_ms > RG_CMSG_BLOCK_MAX_MS))
		abort();
	if(nrec < MAXREC)
		recs[nrec] = *r;
	nrec++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char again[RG_CMSG_MAX];
	struct rg_chdr h, h2;
	struct rg_cbuf b;
	const char *why = NULL;
	int n, i, len;

	nrec = 0;
	n = rg_cmsg_parse((const char *)data, size, &h, keep, NULL, &why);
	if(n < 0) {
		if(nrec != 0 || why == NULL)
			abort();
		return 0;
	}
	if(n != nrec || size > RG_CMSG_MAX)
		abort();
	if(n > MAXREC)
		return 0;
	memcpy(first, recs, sizeof(recs));
	rg_cmsg_begin(&b, again, sizeof(again), &h);
	for(i = 0; i < n; i++) {
		if(rg_cmsg_add(&b, &first[i]) < 0)
			abort();
	}
	len = rg_cmsg_end(&b);
	nrec = 0;
	if(len < 0 || rg_cmsg_parse(again, (size_t)len, &h2, keep, NULL, &why) != n
			|| h2.origin != h.origin || h2.seq != h.seq
			|| strcmp(h2.node, h.node) != 0
			|| memcmp(first, recs, sizeof(struct rg_crec) * (size_t)n) != 0)
		abort(); /* written back, it reads differently */
	return 0;
}
