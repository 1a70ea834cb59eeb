/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "rg_cluster.h"
#include "rg_dispatcher.h"
#include "rg_events.h"
#include "rg_host.h"
#include "rg_later.h"
#include "rg_update.h"
#include "rg_webhook.h"

/* the script's part of a change: dispatcher, then the event routes */
static void scripted(const struct rg_change *chg)
{
	if(chg->ev != RG_EV_NONE)
		rg_ds_sync(chg);
	rg_events_run(chg);
}

/*
 * The one place a change is applied: after the table's lock is dropped;
 * the cluster first (what the entry marked for it: never what came from
 * a peer), so the peers do not wait for the event routes. The cluster and
 * the webhook only queue for their own processes; what runs script code
 * waits while a transaction is current (rg_later.h).
 */
static void apply(const struct rg_change *chg)
{
	if(chg->pub)
		rg_cluster_publish(chg);
	if(!rg_change_any(chg))
		return;
	if(chg->ev == RG_EV_DOWN || chg->ev == RG_EV_UP || chg->tev != RG_TEV_NONE
			|| chg->qev != 0)
		rg_webhook_notify(chg);
	rg_later_apply(chg);
}

int rg_update_init(unsigned int later_size)
{
	return rg_later_init(later_size, scripted);
}

int rg_update_admit(const char *key, int len, uint32_t hash,
		const struct rg_ext *ext, uint32_t ext_fp, uint64_t now_ms,
		struct rg_admission *adm)
{
	struct rg_change chg;
	int rc = rg_op_admit_h(
			rg_tbl, key, len, hash, ext, ext_fp, now_ms, adm, &chg);

	if(rc != RG_EFULL)
		apply(&chg);
	return rc;
}

int rg_update_reply(
		const struct rg_ref *ref, const struct rg_reply *r, uint64_t now_ms)
{
	struct rg_change chg;
	int rc = rg_op_reply(rg_tbl, ref, r, now_ms, &chg);

	if(rc != RG_ESTALE)
		apply(&chg);
	return rc;
}

int rg_update_timeout(const struct rg_ref *ref, int failure, int release,
		uint64_t trial, uint64_t now_ms)
{
	struct rg_change chg;
	int rc = rg_op_timeout(rg_tbl, ref, failure, release, trial, now_ms, &chg);

	if(rc != RG_ESTALE)
		apply(&chg);
	return rc;
}

int rg_update_unadmit(const struct rg_ref *ref, uint64_t admitted_ms, int held,
		uint64_t trial)
{
	return rg_op_unadmit(rg_tbl, ref, admitted_ms, held, trial, rg_now_ms());
}

int rg_update_release(const struct rg_ref *ref)
{
	return rg_op_release(rg_tbl, ref);
}

int rg_update_call_end(const struct rg_ref *ref, uint64_t ms, int counted,
		int release, uint64_t now_ms)
{
	return rg_op_call_end(rg_tbl, ref, ms, counted, release, now_ms);
}

int rg_update_set_limit(const char *key, int len, const struct rg_limit *lim,
		enum rg_limit_src src, uint32_t gen, uint64_t now_ms, int quiet)
{
	struct rg_change chg;
	int rc = rg_op_set_limit(
			rg_tbl, key, len, lim, src, gen, now_ms, NULL, &chg);

	/* (the cluster hears of a limit only when it changed: script may set
	 * the same one on every call) */
	if(rc == RG_OK && !quiet)
		apply(&chg);
	return rc;
}

unsigned int rg_update_limits_sweep(uint32_t gen, int quiet)
{
	struct rg_change chg;
	unsigned int slot, n = 0, cap = rg_table_capacity(rg_tbl);
	uint64_t now = rg_now_ms();

	for(slot = 0; slot < cap; slot++) {
		if(!rg_op_sweep_slot(rg_tbl, slot, gen, now, &chg))
			continue;
		n++;
		if(!quiet)
			apply(&chg);
	}
	return n;
}

int rg_update_block(const struct rg_ref *ref, uint32_t seconds)
{
	struct rg_change chg;
	int rc = rg_op_block(rg_tbl, ref, seconds, rg_now_ms(), &chg);

	/* the cluster hears of it even when it was down already: the peers'
	 * own blocks may end */
	if(rc == RG_OK)
		apply(&chg);
	return rc;
}

int rg_update_unblock(const struct rg_ref *ref)
{
	struct rg_change chg;
	int rc = rg_op_unblock(rg_tbl, ref, rg_now_ms(), &chg);

	if(rc == RG_OK)
		apply(&chg);
	return rc;
}

void rg_update_tick_all(void)
{
	struct rg_change chg;
	unsigned int slot, cap = rg_table_capacity(rg_tbl);
	uint64_t now = rg_now_ms();

	for(slot = 0; slot < cap; slot++) {
		if(rg_op_tick_slot(rg_tbl, slot, now, &chg))
			apply(&chg);
	}
}

/* a peer's write, once applied: reported as its writer's */
static int apply_peer(int rc, struct rg_change *chg, const char *origin)
{
	if(rc != RG_OK)
		return rc;
	snprintf(chg->origin, sizeof(chg->origin), "%s", origin);
	apply(chg);
	return rc;
}

int rg_update_peer_block(const char *key, int len, uint64_t left_ms,
		int reason, uint32_t ra_s, const struct rg_ver *ver,
		const char *origin)
{
	struct rg_change chg;

	return apply_peer(rg_op_peer_block(rg_tbl, key, len, left_ms, reason,
							  ra_s, ver, rg_now_ms(), &chg),
			&chg, origin);
}

int rg_update_peer_unblock(const char *key, int len, const struct rg_ver *ver,
		uint64_t keep_ms, const char *origin)
{
	struct rg_change chg;

	return apply_peer(
			rg_op_peer_up(rg_tbl, key, len, ver, keep_ms, rg_now_ms(), &chg),
			&chg, origin);
}

int rg_update_peer_limit(const char *key, int len, const struct rg_limit *lim,
		const struct rg_ver *ver, const char *origin)
{
	struct rg_change chg;

	return apply_peer(
			rg_op_peer_limit(rg_tbl, key, len, lim, ver, rg_now_ms(), &chg),
			&chg, origin);
}

int rg_update_peer_cut(const char *key, int len, uint32_t cur_mcps,
		uint32_t ceil_mcps, const struct rg_ver *ver, const char *origin)
{
	struct rg_change chg;

	return apply_peer(rg_op_peer_cut(rg_tbl, key, len, cur_mcps, ceil_mcps,
							  ver, rg_now_ms(), &chg),
			&chg, origin);
}
