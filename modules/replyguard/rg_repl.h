/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the cluster replicates of one destination, as versioned registers
 * (rg_ver.h), merged last-writer-wins:
 *
 *   blk  its block: the last block (B) or unblock (U) written
 *   lim  its limit set by RPC or script (L)
 *   cut  its AIMD cut (C)
 *
 * A write is taken only when its version is newer than the register's;
 * an older one, however late it comes, changes nothing. An unblock is a
 * write like any other, so it is its own deletion marker: a block
 * delivered after it is older and refused. The entry that holds the
 * markers is kept (not expired when idle) while they are live: for
 * `retain_ms` after they were written, while a block they replaced
 * would still run (`keep_ms`, which the unblock carries to every node),
 * and for ever for a limit. No locks: the entry's lock is held.
 */
#ifndef RG_REPL_H
#define RG_REPL_H

#include <stdint.h>

#include "rg_ver.h"

struct rg_repl
{
	struct rg_ver blk;
	struct rg_ver lim;
	struct rg_ver cut;
	uint64_t keep_ms; /* wall clock: kept at least until then */
};

/* Take `v` into `reg` when newer: 1, or 0 (older or the same: ignored). */
static inline int rg_repl_take(struct rg_ver *reg, const struct rg_ver *v)
{
	if(rg_ver_cmp(v, reg) <= 0)
		return 0;
	*reg = *v;
	return 1;
}

/* Was any register ever written? */
static inline int rg_repl_written(const struct rg_repl *r)
{
	return r->blk.clk != 0 || r->lim.clk != 0 || r->cut.clk != 0;
}

/* was `v` written within `retain_ms` of `wall_ms`? */
static inline int rg_repl_recent(
		const struct rg_ver *v, uint64_t wall_ms, uint64_t retain_ms)
{
	return v->clk != 0 && (v->clk >= wall_ms || wall_ms - v->clk < retain_ms);
}

/*
 * Is the entry compared in the repair digest: a limit from a peer or set
 * by hand (ever: such an entry is never forgotten), a block running
 * (`blocked`), a block or unblock whose marker is kept (keep_ms, carried
 * by the unblock so every node keeps it as long), or a register written
 * within `retain_ms`? Every node that took the same writes decides the
 * same (but for a few ms at the end of a block or a marker), so two
 * digests differ only when the writes taken differ.
 */
static inline int rg_repl_compared(const struct rg_repl *r, int blocked,
		uint64_t wall_ms, uint64_t retain_ms)
{
	return r->lim.clk != 0
		   || (r->blk.clk != 0 && (blocked || r->keep_ms > wall_ms))
		   || rg_repl_recent(&r->blk, wall_ms, retain_ms)
		   || rg_repl_recent(&r->cut, wall_ms, retain_ms);
}

/* Is the entry kept from expiry: compared, or a marker still needed? */
static inline int rg_repl_kept(const struct rg_repl *r, int blocked,
		uint64_t wall_ms, uint64_t retain_ms)
{
	return r->keep_ms > wall_ms
		   || rg_repl_compared(r, blocked, wall_ms, retain_ms);
}

#endif
