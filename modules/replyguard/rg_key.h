/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Destination keys.
 *
 * A SIP or SIPS URI is reduced to the address it routes to:
 * `sip:host:port`, host lowercased, the default port (5060, or 5061 for
 * sips) made explicit, user part, parameters and headers dropped, and
 * `;transport=` kept only when it is not UDP. So `sip:1.2.3.4`,
 * `sip:1.2.3.4:5060` and `sip:bob@1.2.3.4;transport=UDP` are one key.
 *
 * Anything else is a name the script chose (a carrier, a group) and is
 * kept as given, but must be printable ASCII without spaces.
 */
#ifndef RG_KEY_H
#define RG_KEY_H

#include <stddef.h>
#include <stdint.h>

/* Longest key stored, in bytes, not counting the terminating NUL. */
#define RG_KEY_MAX 127

#define RG_FNV_SEED 2166136261u

/* FNV-1a of `len` bytes from `seed` (RG_FNV_SEED: plain FNV-1a): short
 * keys, no allocation, good enough spread for a mask */
static inline uint32_t rg_fnv1a(const char *s, int len, uint32_t seed)
{
	uint32_t h = seed;
	int i;

	for(i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * The one hash of a key (or of a destination's raw spelling): the table
 * files keys under it, and the memo below keeps it with each key, so the
 * two can never disagree.
 */
static inline uint32_t rg_key_hash(const char *s, int len)
{
	return rg_fnv1a(s, len, RG_FNV_SEED);
}

enum rg_key_err
{
	RG_KEY_EEMPTY = -1,
	RG_KEY_ETOOLONG = -2,
	RG_KEY_EBADCHAR = -3,
	RG_KEY_EBADHOST = -4,
	RG_KEY_EBADPORT = -5,
};

/*
 * Normalise `in` (length `len`, not NUL-terminated) into `out`, which must
 * hold RG_KEY_MAX + 1 bytes. Returns the key length (> 0), NUL-terminated,
 * or an rg_key_err (< 0), in which case `out` holds nothing useful.
 */
int rg_key_normalize(const char *in, size_t len, char *out);

/*
 * The last few inputs a process normalised, with their keys. A proxy
 * sends most calls to a handful of destinations, and the same `$du`
 * bytes give the same key: a hit is one compare and one copy instead of
 * a parse. Per process (no lock); zero it before use. Inputs longer than
 * RG_KEY_MEMO_RAW bytes, and inputs that are refused, are not kept.
 */
#define RG_KEY_MEMO_N 4
#define RG_KEY_MEMO_RAW 95
struct rg_key_memo
{
	struct
	{
		uint8_t raw_len; /* 0: a free place */
		uint8_t key_len;
		uint32_t key_hash; /* rg_key_hash() of key, and of raw */
		uint32_t raw_hash;
		char raw[RG_KEY_MEMO_RAW];
		char key[RG_KEY_MAX + 1];
	} e[RG_KEY_MEMO_N];
	unsigned int next; /* the place the next new input takes */
};

/* rg_key_normalize(), answered from `m` when `in` is there. */
int rg_key_normalize_memo(
		struct rg_key_memo *m, const char *in, size_t len, char *out);

/* rg_key_hash() of a key and of the input it came from. */
struct rg_key_hashes
{
	uint32_t key;
	uint32_t raw;
};

/* The same, and with a key (> 0) the two hashes in `*h`, kept with it. */
int rg_key_normalize_memo_h(struct rg_key_memo *m, const char *in,
		size_t len, char *out, struct rg_key_hashes *h);

/* A short English text for an rg_key_err. */
const char *rg_key_strerror(int err);

/*
 * Does the next hop `duri` (when dlen > 0), else `uri`, normalise to
 * `key` (`klen` bytes)? 1 or 0.
 */
int rg_key_hop_is(const char *key, int klen, const char *uri, int ulen,
		const char *duri, int dlen);

#endif
