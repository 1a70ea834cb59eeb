/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A destination's names in the host (dispatcher): up to RG_EXT_PAIRS
 * (set, name) pairs over up to RG_EXT_NAMES spellings, and which of them
 * the host was told to make inactive. Works on one entry's copy under its
 * caller's lock, like rg_health and rg_throttle.
 *
 * - A new pair is remembered on admission; when full, the oldest pair
 *   that is not inactive makes room.
 * - A pair made inactive is never dropped before it is active again.
 * - After the host acted on a snapshot's pairs, rg_ext_mark() stores what
 *   it did (inactive, or gone: the host no longer knows that pair).
 */
#ifndef RG_EXT_H
#define RG_EXT_H

#include <stdint.h>

#include "rg_types-t.h"

struct rg_ext_set
{
	struct rg_ext_pair pairs[RG_EXT_PAIRS];
	uint8_t npairs;
	uint8_t ninactive; /* pairs marked inactive */
	uint8_t gen;	   /* changes whenever a pair comes or goes */
	uint8_t len[RG_EXT_NAMES];
	char names[RG_EXT_NAMES][RG_KEY_MAX + 1];
};

/*
 * A pair's fingerprint, from `name_hash`, rg_key_hash() of its name,
 * and its set: never 0. Admissions compare it with the last one's,
 * so a call bringing the same pair does not read the names.
 */
static inline uint32_t rg_ext_fp(uint32_t name_hash, int tag)
{
	uint32_t h = (name_hash ^ (uint32_t)tag) * 2654435761u;

	return h ? h : 1;
}

/* Remember the pair `x` (a name longer than RG_KEY_MAX is ignored). */
void rg_ext_add(struct rg_ext_set *es, const struct rg_ext *x);

/* Store what the host did with the pairs of snapshot `s`. */
void rg_ext_mark(struct rg_ext_set *es, const struct rg_snapshot *s);

/* Does any pair carry set `tag`? */
int rg_ext_has_tag(const struct rg_ext_set *es, int tag);

/* Copy the pairs and names into a snapshot. */
void rg_ext_copy(const struct rg_ext_set *es, struct rg_snapshot *s);

#endif
