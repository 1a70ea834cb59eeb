/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rg_entry_kind.h"
#include "rg_entry_repl.h"

/* cluster: does the entry hold replicated facts to keep? */
int rg_entry_repl_kept(const struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms)
{
	return cfg->hlc != NULL
		   && rg_repl_kept(&e->cold->repl,
				   e->health.state == RG_DOWN && e->health.until_ms > now_ms,
				   rg_hlc_wall(cfg->hlc, now_ms), cfg->retain_ms);
}


/* cluster: keep the entry at least while a block ending at `until_ms`
 * (host clock) would run */
static void repl_keep(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t until_ms)
{
	uint64_t w = rg_hlc_wall(cfg->hlc, until_ms);

	if(w > e->cold->repl.keep_ms)
		e->cold->repl.keep_ms = w;
}

/* cluster: take a peer's write into `reg` when newer (1), else 0 */
int rg_entry_repl_take(const struct rg_entry_cfg *cfg, struct rg_ver *reg,
		const struct rg_ver *v)
{
	if(cfg->hlc == NULL)
		return 1; /* no versions kept: as it comes */
	rg_hlc_see(cfg->hlc, v->clk);
	return rg_repl_take(reg, v);
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
	if(chg->pub)
		chg->repl = *r;
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

	if(!rg_entry_repl_take(cfg, &e->cold->repl.blk, &op->u.peer_block.ver))
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
		const struct rg_op *op, struct rg_change *chg)
{
	struct rg_repl *r = &e->cold->repl;
	int cmp = rg_ver_cmp(&op->u.peer_up.ver, &r->blk);

	/* the marker is kept as long as anywhere: the sender's keep too */
	if(cmp >= 0 && op->u.peer_up.keep_ms > r->keep_ms)
		r->keep_ms = op->u.peer_up.keep_ms;
	if(!rg_entry_repl_take(cfg, &r->blk, &op->u.peer_up.ver))
		return;
	if(cfg->hlc != NULL && e->health.state == RG_DOWN)
		repl_keep(e, cfg, e->health.until_ms);
	chg->ev = rg_health_unblock(&e->health);
}

void rg_entry_peer_cut(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg)
{
	if(!rg_entry_repl_take(cfg, &e->cold->repl.cut, &op->u.peer_cut.ver))
		return;
	chg->tev = rg_throttle_peer_cut(&e->thr, &cfg->throttle,
			op->u.peer_cut.cur_mcps, op->u.peer_cut.ceil_mcps, now_ms);
}
