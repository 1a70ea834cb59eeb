/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: a cluster peer's message (rg_cluster_msg.c). The input is
 * read twice: as it comes (it carries no valid HMAC, so nothing may be
 * taken), and signed with the fuzzer's key, so the parser behind the
 * HMAC is reached. A message is taken whole or refused whole; what is
 * taken is within bounds, and written back it reads the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "rg_cluster_msg.h"

#define MAXREC 64

static const unsigned char KEY[] = "fuzzing-key-0123456789";
static const struct rg_ckeys KEYS = {{KEY, NULL}, {sizeof(KEY) - 1, 0}, 1};

static struct rg_crec recs[MAXREC], first[MAXREC];
static int nrec;

static void keep(const struct rg_crec *r, void *arg)
{
	(void)arg;
	if(r->kind != RG_CR_SYNC && r->kind != RG_CR_DIGEST
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

/* `data` with the HMAC line KEY makes of it, into `out` */
static size_t sign(const uint8_t *data, size_t size, char *out)
{
	unsigned char m[32];
	unsigned int mn = 0, i;
	size_t at = size;

	memcpy(out, data, size);
	HMAC(EVP_sha256(), KEY, sizeof(KEY) - 1, data, size, m, &mn);
	out[at++] = 'H';
	out[at++] = ' ';
	for(i = 0; i < 32; i++) {
		sprintf(out + at, "%02x", m[i]);
		at += 2;
	}
	out[at++] = '\n';
	return at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char again[RG_CMSG_MAX];
	static char signed_[RG_CMSG_MAX + 128];
	struct rg_chdr h, h2;
	struct rg_cbuf b;
	const char *why = NULL;
	size_t slen;
	int n, i, len;

	/* as it comes: no key signed it, nothing is taken */
	nrec = 0;
	if(rg_cmsg_parse((const char *)data, size, &KEYS, &h, keep, NULL, &why)
					>= 0
			|| nrec != 0)
		abort();
	if(size > RG_CMSG_MAX)
		return 0;
	slen = sign(data, size, signed_);
	nrec = 0;
	n = rg_cmsg_parse(signed_, slen, &KEYS, &h, keep, NULL, &why);
	if(n < 0) {
		if(nrec != 0 || why == NULL)
			abort();
		return 0;
	}
	if(n != nrec || slen > RG_CMSG_MAX)
		abort();
	if(n > MAXREC)
		return 0;
	memcpy(first, recs, sizeof(recs));
	rg_cmsg_begin(&b, again, sizeof(again), &h);
	for(i = 0; i < n; i++) {
		if(rg_cmsg_add(&b, &first[i]) < 0)
			abort();
	}
	len = rg_cmsg_end(&b, &KEYS);
	nrec = 0;
	if(len < 0
			|| rg_cmsg_parse(again, (size_t)len, &KEYS, &h2, keep, NULL, &why)
					   != n
			|| h2.origin != h.origin || h2.seq != h.seq
			|| h2.chan != h.chan || h2.wall_ms != h.wall_ms
			|| strcmp(h2.node, h.node) != 0
			|| memcmp(first, recs, sizeof(struct rg_crec) * (size_t)n) != 0)
		abort(); /* written back, it reads differently */
	return 0;
}
