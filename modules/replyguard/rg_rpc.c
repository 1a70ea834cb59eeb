/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RPC commands: replyguard.list, .get, .reset, .summary, .block,
 * .unblock, .set_limit, .reload.
 *
 * Entries are copied out under their lock (rg_op_snapshot*) and
 * printed afterwards, so no table lock is held while RPC output is built.
 */
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"

#include "rg_branch.h"
#include "rg_cluster.h"
#include "rg_dst.h"
#include "rg_host.h"
#include "rg_later.h"
#include "rg_limit_admin.h"
#include "rg_limits_db.h"
#include "rg_limits_loader.h"
#include "rg_rpc.h"
#include "rg_update.h"
#include "rg_webhook.h"
#include "rg_xhttp.h"

/*
 * Counters are 64-bit; binrpc (kamcmd) prints 64-bit numbers as doubles,
 * so values that fit are sent as 32-bit integers and only larger ones
 * as 64-bit.
 */
static int add_u64(rpc_t *rpc, void *th, const char *name, uint64_t v)
{
	if(v <= UINT32_MAX)
		return rpc->struct_add(th, "u", name, (unsigned int)v);
	return rpc->struct_add(th, "J", name, (unsigned long long)v);
}

/* one value as rg_fields.h says RPC shows it */
static int add_fval(rpc_t *rpc, void *th, const struct rg_fval *v)
{
	switch(v->type) {
		case RG_FV_STR:
			return rpc->struct_add(th, "s", v->name, v->str);
		case RG_FV_INT:
			return rpc->struct_add(th, "d", v->name, (int)rg_fval_int(v));
		case RG_FV_TENTH:
			return rpc->struct_add(th, "f", v->name, (double)v->num / 10.0);
		case RG_FV_MILLI:
			return rpc->struct_add(th, "f", v->name, (double)v->num / 1000.0);
		case RG_FV_UINT:
		case RG_FV_BOOL:
			break;
	}
	return add_u64(rpc, th, v->name, v->num);
}

static int add_counters(
		rpc_t *rpc, void *th, const uint64_t ctr[RG_C_COUNT])
{
	int c;

	for(c = 0; c < RG_C_COUNT; c++) {
		if(add_u64(rpc, th, rg_counter_name(c), ctr[c]) < 0)
			return -1;
	}
	return 0;
}

static int add_fields(rpc_t *rpc, void *th, const struct rg_snapshot *s)
{
	struct rg_fval v[2];
	int f, i, n;

	for(f = 0; f < RG_F_COUNT; f++) {
		n = rg_field_show((enum rg_field)f, s->f[f], RG_OUT_RPC, v);
		for(i = 0; i < n; i++) {
			if(add_fval(rpc, th, &v[i]) < 0)
				return -1;
		}
	}
	return 0;
}

/* the 503s by Reason cause: "q850_34", "sip_404", and "other" */
static int add_causes(
		rpc_t *rpc, void *th, const struct rg_cause_counts *cc)
{
	char name[16];
	void *ch;
	int k;

	if(rpc->struct_add(th, "{", "replies_503_causes", &ch) < 0)
		return -1;
	for(k = 0; k < RG_CAUSE_SLOTS && cc->slot[k].proto != RG_CAUSE_NONE; k++) {
		snprintf(name, sizeof(name), "%s_%u",
				cc->slot[k].proto == RG_CAUSE_Q850 ? "q850" : "sip",
				(unsigned int)cc->slot[k].num);
		if(rpc->struct_add(ch, "u", name, (unsigned int)cc->slot[k].n) < 0)
			return -1;
	}
	if(cc->other != 0
			&& rpc->struct_add(ch, "u", "other", (unsigned int)cc->other) < 0)
		return -1;
	return 0;
}

static int add_dst(rpc_t *rpc, void *ctx, const struct rg_snapshot *s)
{
	void *th, *wh;
	str key;

	key.s = (char *)s->key;
	key.len = s->key_len;
	if(rpc->add(ctx, "{", &th) < 0)
		return -1;
	if(rpc->struct_add(th, "S", "dst", &key) < 0)
		return -1;
	if(add_fields(rpc, th, s) < 0 || add_counters(rpc, th, s->ctr) < 0)
		return -1;
	if(add_causes(rpc, th, &s->causes) < 0)
		return -1;
	if(rpc->struct_add(th, "{", "window", &wh) < 0)
		return -1;
	if(rpc->struct_add(wh, "u", "seconds", (unsigned int)rg_window_s) < 0)
		return -1;
	return add_counters(rpc, wh, s->win);
}

/*
 * Find (or, with `create`, add) the destination `raw` names; on failure
 * the RPC fault is sent and -1 returned.
 */
static int resolve_dst(
		rpc_t *rpc, void *ctx, const str *raw, int create, struct rg_dst *dst)
{
	char tmp[RG_KEY_MAX + 1];

	switch(rg_dst_resolve(raw, create, dst)) {
		case RG_OK:
			return 0;
		case RG_EBADKEY:
			rpc->fault(ctx, 400, "invalid destination: %s",
					rg_key_strerror(rg_key_normalize(raw->s, raw->len, tmp)));
			return -1;
		case RG_EFULL:
			rpc->fault(ctx, 503, "destination table full");
			return -1;
		default:
			rpc->fault(ctx, 404, "destination not found");
			return -1;
	}
}

/* Read the destination argument and find it; faults sent on failure. */
static int scan_dst(rpc_t *rpc, void *ctx, struct rg_dst *dst)
{
	str raw = STR_NULL;

	if(rpc->scan(ctx, "S", &raw) < 1) {
		rpc->fault(ctx, 400, "destination parameter missing");
		return -1;
	}
	return resolve_dst(rpc, ctx, &raw, 0, dst);
}

static int rg_rpc_list_max; /* read-only once set */

static const char *rg_rpc_list_doc[2] = {
		"List tracked destinations with their counters, at most "
		"rpc_list_max a call: replyguard.list [offset [limit]]",
		0};

static void rg_rpc_list(rpc_t *rpc, void *ctx)
{
	struct rg_snapshot snap;
	unsigned int slot, cap = rg_table_capacity(rg_tbl);
	uint64_t now = rg_now_ms();
	int offset = 0, limit = rg_rpc_list_max, seen = 0, shown = 0;

	/* both optional: the scan stops at the first one missing */
	rpc->scan(ctx, "*dd", &offset, &limit);
	if(offset < 0 || limit < 1 || limit > rg_rpc_list_max) {
		rpc->fault(ctx, 400, "need offset >= 0 and limit 1..%d",
				rg_rpc_list_max);
		return;
	}
	for(slot = 0; slot < cap && shown < limit; slot++) {
		if(rg_op_snapshot_slot(rg_tbl, slot, now, &snap) != RG_OK)
			continue;
		if(seen++ < offset)
			continue;
		shown++;
		if(add_dst(rpc, ctx, &snap) < 0) {
			rpc->fault(ctx, 500, "cannot build the reply");
			return;
		}
	}
}

static const char *rg_rpc_get_doc[2] = {
		"Show one destination: replyguard.get dst", 0};

static void rg_rpc_get(rpc_t *rpc, void *ctx)
{
	struct rg_snapshot snap;
	struct rg_dst dst;

	if(scan_dst(rpc, ctx, &dst) < 0)
		return;
	if(rg_op_snapshot(rg_tbl, &dst.ref, rg_now_ms(), &snap) != RG_OK) {
		rpc->fault(ctx, 404, "destination not found");
		return;
	}
	if(add_dst(rpc, ctx, &snap) < 0)
		rpc->fault(ctx, 500, "cannot build the reply");
}

static const char *rg_rpc_reset_doc[2] = {
		"Zero the counters of one destination, or of all: "
		"replyguard.reset [dst]",
		0};

static void rg_rpc_reset(rpc_t *rpc, void *ctx)
{
	struct rg_dst dst;
	str raw = STR_NULL;

	if(rpc->scan(ctx, "*S", &raw) < 1) {
		rg_op_reset(rg_tbl, NULL, rg_now_ms());
		rpc->rpl_printf(ctx, "ok");
		return;
	}
	if(resolve_dst(rpc, ctx, &raw, 0, &dst) < 0)
		return;
	if(rg_op_reset(rg_tbl, &dst.ref, rg_now_ms()) != RG_OK) {
		rpc->fault(ctx, 404, "destination not found");
		return;
	}
	rpc->rpl_printf(ctx, "ok");
}

static const char *rg_rpc_summary_doc[2] = {
		"Table usage and module totals.", 0};

static void rg_rpc_summary(rpc_t *rpc, void *ctx)
{
	struct rg_page_cache_stats pc;
	struct rg_webhook_stats w;
	struct rg_later_stats l;
	struct rg_txn_stats x;
	struct rg_summary s;
	void *th;

	rg_table_summary(rg_tbl, &s);
	rg_webhook_get_stats(&w);
	rg_xhttp_page_stats(&pc);
	rg_branch_pool_stats(&x);
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "uu", "destinations", s.tracked, "capacity",
			s.capacity);
	add_u64(rpc, th, "evictions", s.evictions);
	add_u64(rpc, th, "refused_full", s.refused_full);
	add_u64(rpc, th, "refused_bad_key", s.refused_key);
	add_u64(rpc, th, "stale_refs", s.stale_refs);
	add_u64(rpc, th, "unheld_release", s.unheld_release);
	add_u64(rpc, th, "guard_untracked", s.guard_untracked);
	add_u64(rpc, th, "page_builds", pc.builds);
	add_u64(rpc, th, "page_cache_hits", pc.hits);
	add_u64(rpc, th, "webhook_sent", w.sent);
	add_u64(rpc, th, "webhook_failed", w.failed);
	add_u64(rpc, th, "webhook_dropped", w.dropped);
	add_u64(rpc, th, "webhook_replaced", w.replaced);
	add_u64(rpc, th, "webhook_retries", w.retries);
	rpc->struct_add(th, "u", "webhook_queued", w.queued);
	add_u64(rpc, th, "txn_slots", x.size);
	add_u64(rpc, th, "txn_in_use", x.in_use);
	add_u64(rpc, th, "txn_borrowed", x.borrowed);
	add_u64(rpc, th, "txn_lent", x.lent);
	add_u64(rpc, th, "txn_failed", x.failed);
	rg_later_stats(&l);
	add_u64(rpc, th, "events_deferred", l.deferred);
	add_u64(rpc, th, "events_dropped", l.dropped);
	rpc->struct_add(th, "u", "events_waiting", l.waiting);
}

static const char *rg_rpc_block_doc[2] = {
		"Block a destination for some seconds: replyguard.block dst seconds",
		0};

static void rg_rpc_block(rpc_t *rpc, void *ctx)
{
	struct rg_dst dst;
	str raw = STR_NULL;
	int secs = 0;

	if(rpc->scan(ctx, "Sd", &raw, &secs) < 2) {
		rpc->fault(ctx, 400, "usage: replyguard.block dst seconds");
		return;
	}
	if(secs <= 0 || secs > 31536000) {
		rpc->fault(ctx, 400, "seconds must be 1..31536000");
		return;
	}
	if(resolve_dst(rpc, ctx, &raw, 1, &dst) < 0)
		return;
	if(rg_update_block(&dst.ref, (uint32_t)secs) != RG_OK) {
		rpc->fault(ctx, 500, "cannot block");
		return;
	}
	rpc->rpl_printf(ctx, "ok");
}

static const char *rg_rpc_unblock_doc[2] = {
		"End a destination's block: replyguard.unblock dst", 0};

static void rg_rpc_unblock(rpc_t *rpc, void *ctx)
{
	struct rg_dst dst;

	if(scan_dst(rpc, ctx, &dst) < 0)
		return;
	if(rg_update_unblock(&dst.ref) != RG_OK) {
		rpc->fault(ctx, 404, "destination not found");
		return;
	}
	rpc->rpl_printf(ctx, "ok");
}

static const char *rg_rpc_set_limit_doc[2] = {
		"Set a destination's throttle: replyguard.set_limit dst cps [burst "
		"[max_concurrent]] (cps may have decimals; 0 = no limit)",
		0};

static void rg_rpc_set_limit(rpc_t *rpc, void *ctx)
{
	str raw = STR_NULL, cps = STR_NULL;
	const char *err = NULL;
	int burst = -1, maxc = -1, n, code;

	/* all optional, so that a missing one is our 400, not a logged error;
	 * cps as text: "2.5" keeps its decimals (kamcmd: s:2.5) */
	n = rpc->scan(ctx, "*S.Sdd", &raw, &cps, &burst, &maxc);
	if(n < 2) {
		rpc->fault(ctx, 400,
				"usage: replyguard.set_limit dst cps [burst [max_concurrent]]");
		return;
	}
	if((n > 2 && burst < 1) || (n > 3 && maxc < 0)) {
		rpc->fault(ctx, 400, "burst must be >= 1 and max_concurrent >= 0");
		return;
	}
	if(rg_limit_set(&raw, &cps, burst, maxc, &err, &code) < 0) {
		rpc->fault(ctx, code, "%s", err);
		return;
	}
	rpc->rpl_printf(ctx, "ok");
}

static const char *rg_rpc_reload_doc[2] = {
		"Re-read the limits (db_url's table, else limits_file); on any bad "
		"line or row, or a database error, nothing changes. A database "
		"that does not answer within db_timeout_ms fails the reload.",
		0};

static void rg_rpc_reload(rpc_t *rpc, void *ctx)
{
	const char *file;
	char err[256];
	void *th;
	int n = 0;

	if(rg_limits_db_on()) {
		if(rg_limits_loader_reload(&n, err, sizeof(err)) < 0) {
			LM_ERR("replyguard.reload: %s\n", err);
			rpc->fault(ctx, 500, "%s", err);
			return;
		}
		LM_INFO("replyguard.reload: %d destinations from table %s\n", n,
				rg_limits_db_table());
		if(rpc->add(ctx, "{", &th) < 0)
			return;
		rpc->struct_add(th, "sd", "table", rg_limits_db_table(), "destinations", n);
		return;
	}
	file = rg_limits_file();
	if(file == NULL) {
		rpc->fault(ctx, 500, "no limits_file is configured");
		return;
	}
	if(rg_limits_load(file, 0, &n, err, sizeof(err)) < 0) {
		LM_ERR("replyguard.reload: %s\n", err);
		rpc->fault(ctx, 500, "%s", err);
		return;
	}
	LM_INFO("replyguard.reload: %d destinations from %s\n", n, file);
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "sd", "file", file, "destinations", n);
}

static const char *rg_rpc_cluster_doc[2] = {
		"This node, its cluster peers (address, state, last seen) and the "
		"messages sent, received and dropped",
		0};

static rpc_export_t rg_rpc_cmds[] = {
		{"replyguard.list", rg_rpc_list, rg_rpc_list_doc, RET_ARRAY},
		{"replyguard.get", rg_rpc_get, rg_rpc_get_doc, 0},
		{"replyguard.reset", rg_rpc_reset, rg_rpc_reset_doc, 0},
		{"replyguard.summary", rg_rpc_summary, rg_rpc_summary_doc, 0},
		{"replyguard.block", rg_rpc_block, rg_rpc_block_doc, 0},
		{"replyguard.unblock", rg_rpc_unblock, rg_rpc_unblock_doc, 0},
		{"replyguard.set_limit", rg_rpc_set_limit, rg_rpc_set_limit_doc, 0},
		{"replyguard.reload", rg_rpc_reload, rg_rpc_reload_doc, 0},
		{"replyguard.cluster", rg_cluster_rpc, rg_rpc_cluster_doc, 0},
		{0, 0, 0, 0}};

int rg_rpc_init(int list_max)
{
	rg_rpc_list_max = list_max;
	if(rpc_register_array(rg_rpc_cmds) != 0) {
		LM_ERR("cannot register the RPC commands\n");
		return -1;
	}
	return 0;
}
