/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <string.h>

#include "rg_branch_rules.h"
#include "rg_entry.h"
#include "rg_entry_keep.h"
#include "rg_entry_kpi.h"
#include "rg_entry_repl.h"

#define RG_AFTER_COLD \
	(offsetof(struct rg_entry, cold) + sizeof(struct rg_entry_cold *))

void rg_entry_init(struct rg_entry *e, struct rg_entry_cold *cold,
		const struct rg_entry_cfg *cfg, const char *key, int len,
		uint64_t now_ms)
{
	int hot = len < RG_KEY_HOT ? len : RG_KEY_HOT;

	/* all but `cold`, which rg_entry_peek() may be reading: the table
	 * sets it once, to this same place */
	memset(e, 0, offsetof(struct rg_entry, cold));
	memset((char *)e + RG_AFTER_COLD, 0, sizeof(*e) - RG_AFTER_COLD);
	memset(cold, 0, sizeof(*cold));
	e->cold = cold;
	e->key_len = (uint8_t)len;
	memcpy(e->key_hot, key, (size_t)hot);
	memcpy(cold->key_rest, key + hot, (size_t)(len - hot));
	e->last_ms = now_ms;
	e->tally.epoch = (uint32_t)(now_ms / cfg->slot_ms);
	/* judged from the slot it was made in: the timer looks at it after */
	e->q_epoch = cfg->kpi.judge ? e->tally.epoch : 0;
	rg_throttle_init(&e->thr, &cfg->throttle);
}

/* `n` straight into the lifetime counter and the window slot of now */
static void cold_add(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		enum rg_counter c, uint32_t n, uint64_t now_ms)
{
	e->cold->ctr[c] += n;
	rg_window_add(&e->cold->win, cfg->slot_ms, now_ms, c, n);
}

static void tally_add(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		enum rg_counter c, uint64_t now_ms)
{
	uint32_t epoch = (uint32_t)(now_ms / cfg->slot_ms);

	if(c < RG_C_TALLIED && epoch == e->tally.epoch
			&& e->tally.c[c] < UINT16_MAX) {
		e->tally.c[c]++;
		return;
	}
	if(c >= RG_C_TALLIED || (int32_t)(epoch - e->tally.epoch) < 0) {
		/* not tallied, or a clock read before the slot now counted:
		 * straight to it */
		cold_add(e, cfg, c, 1, now_ms);
		return;
	}
	rg_entry_flush(e, cfg); /* a new slot, or a full counter */
	e->tally.epoch = epoch;
	e->tally.c[c] = 1;
}

/* the host pair of an admission, as a number that is never 0 */
static uint32_t ext_fp(const struct rg_ext *x)
{
	return rg_ext_fp(rg_key_hash(x->name, x->len), x->tag);
}

/* the end of a call held in flight */
static int release(struct rg_entry *e)
{
	return rg_throttle_release(&e->thr) == 0 ? RG_OK : RG_ENOHOLD;
}

/* a measured call ended; after `ms` (a BYE): its duration counted */
static int call_end(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms)
{
	uint64_t ms = op->u.call_end.ms, secs = (ms + 500) / 1000;

	e->cold->watched--;
	e->last_ms = now_ms; /* the end is the destination's news too */
	if(!op->u.call_end.counted)
		return op->u.call_end.release ? release(e) : RG_OK;
	cold_add(e, cfg, RG_C_CALLS_ENDED, 1, now_ms);
	if(ms < cfg->kpi.short_ms)
		cold_add(e, cfg, RG_C_CALLS_SHORT, 1, now_ms);
	cold_add(e, cfg, RG_C_CALL_SECS,
			secs > UINT32_MAX ? UINT32_MAX : (uint32_t)secs, now_ms);
	return op->u.call_end.release ? release(e) : RG_OK;
}

static int admit(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_admission *out = op->u.admit.out;
	enum rg_counter c = RG_C_ATTEMPTS;
	int verdict = RG_ADMITTED;

	out->retry_after = 0;
	out->held = 0;
	out->trial = 0;
	if(op->u.admit.ext != NULL) {
		/* most calls bring the pair the last one did: no look at the
		 * cold part for them */
		uint32_t fp = op->u.admit.fp ? op->u.admit.fp
									 : ext_fp(op->u.admit.ext);

		if(fp != e->ext_fp) {
			rg_ext_add(&e->cold->ext, op->u.admit.ext);
			e->ext_fp = fp;
		}
	}
	if(rg_health_admit(&e->health, &cfg->health, now_ms, &out->retry_after,
			   &out->trial, &chg->ev)
			!= RG_HEALTH_OK) {
		verdict = RG_BLOCKED;
		c = RG_C_REJ_BLOCKED;
	} else if(rg_throttle_admit(&e->thr, &cfg->throttle, now_ms,
					  &out->retry_after, &out->held, &chg->tev)
			  != RG_THROTTLE_OK) {
		/* the trial was not spent: another call may take it */
		rg_health_untrial(&e->health, out->trial);
		out->trial = 0;
		verdict = RG_THROTTLED;
		c = RG_C_REJ_THROTTLED;
	}
	tally_add(e, cfg, c, now_ms);
	e->last_ms = now_ms;
	return verdict;
}

/* a first 18x's delay: the histogram, and the largest */
static void pdd(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		int64_t ms, uint64_t now_ms)
{
	uint32_t v = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;

	rg_hist_add(&e->cold->srd, cfg->slot_ms, now_ms, v);
	if(v > e->cold->pdd_max_ms)
		e->cold->pdd_max_ms = v;
}

/* do the window's failures reach failure_ratio percent of its finished
 * calls (at least failure_min_calls of them)? */
static int ratio_tripped(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms)
{
	uint64_t w[RG_C_COUNT], done;

	if(cfg->fail.ratio_pct == 0)
		return 0;
	rg_entry_flush(e, cfg);
	rg_window_sum_after(&e->cold->win, cfg->slot_ms, now_ms, e->cold->up_ms, w);
	/* a 503 that was the call's is neither failure nor success: not in
	 * the count it is a share of */
	done = w[RG_C_R2XX] + w[RG_C_R3XX] + w[RG_C_R4XX] + w[RG_C_R5XX]
		   + w[RG_C_R6XX] + w[RG_C_TIMEOUTS];
	done = done > w[RG_C_R503_CALL] ? done - w[RG_C_R503_CALL] : 0;
	return done > 0 && done >= cfg->fail.min_calls
		   && w[RG_C_FAILURES] * 100 >= (uint64_t)cfg->fail.ratio_pct * done;
}

/* the set guard's say on an inferred block (max_blocked_percent) */
struct guard_ask
{
	struct rg_entry *e;
	const struct rg_entry_cfg *cfg;
	uint64_t now_ms;
	struct rg_change *chg;
};

static int guard_allows(void *arg)
{
	struct guard_ask *a = arg;
	struct rg_guard_note note = {a->chg->guard_full, -1};
	int ok = rg_guard_try_block(
			a->cfg->guard, &a->e->cold->gfp, &a->e->cold->ext, &note);

	a->chg->guard_full = note.full;
	if(ok)
		return 1;
	tally_add(a->e, a->cfg, RG_C_BLOCKS_SKIPPED, a->now_ms);
	if(!a->e->held_noted) {
		a->e->held_noted = 1;
		a->chg->guard_held = note.held;
	}
	return 0;
}

/* after every final outcome: down when the failure ratio says so */
static void judge(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms, struct rg_change *chg, const struct rg_veto *veto,
		int failed)
{
	/* once the guard held it, only a further failure asks again */
	if(chg->ev != RG_EV_NONE || (!failed && e->held_noted)
			|| !ratio_tripped(e, cfg, now_ms))
		return;
	chg->ev = rg_health_trip(&e->health, &cfg->health, now_ms, veto);
	if(chg->ev != RG_EV_NONE) {
		/* no one reply caused it */
		chg->code = 0;
		chg->retry_after = -1;
	}
}

static int reply(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_reply *r, uint64_t now_ms, struct rg_change *chg,
		const struct rg_veto *veto)
{
	enum rg_counter cs[RG_REPLY_COUNTERS];
	int i, n = rg_reply_counters(r, cs), overload = 0, fail = 0, call = 0;

	chg->code = r->code;
	chg->retry_after = r->retry_after;
	for(i = 0; i < n; i++)
		tally_add(e, cfg, cs[i], now_ms);
	if(r->pdd_ms >= 0)
		pdd(e, cfg, r->pdd_ms, now_ms);
	if(r->code < 200)
		goto done;
	if(r->answered)
		rg_hist_add(&e->cold->srd2, cfg->slot_ms, now_ms, r->answer_ms);
	if(r->watched)
		e->cold->watched++;
	if(r->code == 503) {
		rg_cause_count(&e->cold->causes, &r->cause);
		/* a Retry-After speaks for the server, whatever the cause */
		call = r->retry_after < 0
			   && rg_cause_is_call(&cfg->kpi.call_causes, &r->cause);
		if(call)
			tally_add(e, cfg, RG_C_R503_CALL, now_ms);
	}
	if(call) {
		/* the call failed, not the destination: no cut, no failure, no
		 * success; a trial it ends failed, as any 503's */
		chg->ev = rg_health_trial_failure(
				&e->health, &cfg->health, r->trial, now_ms, veto);
		goto done;
	} else if(r->code == 503 && r->retry_after < 0) {
		/* overloaded: a throttle signal; a failure only without AIMD */
		overload = 1;
		fail = !cfg->throttle.adaptive;
		chg->tev = rg_throttle_overload(&e->thr, &cfg->throttle, now_ms);
	} else if(r->code == 503 || rg_codes_has(&cfg->fail.codes, r->code))
		fail = 1;
	if(fail)
		chg->ev = rg_health_failure(&e->health, &cfg->health,
				r->code == 503 ? r->retry_after : -1, r->trial, now_ms, veto);
	else if(overload) /* still fails a trial */
		chg->ev = rg_health_trial_failure(
				&e->health, &cfg->health, r->trial, now_ms, veto);
	else
		chg->ev = rg_health_success(
				&e->health, &cfg->health, r->trial, now_ms);
	if(fail || overload)
		tally_add(e, cfg, RG_C_FAILURES, now_ms);
	judge(e, cfg, now_ms, chg, veto, fail || overload);
done:
	e->last_ms = now_ms;
	return r->release ? release(e) : RG_OK;
}

static int timeout(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms, struct rg_change *chg,
		const struct rg_veto *veto)
{
	uint64_t trial = op->u.timeout.trial;

	chg->code = 408;
	tally_add(e, cfg, RG_C_TIMEOUTS, now_ms);
	if(!op->u.timeout.failure) /* it rang out: no answer */
		tally_add(e, cfg, RG_C_RANG_OUT, now_ms);
	if(op->u.timeout.failure) {
		chg->ev = rg_health_failure(
				&e->health, &cfg->health, -1, trial, now_ms, veto);
		tally_add(e, cfg, RG_C_FAILURES, now_ms);
	} else if(trial != 0) /* a trial that rang out: the destination lives */
		chg->ev = rg_health_success(&e->health, &cfg->health, trial, now_ms);
	judge(e, cfg, now_ms, chg, veto, op->u.timeout.failure);
	e->last_ms = now_ms;
	return op->u.timeout.release ? release(e) : RG_OK;
}

/* a call admitted at `admitted_ms` that was never sent: as if not asked */
static int unadmit(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		const struct rg_op *op, uint64_t now_ms)
{
	uint64_t at = op->u.unadmit.admitted_ms;

	rg_entry_flush(e, cfg);
	/* an admission from before a reset is in no counter any more */
	if(at > e->cold->reset_ms && e->cold->ctr[RG_C_ATTEMPTS] > 0) {
		e->cold->ctr[RG_C_ATTEMPTS]--;
		rg_window_sub(&e->cold->win, cfg->slot_ms, at, RG_C_ATTEMPTS, 1);
	}
	rg_throttle_unadmit(&e->thr, at, now_ms);
	rg_health_untrial(&e->health, op->u.unadmit.trial);
	return op->u.unadmit.held ? release(e) : RG_OK;
}

static void reset(struct rg_entry *e, uint64_t now_ms)
{
	e->cold->reset_ms = now_ms;
	e->quality = 0; /* judged again from nothing */
	memset(e->cold->ctr, 0, sizeof(e->cold->ctr));
	memset(&e->cold->win, 0, sizeof(e->cold->win));
	memset(e->tally.c, 0, sizeof(e->tally.c));
	memset(&e->cold->srd, 0, sizeof(e->cold->srd));
	memset(&e->cold->srd2, 0, sizeof(e->cold->srd2));
	memset(&e->cold->causes, 0, sizeof(e->cold->causes));
	e->cold->pdd_max_ms = 0;
}

static int warn_due(struct rg_entry *e, uint64_t interval_ms, uint64_t now_ms)
{
	/* (a clock read before the last line's: not due either) */
	if(e->cold->warn_ms != 0
			&& (now_ms < e->cold->warn_ms
					|| now_ms - e->cold->warn_ms < interval_ms))
		return 0;
	e->cold->warn_ms = now_ms ? now_ms : 1;
	return 1;
}

static int min_blocked(
		const struct rg_entry *e, struct rg_op *op, uint64_t now_ms)
{
	uint32_t b;

	if(!rg_ext_has_tag(&e->cold->ext, op->u.blocked.tag))
		return 0;
	b = rg_health_blocked_for(&e->health, now_ms);
	if(b == 0)
		return 0;
	if(op->u.blocked.n == 0 || b < op->u.blocked.secs)
		op->u.blocked.secs = b;
	op->u.blocked.n++;
	return 1;
}

/* a limit from an earlier limits-file load: back to the defaults */
static int sweep_limits(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint32_t gen, struct rg_change *chg)
{
	if(e->thr.src != RG_LIM_FILE || e->thr.lim_gen == gen)
		return 0;
	chg->tev = rg_throttle_set(&e->thr, &cfg->throttle.dflt, RG_LIM_DEFAULT);
	return 1;
}

static int expirable(const struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms)
{
	/* kept: blocked, throttled, busy, configured or replicated (see
	 * rg_repl.h); a probing destination nobody calls any more goes */
	return cfg->idle_ms != 0 && e->health.state != RG_DOWN && !e->thr.throttled
		   && e->cold->ext.ninactive == 0 && e->thr.inflight == 0
		   && e->cold->watched == 0
		   && e->thr.src == RG_LIM_DEFAULT && now_ms > e->last_ms
		   && now_ms - e->last_ms >= cfg->idle_ms
		   && !rg_entry_repl_kept(e, cfg, now_ms);
}

static int ext_pending(const struct rg_entry *e)
{
	return e->cold->ext.npairs != 0
		   && (e->health.state == RG_DOWN || e->cold->ext.ninactive != 0);
}

static int dispatch(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		struct rg_op *op, uint64_t now_ms, struct rg_change *chg,
		const struct rg_veto *veto);

/* count the entry in the set guard as it is now */
static void guard_sync(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		struct rg_change *chg)
{
	struct rg_guard_note note = {chg->guard_full, -1};
	int down = e->health.state != RG_UP; /* probing is not in service */

	if(!rg_guard_stale(&e->cold->gfp, &e->cold->ext, down))
		return;
	rg_guard_sync(cfg->guard, &e->cold->gfp, &e->cold->ext, down, &note);
	chg->guard_full = note.full;
}

int rg_entry_apply(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		struct rg_op *op, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_change none;
	struct guard_ask ask;
	struct rg_veto veto;
	const struct rg_veto *vp = NULL;
	uint64_t prev_until =
			e->health.state == RG_DOWN ? e->health.until_ms : 0;
	int rc;

	if(chg == NULL)
		chg = &none;
	if(cfg->guard != NULL) { /* max_blocked_percent: ask before a block */
		ask.e = e;
		ask.cfg = cfg;
		ask.now_ms = now_ms;
		ask.chg = chg;
		veto.allow = guard_allows;
		veto.arg = &ask;
		vp = &veto;
	}
	rg_change_none(chg, e->health.state);
	rc = dispatch(e, cfg, op, now_ms, chg, vp);
	if(cfg->kpi.judge)
		rg_entry_kpi_tick(e, cfg, op->kind, now_ms, chg);
	if(cfg->hlc != NULL)
		rg_entry_repl_stamp(e, cfg, op, now_ms, chg, prev_until);
	/* numbered while the lock is held: whoever reports the changes after
	 * it (the webhook) can tell a late one from a newer one */
	if(rg_change_any(chg)) {
		chg->seq = ++e->cold->change_seq;
		if(chg->seq == 0) /* (0 is "none": past a wrap, 1) */
			chg->seq = ++e->cold->change_seq;
	}
	if(chg->ev != RG_EV_NONE)
		e->held_noted = 0;
	if(chg->ev == RG_EV_DOWN)
		chg->reason = rg_health_reason(&e->health);
	if(chg->ev == RG_EV_UP) {
		e->cold->up_ms = now_ms ? now_ms : 1;
		rg_throttle_ramp(&e->thr, &cfg->throttle, now_ms, 0); /* back: ramp */
	}
	chg->ceil_mcps = chg->tev == RG_TEV_THROTTLED ? e->thr.ceil_mcps : 0;
	if(cfg->guard != NULL && rg_entry_moves_guard(op->kind))
		guard_sync(e, cfg, chg);
	return rc;
}

static int dispatch(struct rg_entry *e, const struct rg_entry_cfg *cfg,
		struct rg_op *op, uint64_t now_ms, struct rg_change *chg,
		const struct rg_veto *veto)
{
	switch(op->kind) {
		case RG_OP_ADMIT:
			return admit(e, cfg, op, now_ms, chg);
		case RG_OP_REPLY:
			return reply(e, cfg, op->u.reply, now_ms, chg, veto);
		case RG_OP_TIMEOUT:
			return timeout(e, cfg, op, now_ms, chg, veto);
		case RG_OP_UNADMIT:
			return unadmit(e, cfg, op, now_ms);
		case RG_OP_RELEASE:
			return release(e);
		case RG_OP_CALL_END:
			return call_end(e, cfg, op, now_ms);
		case RG_OP_SET_LIMIT:
			if(op->u.limit.ver != NULL
					&& !rg_entry_repl_take(e, cfg, &e->cold->repl.lim,
							op->u.limit.ver, now_ms))
				return RG_OK; /* a peer's older write */
			chg->limit_changed = e->thr.src != op->u.limit.src
								 || memcmp(&e->thr.lim, op->u.limit.lim,
											sizeof(e->thr.lim))
											!= 0;
			chg->tev =
					rg_throttle_set(&e->thr, op->u.limit.lim, op->u.limit.src);
			e->thr.lim_gen = op->u.limit.gen;
			return RG_OK;
		case RG_OP_BLOCK:
			chg->ev = rg_health_block(&e->health, op->u.block_s, now_ms);
			return RG_OK;
		case RG_OP_UNBLOCK:
			chg->ev = rg_health_unblock(&e->health);
			return RG_OK;
		case RG_OP_TICK:
			chg->ev = rg_health_tick(&e->health, now_ms);
			chg->tev = rg_throttle_tick(&e->thr, &cfg->throttle, now_ms);
			return RG_OK;
		case RG_OP_EXT_MARK:
			rg_ext_mark(&e->cold->ext, op->u.mark);
			e->ext_fp = 0;
			return RG_OK;
		case RG_OP_EXT_PENDING:
			return ext_pending(e);
		case RG_OP_RESET:
			reset(e, now_ms);
			return RG_OK;
		case RG_OP_WARN:
			return warn_due(e, op->u.warn_interval_ms, now_ms);
		case RG_OP_SNAPSHOT:
			rg_entry_snapshot(e, cfg, now_ms, op->u.snap);
			return RG_OK;
		case RG_OP_MIN_BLOCKED:
			return min_blocked(e, op, now_ms);
		case RG_OP_SWEEP_LIMITS:
			return sweep_limits(e, cfg, op->u.sweep_gen, chg);
		case RG_OP_EXPIRE:
			if(!expirable(e, cfg, now_ms))
				return 0;
			if(cfg->guard != NULL) /* it is freed */
				rg_guard_leave(cfg->guard, &e->cold->gfp);
			return 1;
		case RG_OP_SEED:
			rg_ext_add(&e->cold->ext, op->u.seed);
			e->ext_fp = 0; /* it may have pushed out the last admission's */
			e->seeded = 1;
			return RG_OK;
		case RG_OP_SAVE:
			/* both: the record gets the versions either way */
			return rg_entry_save(e, op->u.saved.rec, op->u.saved.wall_ms)
				   | rg_entry_repl_kept(e, cfg, now_ms);
		case RG_OP_RESTORE:
			rg_entry_restore(e, cfg, op->u.saved.rec, op->u.saved.wall_ms,
					now_ms, chg, veto);
			return RG_OK;
		case RG_OP_PEER_BLOCK:
			return rg_entry_peer_block(e, cfg, op, now_ms, chg, veto);
		case RG_OP_PEER_UP:
			rg_entry_peer_up(e, cfg, op, now_ms, chg);
			return RG_OK;
		case RG_OP_PEER_CUT:
			rg_entry_peer_cut(e, cfg, op, now_ms, chg);
			return RG_OK;
		case RG_OP_PEER_DEMAND:
			rg_demand_peer(&e->cold->dm, &e->thr, op->u.peer_demand.place,
					op->u.peer_demand.word, op->u.peer_demand.fresh_ms, now_ms);
			return RG_OK;
		case RG_OP_CLUSTER_TICK:
			rg_demand_tick(&e->cold->dm, &e->thr, op->u.ctick.view, now_ms,
					op->u.ctick.out);
			op->u.ctick.key_len = rg_entry_key(e, op->u.ctick.key);
			return op->u.ctick.out->send;
		case RG_OP_NONE:
			return RG_OK;
	}
	return RG_OK; /* (not a kind: -Wswitch names a forgotten one) */
}
