/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dprint.h"
#include "core/hashes.h"
#include "core/locking.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/sr_module.h"
#include "core/xavp.h"
#include "modules/dispatcher/api.h"

#include "rg_host.h"
#include "rg_ops.h"
#include "rg_buf.h"
#include "rg_compat.h"
#include "rg_dispatcher.h"

static dispatcher_api_t rg_dsb;
static int rg_ds_bound = 0;
static int rg_ds_sync_on = 0;
static str rg_ds_xavp = STR_NULL;
static str rg_ds_grp = str_init("grp");
static str rg_ds_uri = str_init("uri");
/* the names' xavp hashes, computed once (xavp_get hashes on every call) */
static unsigned int rg_ds_xavp_id, rg_ds_grp_id, rg_ds_uri_id;
static rpc_export_t *rg_ds_set_state = NULL;
static int rg_ds_warned = 0;
/* one dispatcher sync at a time, in every process (see converge) */
static gen_lock_t *rg_ds_lock = NULL;
/* a snapshot is too big for a timer's stack frame to take lightly */
static struct rg_snapshot rg_ds_snap;

/*
 * dispatcher keeps the set and URI of the destination it selected in its
 * xavp only when its "flags" parameter has 2 (failover support); without
 * it replyguard cannot tell which entry to mark. Say so once, at start.
 */
static void check_ds_flags(void)
{
	struct sr_module *m = find_module_by_name("dispatcher");
	modparam_t type;
	int *flags;
	str *xavp;

	flags = find_param_export(m, "flags", PARAM_INT, &type);
	if(flags != NULL && !(*flags & 2))
		LM_WARN("dispatcher_sync is on but dispatcher's \"flags\" parameter "
				"lacks 2 (failover support), so dispatcher records no "
				"destination set: blocked destinations will NOT be marked "
				"inactive in dispatcher. Set modparam(\"dispatcher\", "
				"\"flags\", 2), or dispatcher_sync 0 to silence this\n");
	xavp = find_param_export(m, "xavp_dst", PARAM_STR, &type);
	if(xavp != NULL && xavp->s != NULL
			&& (xavp->len != rg_ds_xavp.len
					|| strncmp(xavp->s, rg_ds_xavp.s, (size_t)xavp->len)
							   != 0))
		LM_WARN("dispatcher's xavp_dst is [%.*s] but replyguard's "
				"ds_xavp_dst is [%.*s]: set them alike, or no destination "
				"will be marked inactive in dispatcher\n",
				xavp->len, xavp->s, rg_ds_xavp.len, rg_ds_xavp.s);
}

int rg_ds_init(int sync, const str *xavp_dst)
{
	rg_ds_sync_on = sync;
	rg_ds_xavp = *xavp_dst;
	rg_ds_xavp_id = get_hash1_raw(rg_ds_xavp.s, rg_ds_xavp.len);
	rg_ds_grp_id = get_hash1_raw(rg_ds_grp.s, rg_ds_grp.len);
	rg_ds_uri_id = get_hash1_raw(rg_ds_uri.s, rg_ds_uri.len);
	if(find_module_by_name("dispatcher") == NULL) {
		LM_DBG("dispatcher not loaded: no failover through it\n");
		return 0;
	}
	if(dispatcher_load_api(&rg_dsb) < 0) {
		LM_ERR("cannot bind the dispatcher API\n");
		return -1;
	}
	rg_ds_bound = 1;
	if(!sync)
		return 0;
	check_ds_flags();
	rg_ds_lock = lock_alloc();
	if(rg_ds_lock == NULL || lock_init(rg_ds_lock) == NULL) {
		LM_ERR("no shared memory for the dispatcher sync lock\n");
		return -1;
	}
	return 0;
}

/*
 * One line of dispatcher's list file: "setid uri [flags [priority
 * [attrs]]]", '#' starting a comment. 1 and the set and URI, 0 for a
 * line that holds none.
 */
static int list_line(char *line, int *set, struct rg_ext *x)
{
	char *p = line, *u;
	int digits = 0;

	while(*p == ' ' || *p == '\t')
		p++;
	*set = 0;
	while(*p >= '0' && *p <= '9') {
		if(++digits > 9)
			return 0; /* no set dispatcher would read */
		*set = *set * 10 + (*p++ - '0');
	}
	if(digits == 0 || (*p != ' ' && *p != '\t'))
		return 0;
	while(*p == ' ' || *p == '\t')
		p++;
	u = p;
	while(*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n'
			&& *p != '#')
		p++;
	/* dispatcher routes to SIP URIs: anything else is no destination */
	if(p - u < 5
			|| (strncasecmp(u, "sip:", 4) != 0
					&& strncasecmp(u, "sips:", 5) != 0))
		return 0;
	x->tag = *set;
	x->name = u;
	x->len = (int)(p - u);
	return 1;
}

void rg_ds_seed(void)
{
	struct sr_module *m = find_module_by_name("dispatcher");
	char line[1024], key[RG_KEY_MAX + 1];
	struct rg_summary sum;
	struct rg_ext x;
	modparam_t type;
	char **file;
	size_t len;
	str *db;
	int set, n = 0, skipped = 0, klen;
	FILE *f;

	if(!rg_ds_bound)
		return;
	db = find_param_export(m, "db_url", PARAM_STR, &type);
	if(db != NULL && db->s != NULL && db->len > 0) {
		LM_INFO("ds_seed: dispatcher reads a database; its destinations "
				"appear with their first call\n");
		return;
	}
	file = find_param_export(m, "list_file", PARAM_STRING, &type);
	if(file == NULL || *file == NULL || (f = fopen(*file, "r")) == NULL) {
		LM_WARN("ds_seed: cannot read dispatcher's list_file [%s]: no "
				"destination seeded\n",
				(file && *file) ? *file : "");
		return;
	}
	while(fgets(line, sizeof(line), f) != NULL) {
		len = strlen(line);
		if(len == sizeof(line) - 1 && line[len - 1] != '\n') {
			/* a longer line than dispatcher reads: skip all of it */
			while(fgets(line, sizeof(line), f) != NULL
					&& line[strlen(line) - 1] != '\n')
				;
			skipped++;
			continue;
		}
		if(!list_line(line, &set, &x))
			continue;
		klen = rg_key_normalize(x.name, (size_t)x.len, key);
		rg_table_summary(rg_tbl, &sum);
		/* seeds never take more than half the table from calls */
		if(klen < 0 || sum.tracked >= sum.capacity / 2
				|| rg_op_seed(rg_tbl, key, klen, &x, rg_now_ms()) != RG_OK) {
			skipped++;
			continue;
		}
		n++;
	}
	fclose(f);
	rg_table_summary(rg_tbl, &sum);
	LM_INFO("ds_seed: %d (set, destination) lines from %s seeded, %d "
			"skipped (a bad line, or half of max_destinations reached); "
			"%u destinations tracked\n",
			n, *file, skipped, sum.tracked);
}

void rg_ds_destroy(void)
{
	if(rg_ds_lock != NULL) {
		lock_destroy(rg_ds_lock);
		lock_dealloc(rg_ds_lock);
		rg_ds_lock = NULL;
	}
}

/* the first xavp named `name` (hash `id`) in the list `x`: as xavp_get
 * finds it, without hashing the name again */
static sr_xavp_t *find_xavp(sr_xavp_t *x, const str *name, unsigned int id)
{
	for(; x != NULL; x = x->next) {
		if(x->id == id && x->name.len == name->len
				&& memcmp(x->name.s, name->s, (size_t)name->len) == 0)
			return x;
	}
	return NULL;
}

int rg_ds_ext(struct sip_msg *msg, const str *raw, struct rg_ext *ext)
{
	sr_xavp_t **list;
	sr_xavp_t *d, *g, *u;
	long tag;

	if(!rg_ds_bound || !rg_ds_sync_on || rg_ds_xavp.len <= 0)
		return 0;
	/* the destination's record once, then its two fields: every call
	 * comes here, and each lookup hashes and walks the list */
	list = xavp_get_crt_list();
	d = list ? find_xavp(*list, &rg_ds_xavp, rg_ds_xavp_id) : NULL;
	if(d == NULL || d->val.type != SR_XTYPE_XAVP)
		return 0;
	g = find_xavp(d->val.v.xavp, &rg_ds_grp, rg_ds_grp_id);
	u = find_xavp(d->val.v.xavp, &rg_ds_uri, rg_ds_uri_id);
	/* most often the very bytes (raw is $du, which dispatcher set) */
	if(g == NULL || !rg_xavp_int(&g->val, &tag) || u == NULL
			|| u->val.type != SR_XTYPE_STR || u->val.v.s.len != raw->len
			|| (memcmp(u->val.v.s.s, raw->s, (size_t)raw->len) != 0
					&& strncasecmp(u->val.v.s.s, raw->s, (size_t)raw->len)
							   != 0))
		return 0;
	ext->tag = (int)tag;
	ext->name = u->val.v.s.s;
	ext->len = u->val.v.s.len;
	return 1;
}

/* ---- a minimal rpc_t: positional string arguments in, a fault out ---- */

struct rg_rpc_call
{
	str args[3];
	int nargs;
	int next;
	int fault;
	char why[128];
};

static void call_fault(void *ctx, int code, char *fmt, ...)
{
	struct rg_rpc_call *c = ctx;
	va_list ap;

	c->fault = code;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

static int call_scan(void *ctx, char *fmt, ...)
{
	struct rg_rpc_call *c = ctx;
	int n = 0;
	va_list ap;

	va_start(ap, fmt);
	for(; *fmt; fmt++) {
		if(*fmt == '*' || *fmt == '.')
			continue;
		if(c->next >= c->nargs)
			break;
		if(*fmt == 'S')
			*va_arg(ap, str *) = c->args[c->next++];
		else if(*fmt == 'd')
			*va_arg(ap, int *) = atoi(c->args[c->next++].s);
		else
			break;
		n++;
	}
	va_end(ap);
	return n;
}

static int call_printf(void *ctx, char *fmt, ...)
{
	return 0;
}

static int call_refuse(void *ctx, char *fmt, ...)
{
	return -1;
}

static int call_send(void *ctx)
{
	return 0;
}

static int rpc_call(
		rpc_export_t *cmd, const char *a0, const char *a1, const char *a2)
{
	struct rg_rpc_call c;
	rpc_t rpc;

	memset(&c, 0, sizeof(c));
	c.args[0].s = (char *)a0;
	c.args[1].s = (char *)a1;
	c.args[2].s = (char *)a2;
	c.args[0].len = (int)strlen(a0);
	c.args[1].len = (int)strlen(a1);
	c.args[2].len = (int)strlen(a2);
	c.nargs = 3;
	memset(&rpc, 0, sizeof(rpc));
	rpc.fault = call_fault;
	rpc.send = call_send;
	rpc.scan = call_scan;
	rpc.rpl_printf = call_printf;
	rpc.add = call_refuse;
	rpc.struct_add = (rpc_struct_add_f)call_refuse;
	rpc.array_add = (rpc_array_add_f)call_refuse;
	rpc.struct_scan = (rpc_struct_scan_f)call_refuse;
	rpc.struct_printf = (rpc_struct_printf_f)call_refuse;
	cmd->function(&rpc, &c);
	if(c.fault) {
		LM_WARN("dispatcher.set_state %s %s %s failed: %d %s; replyguard "
				"forgets that set for it\n",
				a0, a1, rg_log_safe(a2, (int)strlen(a2)), c.fault, c.why);
		return -1;
	}
	return 0;
}

/*
 * Make dispatcher show the entry `ref` as replyguard has it now: every
 * (set, name) pair inactive while it is down, active otherwise. Changes
 * are applied after the table's lock is dropped, so two processes could
 * apply theirs out of order (an RPC unblock racing a worker's block). The
 * sync lock puts every application in one order, and each one reads the
 * entry's state when it runs, not the state its change saw: the last one
 * to run applies the latest state. With `force`, pairs dispatcher should
 * already have right are set again (the timer's re-assertion, which also
 * repairs what a dispatcher.reload undid).
 */
static void converge(const struct rg_ref *ref, int force)
{
	struct rg_snapshot *s = &rg_ds_snap;
	struct rg_ext_pair *p;
	const char *state;
	char grp[16];
	int i, want, changed = 0, rc;

	lock_get(rg_ds_lock);
	if(rg_op_snapshot(rg_tbl, ref, rg_now_ms(), s) != RG_OK)
		goto done;
	want = s->f[RG_F_STATE] == RG_DOWN;
	state = want ? "i" : "a";
	for(i = 0; i < s->ext_npairs; i++) {
		p = &s->ext_pairs[i];
		if(!force && p->inactive == want)
			continue;
		snprintf(grp, sizeof(grp), "%d", (int)p->tag);
		rc = rpc_call(rg_ds_set_state, state, grp, s->ext_names[p->name]);
		if(rc == 0) {
			if(p->inactive != want)
				LM_INFO("dispatcher: %s in set %s is now %s\n",
						rg_log_safe(s->ext_names[p->name],
								(int)strlen(s->ext_names[p->name])),
						grp, want ? "inactive" : "active");
			p->inactive = (uint8_t)want;
		} else {
			/* dispatcher no longer lists it there (a reload) */
			p->gone = 1;
		}
		changed = 1;
	}
	if(changed)
		rg_op_ext_mark(rg_tbl, ref, s);
done:
	lock_release(rg_ds_lock);
}

static int ready(void)
{
	if(!rg_ds_bound || !rg_ds_sync_on)
		return 0;
	if(rg_ds_set_state == NULL) {
		rg_ds_set_state = rpc_lookup("dispatcher.set_state",
				sizeof("dispatcher.set_state") - 1);
		if(rg_ds_set_state == NULL) {
			if(!rg_ds_warned)
				LM_WARN("dispatcher.set_state not found: cannot sync\n");
			rg_ds_warned = 1;
			return 0;
		}
	}
	return 1;
}

void rg_ds_sync(const struct rg_change *chg)
{
	if(chg->ev == RG_EV_NONE || chg->snap.ext_npairs == 0 || !ready())
		return;
	converge(&chg->ref, 0);
}

void rg_ds_reassert(void)
{
	unsigned int slot, cap;
	struct rg_ref ref;

	if(!ready())
		return;
	cap = rg_table_capacity(rg_tbl);
	for(slot = 0; slot < cap; slot++) {
		if(rg_op_ext_pending_slot(rg_tbl, slot, &ref))
			converge(&ref, 1);
	}
}

int rg_ds_next(struct sip_msg *msg)
{
	if(!rg_ds_bound)
		return -1;
	return rg_dsb.next(msg, 0) > 0 ? 1 : -1;
}
