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
 *
 * Versions and keep_ms are wall-clock times, so that every node decides
 * the same about them (the repair digest). The wall clock steps (NTP, an
 * operator), so both are bounded: a version is recent only within
 * retain_ms of the wall clock either way, and a marker is compared only
 * while keep_ms is ahead by at most RG_REPL_KEEP_MAX_MS (the longest
 * block). Whether the entry may expire is decided on the host's clock,
 * which no step moves: `hold_ms` is set, when a write is made or taken,
 * to where its retention and its marker end in host time. A step forward
 * of a day then drops no marker at once, and a step back of an hour keeps
 * an entry at most that much longer, never for ever.
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
	uint64_t hold_ms; /* host clock: not expired before then (not saved,
						 not sent: made again from the rest) */
};

/* the furthest ahead of the wall clock a marker's keep_ms can be: more
 * than the longest block (a manual one, 365 days), which it outlives */
#define RG_REPL_KEEP_MAX_MS (366ULL * 86400 * 1000)

/*
 * The host time at which wall time `w` comes, when the wall clock is
 * `wall_ms` at host time `now_ms`; never before now_ms, never after
 * now_ms + max_ms.
 */
static inline uint64_t rg_repl_host_at(
		uint64_t w, uint64_t wall_ms, uint64_t now_ms, uint64_t max_ms)
{
	uint64_t d = w > wall_ms ? w - wall_ms : 0;

	return now_ms + (d < max_ms ? d : max_ms);
}

/* Hold the entry (host clock) at least until `until_ms`. */
static inline void rg_repl_hold(struct rg_repl *r, uint64_t until_ms)
{
	if(until_ms > r->hold_ms)
		r->hold_ms = until_ms;
}

/*
 * Hold it while version `v` is retained: retain_ms after it was written
 * (wall clock), counted from now at most, ended now at least.
 */
static inline void rg_repl_hold_ver(struct rg_repl *r, const struct rg_ver *v,
		uint64_t wall_ms, uint64_t now_ms, uint64_t retain_ms)
{
	if(v->clk != 0)
		rg_repl_hold(r, rg_repl_host_at(rg_ver_ms(v->clk) + retain_ms, wall_ms,
								now_ms,
								retain_ms));
}

/* Hold it while its marker is kept (keep_ms, wall clock), a year at most. */
static inline void rg_repl_hold_keep(
		struct rg_repl *r, uint64_t wall_ms, uint64_t now_ms)
{
	rg_repl_hold(r,
			rg_repl_host_at(r->keep_ms, wall_ms, now_ms, RG_REPL_KEEP_MAX_MS));
}

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

/* was `v` written within `retain_ms` of `wall_ms`, either way (a version
 * ahead of the wall clock: it stepped back; never for ever)? */
static inline int rg_repl_recent(
		const struct rg_ver *v, uint64_t wall_ms, uint64_t retain_ms)
{
	uint64_t ms = rg_ver_ms(v->clk);

	return v->clk != 0
		   && (ms >= wall_ms ? ms - wall_ms < retain_ms
							 : wall_ms - ms < retain_ms);
}

/* is the marker kept at `wall_ms`: keep_ms ahead, by no more than a
 * marker can be (a wall clock stepped far back: no longer) */
static inline int rg_repl_keeps(const struct rg_repl *r, uint64_t wall_ms)
{
	return r->keep_ms > wall_ms && r->keep_ms - wall_ms <= RG_REPL_KEEP_MAX_MS;
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
		   || (r->blk.clk != 0 && (blocked || rg_repl_keeps(r, wall_ms)))
		   || rg_repl_recent(&r->blk, wall_ms, retain_ms)
		   || rg_repl_recent(&r->cut, wall_ms, retain_ms);
}

/* Is the entry kept from expiry at host time `now_ms`: held (a marker
 * still needed, a write still retained), or compared? */
static inline int rg_repl_kept(const struct rg_repl *r, int blocked,
		uint64_t wall_ms, uint64_t now_ms, uint64_t retain_ms)
{
	return r->hold_ms > now_ms
		   || rg_repl_compared(r, blocked, wall_ms, retain_ms);
}

#endif
