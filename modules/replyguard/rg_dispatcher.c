/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/sr_module.h"
#include "core/xavp.h"
#include "modules/dispatcher/api.h"

#include "rg_dispatcher.h"

static dispatcher_api_t rg_dsb;
static int rg_ds_bound = 0;
static int rg_ds_sync_on = 0;
static str rg_ds_xavp = STR_NULL;
static str rg_ds_grp = str_init("grp");
static str rg_ds_uri = str_init("uri");
static rpc_export_t *rg_ds_set_state = NULL;

int rg_ds_init(int sync, const str *xavp_dst)
{
	rg_ds_sync_on = sync;
	rg_ds_xavp = *xavp_dst;
	if(find_module_by_name("dispatcher") == NULL) {
		LM_DBG("dispatcher not loaded: no failover through it\n");
		return 0;
	}
	if(dispatcher_load_api(&rg_dsb) < 0) {
		LM_ERR("cannot bind the dispatcher API\n");
		return -1;
	}
	rg_ds_bound = 1;
	return 0;
}

int rg_ds_ext(struct sip_msg *msg, const str *raw, struct rg_ext *ext)
{
	sr_xavp_t *g, *u;

	if(!rg_ds_bound || !rg_ds_sync_on || rg_ds_xavp.len <= 0)
		return 0;
	g = xavp_get_child_with_ival(&rg_ds_xavp, &rg_ds_grp);
	u = xavp_get_child_with_sval(&rg_ds_xavp, &rg_ds_uri);
	if(g == NULL || u == NULL || u->val.v.s.len != raw->len
			|| strncasecmp(u->val.v.s.s, raw->s, (size_t)raw->len) != 0)
		return 0;
	ext->tag = (int)g->val.v.i;
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
		LM_WARN("dispatcher.set_state %s %s %s failed: %d %s\n", a0, a1, a2,
				c.fault, c.why);
		return -1;
	}
	return 0;
}

void rg_ds_sync(const struct rg_change *chg)
{
	char grp[16];
	const char *state;
	int i;

	if(!rg_ds_bound || !rg_ds_sync_on || chg->ev == RG_EV_NONE
			|| chg->snap.ext_name[0] == '\0')
		return;
	if(rg_ds_set_state == NULL) {
		rg_ds_set_state = rpc_lookup("dispatcher.set_state",
				sizeof("dispatcher.set_state") - 1);
		if(rg_ds_set_state == NULL) {
			LM_WARN("dispatcher.set_state not found: cannot sync\n");
			return;
		}
	}
	/* inactive, without dispatcher's probing flag: replyguard ends it */
	state = chg->ev == RG_EV_DOWN ? "i" : "a";
	for(i = 0; i < chg->snap.ext_ntags; i++) {
		snprintf(grp, sizeof(grp), "%d", chg->snap.ext_tags[i]);
		if(rpc_call(rg_ds_set_state, state, grp, chg->snap.ext_name) == 0)
			LM_INFO("dispatcher: %s in set %s is now %s\n",
					chg->snap.ext_name, grp,
					chg->ev == RG_EV_DOWN ? "inactive" : "active");
	}
}

int rg_ds_next(struct sip_msg *msg)
{
	if(!rg_ds_bound)
		return -1;
	return rg_dsb.next(msg, 0) > 0 ? 1 : -1;
}
