/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_entry_kind.h"
#include "rg_entry_repl.h"

/* cluster: does the entry hold replicated facts to keep? */
int rg_entry_repl_kept(const struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms)
{
	return cfg->hlc != NULL
		   && rg_repl_kept(&e->cold->repl,
				   e->health.state == RG_DOWN && e->health.until_ms > now_ms,
				   rg_hlc_wall(cfg->hlc, now_ms), now_ms, cfg->retain_ms);
}

_Static_assert(RG_REPL_KEEP_MAX_MS >= RG_MANUAL_MAX_MS,
		"a marker must be able to outlive the longest block");


/* cluster: keep the entry at least while a block ending at `until_ms`
 * (host clock) would run: its marker (wall clock, for the peers) and its
 * hold (host clock, which no wall step moves) */
static void repl_keep(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t until_ms)
{
	uint64_t w = rg_hlc_wall(cfg->hlc, until_ms);

	if(w > e->cold->repl.keep_ms)
		e->cold->repl.keep_ms = w;
	rg_repl_hold(&e->cold->repl, until_ms);
}

/* cluster: take a peer's write into `reg` (a register of the entry's)
 * when newer and not from beyond the cluster's skew (1), else 0 */
int rg_entry_repl_take(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		struct rg_ver *reg, const struct rg_ver *v, uint64_t now_ms)
{
	uint64_t wall;

	if(cfg->hlc == NULL)
		return 1; /* no versions kept: as it comes */
	wall = rg_hlc_wall(cfg->hlc, now_ms);
	if(!rg_hlc_trusted(cfg->hlc, v->clk, wall))
		return 0; /* it would pin the register and the clock */
	rg_hlc_see(cfg->hlc, v->clk, wall);
	/* a version written here before this host's clock stepped back by
	 * more than the skew: no peer took it, and any trusted write is newer */
	if(!rg_hlc_trusted(cfg->hlc, reg->clk, wall))
		memset(reg, 0, sizeof(*reg));
	if(!rg_repl_take(reg, v))
		return 0;
	rg_repl_hold_ver(&e->cold->repl, v, wall, now_ms, cfg->retain_ms);
	return 1;
}

/* was the operation a write by a peer, or a restart's (never marked)? */
static int repl_foreign(const struct rg_op *op)
{
	return rg_entry_foreign(op->kind,
			op->kind == RG_OP_SET_LIMIT && op->u.limit.ver != NULL);
}

/*
 * cluster: a change made here gets a new version and is marked for the
 * peers: a block (by hand, or one that runs for a time), an unblock (by
 * hand, or back up), a limit set by hand that differs, an AIMD cut.
 */
void rg_entry_repl_stamp(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg,
		uint64_t prev_until)
{
	struct rg_repl *r;
	uint64_t wall;
	int down, by_hand = op->kind == RG_OP_BLOCK || op->kind == RG_OP_UNBLOCK;

	/* most operations (a call's admission and replies) change nothing
	 * replicated: no clock read, no cold part touched for them */
	if(!by_hand && chg->ev == RG_EV_NONE && chg->tev != RG_TEV_THROTTLED
			&& !(op->kind == RG_OP_SET_LIMIT && chg->limit_changed))
		return;
	if(repl_foreign(op))
		return;
	r = &e->cold->repl;
	wall = rg_hlc_wall(cfg->hlc, now_ms);
	down = e->health.state == RG_DOWN && e->health.until_ms > now_ms;

	if(by_hand || (chg->ev == RG_EV_DOWN && down) || chg->ev == RG_EV_UP) {
		r->blk = rg_hlc_next(cfg->hlc, wall);
		chg->pub |= RG_PUB_BLK;
		chg->blk_manual = (uint8_t)by_hand;
		chg->blk_left_ms = down ? e->health.until_ms - now_ms : 0;
		if(down)
			chg->reason = rg_health_reason(&e->health);
		repl_keep(e, cfg, down ? e->health.until_ms : prev_until);
	}
	if(op->kind == RG_OP_SET_LIMIT && op->u.limit.src == RG_LIM_MANUAL
			&& chg->limit_changed) {
		r->lim = rg_hlc_next(cfg->hlc, wall);
		chg->pub |= RG_PUB_LIM;
		chg->lim = e->thr.lim;
	}
	if(chg->tev == RG_TEV_THROTTLED) {
		r->cut = rg_hlc_next(cfg->hlc, wall);
		chg->pub |= RG_PUB_CUT;
	}
	if(chg->pub) {
		rg_repl_hold(r, now_ms + cfg->retain_ms);
		chg->repl = *r;
	}
}


/* a block a peer wrote: when newer, for as long as one could be here */
int rg_entry_peer_block(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg,
		const struct rg_veto *veto)
{
	enum rg_block_reason why = (enum rg_block_reason)op->u.peer_block.reason;
	uint64_t left = op->u.peer_block.left_ms,
			 cap = rg_health_block_cap_ms(&cfg->health, why);
	uint32_t ra = op->u.peer_block.ra_s;

	if(!rg_entry_repl_take(
			   e, cfg, &e->cold->repl.blk, &op->u.peer_block.ver, now_ms))
		return RG_OK; /* older than what is here */
	if(left > cap)
		left = cap;
	if(ra > cfg->health.ra_max)
		ra = cfg->health.ra_max;
	if(cfg->hlc != NULL)
		repl_keep(e, cfg, now_ms + left);
	chg->ev = rg_health_peer_block(&e->health, now_ms + left, why, ra, veto);
	return RG_OK;
}

void rg_entry_peer_up(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_repl *r = &e->cold->repl;
	int cmp = rg_ver_cmp(&op->u.peer_up.ver, &r->blk);
	uint64_t wall, keep = op->u.peer_up.keep_ms;

	if(cfg->hlc != NULL) {
		wall = rg_hlc_wall(cfg->hlc, now_ms);
		if(!rg_hlc_trusted(cfg->hlc, op->u.peer_up.ver.clk, wall))
			return; /* from beyond the skew: neither it nor its keep */
		/* the marker is kept as long as anywhere (the sender's keep
		 * too), but no longer than a block can run from now */
		if(keep > wall + RG_REPL_KEEP_MAX_MS)
			keep = wall + RG_REPL_KEEP_MAX_MS;
		if(cmp >= 0 && keep > r->keep_ms) {
			r->keep_ms = keep;
			rg_repl_hold_keep(r, wall, now_ms);
		}
	}
	if(!rg_entry_repl_take(e, cfg, &r->blk, &op->u.peer_up.ver, now_ms))
		return;
	if(cfg->hlc != NULL && e->health.state == RG_DOWN)
		repl_keep(e, cfg, e->health.until_ms);
	chg->ev = rg_health_unblock(&e->health);
}

void rg_entry_peer_cut(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg)
{
	if(!rg_entry_repl_take(
			   e, cfg, &e->cold->repl.cut, &op->u.peer_cut.ver, now_ms))
		return;
	chg->tev = rg_throttle_peer_cut(&e->thr, &cfg->throttle,
			op->u.peer_cut.cur_mcps, op->u.peer_cut.ceil_mcps, now_ms);
}
