/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_entry_keep.h"

int rg_entry_save(
		const struct rg_entry *e, struct rg_saved *r, int64_t wall_ms)
{
	const struct rg_health *h = &e->health;

	memset(r, 0, sizeof(*r));
	r->key_len = rg_entry_key(e, r->key);
	if(h->state == RG_DOWN && (int64_t)h->until_ms + wall_ms > 0
			&& (uint64_t)((int64_t)h->until_ms + wall_ms) <= RG_STATE_END_MAX) {
		r->block_end = (uint64_t)((int64_t)h->until_ms + wall_ms);
		r->reason = (uint8_t)rg_health_reason(h);
		r->level = h->level;
		r->ra_last = h->ra_last;
	}
	if(e->thr.src == RG_LIM_MANUAL) {
		r->has_limit = 1;
		r->lim = e->thr.lim;
	}
	if(e->thr.throttled) {
		r->throttled = 1;
		r->cur_mcps = e->thr.cur_mcps;
		r->ceil_mcps = e->thr.ceil_mcps;
	}
	r->repl = e->cold->repl;
	return r->block_end != 0 || r->has_limit || r->throttled;
}

/* what is left of the record's block at `now_ms`: <= 0 when none */
static int64_t block_left(
		const struct rg_saved *r, int64_t wall_ms, uint64_t now_ms)
{
	/* block_end <= RG_STATE_END_MAX: no overflow */
	if(r->block_end == 0)
		return 0;
	return (int64_t)r->block_end - wall_ms - (int64_t)now_ms;
}

int rg_saved_in_force(
		const struct rg_saved *r, int64_t wall_ms, uint64_t now_ms)
{
	/* a version is kept too: an unblock made here must outlive the block
	 * a peer still holds (rg_repl.h decides, once restored) */
	return r->has_limit || r->throttled || block_left(r, wall_ms, now_ms) > 0
		   || rg_repl_written(&r->repl);
}

/*
 * A version the file kept, as this node takes it at wall clock `wall_ms`.
 * One from beyond the cluster's skew (a foreign file, or one saved while
 * this host's clock was ahead) is dropped, not clamped: its fact is still
 * restored, but unversioned ({0, 0}), so any peer's write of it wins, and
 * the clock does not take it (rg_ver.h: it would pin the cluster's). A
 * clamped version would be one nobody wrote, and would still beat the
 * peers' writes of the last cluster_max_skew seconds.
 */
static void restore_ver(
		const struct rg_entry_cfg *cfg, struct rg_ver *v, uint64_t wall_ms)
{
	if(!rg_hlc_trusted(cfg->hlc, v->clk, wall_ms)) {
		memset(v, 0, sizeof(*v));
		return;
	}
	rg_hlc_see(cfg->hlc, v->clk, wall_ms);
}

/* the file's registers, each within bounds; the entry held (host clock)
 * while they would be retained and its marker kept */
static void restore_repl(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_repl *saved, uint64_t now_ms)
{
	struct rg_repl *r = &e->cold->repl;
	uint64_t wall = rg_hlc_wall(cfg->hlc, now_ms);

	*r = *saved;
	r->hold_ms = 0;
	restore_ver(cfg, &r->blk, wall);
	restore_ver(cfg, &r->lim, wall);
	restore_ver(cfg, &r->cut, wall);
	if(r->keep_ms > wall + RG_REPL_KEEP_MAX_MS)
		r->keep_ms = wall + RG_REPL_KEEP_MAX_MS;
	rg_repl_hold_keep(r, wall, now_ms);
	rg_repl_hold_ver(r, &r->blk, wall, now_ms, cfg->retain_ms);
	rg_repl_hold_ver(r, &r->lim, wall, now_ms, cfg->retain_ms);
	rg_repl_hold_ver(r, &r->cut, wall, now_ms, cfg->retain_ms);
}

void rg_entry_restore(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_saved *r, int64_t wall_ms, uint64_t now_ms,
		struct rg_change *chg, const struct rg_veto *veto)
{
	int64_t left = block_left(r, wall_ms, now_ms);
	uint64_t cap = rg_health_block_cap_ms(
			&cfg->health, (enum rg_block_reason)r->reason);

	/* the versions come back with the facts: a peer's newer write wins
	 * over what the file kept, an older one is refused */
	if(cfg->hlc != NULL)
		restore_repl(e, cfg, &r->repl, now_ms);
	if(r->has_limit)
		chg->tev = rg_throttle_set(&e->thr, &r->lim, RG_LIM_MANUAL);
	if(r->throttled)
		chg->tev = rg_throttle_restore(
				&e->thr, r->cur_mcps, r->ceil_mcps, now_ms);
	if(left <= 0)
		return;
	/* a clock stepped back, or a foreign file: never longer than allowed */
	if((uint64_t)left > cap)
		left = (int64_t)cap;
	chg->ev = rg_health_restore(&e->health, now_ms + (uint64_t)left,
			(enum rg_block_reason)r->reason, r->level, r->ra_last, veto);
}
