/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/action.h"
#include "core/dprint.h"
#include "core/fmsg.h"
#include "core/kemi.h"
#include "core/route.h"

#include "rg_buf.h"
#include "rg_dst.h"
#include "rg_events.h"

static int rg_rt_down = -1;
static int rg_rt_up = -1;
static int rg_rt_throttled = -1;
static int rg_rt_unthrottled = -1;
static int rg_rt_set_guard = -1;
static int rg_rt_degraded = -1;
static int rg_rt_recovered = -1;
static int rg_rt_near = -1;
static int rg_rt_near_end = -1;
static int rg_ev_set = -1; /* $rg(set) while set-guard runs */
static str rg_ev_callback = STR_NULL;

static str rg_ev_name_down = str_init("replyguard:dst-down");
static str rg_ev_name_up = str_init("replyguard:dst-up");
static str rg_ev_name_throttled = str_init("replyguard:dst-throttled");
static str rg_ev_name_unthrottled = str_init("replyguard:dst-unthrottled");
static str rg_ev_name_set_guard = str_init("replyguard:set-guard");
static str rg_ev_name_degraded = str_init("replyguard:dst-degraded");
static str rg_ev_name_recovered = str_init("replyguard:dst-recovered");
static str rg_ev_name_near = str_init("replyguard:dst-near-limit");
static str rg_ev_name_near_end = str_init("replyguard:dst-near-limit-end");

static int lookup(const str *name)
{
	int rt = route_lookup(&event_rt, name->s);

	return (rt >= 0 && event_rt.rlist[rt] != NULL) ? rt : -1;
}

int rg_events_init(const str *event_callback)
{
	/* the message event routes are given: parsed once, here, before the
	 * workers are forked (the core parses it only when asked first) */
	if(faked_msg_init() < 0) {
		LM_ERR("cannot build the message event routes are given\n");
		return -1;
	}
	rg_ev_callback = *event_callback;
	if(rg_ev_callback.len > 0)
		return 0;
	rg_rt_down = lookup(&rg_ev_name_down);
	rg_rt_up = lookup(&rg_ev_name_up);
	rg_rt_throttled = lookup(&rg_ev_name_throttled);
	rg_rt_unthrottled = lookup(&rg_ev_name_unthrottled);
	rg_rt_set_guard = lookup(&rg_ev_name_set_guard);
	rg_rt_degraded = lookup(&rg_ev_name_degraded);
	rg_rt_recovered = lookup(&rg_ev_name_recovered);
	rg_rt_near = lookup(&rg_ev_name_near);
	rg_rt_near_end = lookup(&rg_ev_name_near_end);
	return 0;
}

static void run_event(int rt, str *evname, const struct rg_snapshot *snap)
{
	struct rg_dst_ctx saved;
	struct rg_dst dst;
	struct run_act_ctx ctx;
	sr_kemi_eng_t *keng = NULL;
	sip_msg_t *fmsg;
	str key;
	int backup_rt;

	if(rt < 0 && rg_ev_callback.len <= 0)
		return;
	if(rg_ev_callback.len > 0) {
		keng = sr_kemi_eng_get();
		if(keng == NULL) {
			LM_WARN("event_callback set but no KEMI engine: %.*s not run\n",
					evname->len, evname->s);
			return;
		}
	}
	key.s = (char *)snap->key;
	key.len = snap->key_len;
	if(rg_dst_resolve(&key, 0, &dst) != RG_OK)
		return; /* gone meanwhile */

	fmsg = faked_msg_next();
	/*
	 * Not the identity of a real message of this process. The core
	 * numbers faked messages and received ones apart, from 1 each, so a
	 * faked one can carry the id the next received one will; tm (and
	 * dialog) know a message by its id and pid and keep what they found
	 * for it. A script reading $T_reply_code here makes tm remember "no
	 * transaction" for that id, and the next reply this process reads
	 * would go unmatched, forwarded statelessly, its transaction left
	 * open (seen on 6.1, whose start-up takes one faked id). No process
	 * has pid 0.
	 */
	fmsg->pid = 0;
	rg_dst_ctx_save(&saved);
	rg_dst_set_current(fmsg, &dst, (uint32_t)snap->f[RG_F_BLOCKED_FOR]);
	backup_rt = get_route_type();
	set_route_type(EVENT_ROUTE);
	init_run_actions_ctx(&ctx);
	if(rt >= 0) {
		run_top_route(event_rt.rlist[rt], fmsg, &ctx);
	} else if(sr_kemi_route(keng, fmsg, EVENT_ROUTE, &rg_ev_callback, evname)
			  < 0) {
		LM_ERR("error running event_callback for %.*s\n", evname->len,
				evname->s);
	}
	set_route_type(backup_rt);
	rg_dst_ctx_restore(&saved);
}

static void apply_health(const struct rg_change *chg)
{
	switch(chg->ev) {
		case RG_EV_DOWN:
			LM_INFO("destination %s is down for %u s\n",
					rg_log_safe(chg->snap.key, chg->snap.key_len),
					(unsigned int)chg->snap.f[RG_F_BLOCKED_FOR]);
			run_event(rg_rt_down, &rg_ev_name_down, &chg->snap);
			break;
		case RG_EV_UP:
			LM_INFO("destination %s is up\n",
					rg_log_safe(chg->snap.key, chg->snap.key_len));
			run_event(rg_rt_up, &rg_ev_name_up, &chg->snap);
			break;
		case RG_EV_PROBING:
			LM_INFO("destination %s is probing: one trial call at a time\n",
					rg_log_safe(chg->snap.key, chg->snap.key_len));
			break;
		default:
			break;
	}
}

static void apply_throttle(const struct rg_change *chg)
{
	const struct rg_snapshot *s = &chg->snap;
	unsigned int lim = (unsigned int)s->f[RG_F_CPS_LIMIT];
	unsigned int recv = (unsigned int)s->f[RG_F_CPS_RECV];

	switch(chg->tev) {
		case RG_TEV_THROTTLED:
			LM_INFO("destination %s is throttled to %u.%03u cps (was "
					"receiving %u.%03u) after a 503 without Retry-After\n",
					rg_log_safe(s->key, s->key_len), lim / 1000, lim % 1000,
					recv / 1000, recv % 1000);
			run_event(rg_rt_throttled, &rg_ev_name_throttled, s);
			break;
		case RG_TEV_UNTHROTTLED:
			LM_INFO("destination %s is no longer throttled: %s\n",
					rg_log_safe(s->key, s->key_len),
					lim ? "its configured limit is in force" : "no limit");
			run_event(rg_rt_unthrottled, &rg_ev_name_unthrottled, s);
			break;
		default:
			break;
	}
}

static void apply_guard(const struct rg_change *chg)
{
	const struct rg_snapshot *s = &chg->snap;

	if(chg->guard_held >= 0)
		LM_NOTICE("destination %s: block skipped, set %d would be over "
				  "max_blocked_percent (counted in blocks_skipped; logged "
				  "once until its state changes)\n",
				rg_log_safe(s->key, s->key_len), chg->guard_held);
	if(chg->guard_full >= 0) {
		LM_WARN("set %d has reached max_blocked_percent (last: %s): "
				"inferred blocks in it are skipped\n",
				chg->guard_full, rg_log_safe(s->key, s->key_len));
		rg_ev_set = chg->guard_full;
		run_event(rg_rt_set_guard, &rg_ev_name_set_guard, s);
		rg_ev_set = -1;
	}
}

/* degraded, recovered, near its limit and below it again: information for
 * the script; nothing is blocked by them */
static void apply_quality(const struct rg_change *chg)
{
	const struct rg_snapshot *s = &chg->snap;
#define key rg_log_safe(s->key, s->key_len)

	if(chg->qev & RG_QEV_DEGRADED) {
		LM_NOTICE("destination %s is degraded (min_asr, max_isa or "
				  "max_srd_p95)\n",
				key);
		run_event(rg_rt_degraded, &rg_ev_name_degraded, s);
	} else if(chg->qev & RG_QEV_RECOVERED) {
		LM_NOTICE("destination %s is no longer degraded\n", key);
		run_event(rg_rt_recovered, &rg_ev_name_recovered, s);
	}
	if(chg->qev & RG_QEV_NEAR) {
		LM_NOTICE("destination %s admits near its CPS limit\n", key);
		run_event(rg_rt_near, &rg_ev_name_near, s);
	} else if(chg->qev & RG_QEV_NEAR_END) {
		LM_NOTICE("destination %s is no longer near its CPS limit\n", key);
		run_event(rg_rt_near_end, &rg_ev_name_near_end, s);
	}
#undef key
}

int rg_events_set(void)
{
	return rg_ev_set;
}

void rg_events_run(const struct rg_change *chg)
{
	apply_health(chg);
	apply_throttle(chg);
	apply_quality(chg);
	apply_guard(chg);
}
