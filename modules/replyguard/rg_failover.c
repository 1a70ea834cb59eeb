/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/ut.h"
#include "modules/tm/h_table.h"
#include "modules/tm/t_lookup.h"

#include "rg_branch.h"
#include "rg_codes.h"
#include "rg_dispatcher.h"
#include "rg_dst.h"
#include "rg_failover.h"
#include "rg_host.h"
#include "rg_reply.h"
#include "rg_update.h"

static struct rg_codes rg_fo_codes;

void rg_failover_init(const struct rg_codes *codes)
{
	rg_fo_codes = *codes;
}

int ki_rg_failover(struct sip_msg *msg)
{
	struct rg_branch_h h;
	struct rg_branch br;
	struct cell *t;
	int picked, code;

	t = rg_tmb.t_gett();
	if(t == NULL || t == T_UNDEFINED) {
		LM_ERR("no transaction: rg_failover() belongs in failure_route\n");
		return -1;
	}
	/* a caller who gave up made no timeout a failure (as at the end) */
	rg_reply_timeouts(t, NULL, (t->flags & T_CANCELED) != 0);

	picked = rg_tmb.t_get_picked_branch();
	if(picked < 0 || picked >= (int)t->nr_of_outgoings)
		return -1;
	code = t->uac[picked].last_received;
	if(!rg_codes_has(&rg_fo_codes, code))
		return -1;
	if(rg_branch_open(t, NULL, picked, &br, &h) == 0) {
		rg_branch_key(&h, &br);
		rg_branch_close(&h, br.flags);
		rg_dst_set_current(msg, &br.dst, 0);
	}
	return rg_ds_next(msg);
}

int w_rg_failover(struct sip_msg *msg, char *p1, char *p2)
{
	return ki_rg_failover(msg);
}

/*
 * rg_ds_retry_after(set): when dispatcher has no active destination left
 * in `set`, the shortest remaining block of its blocked members, into
 * $rg(retry_after). 1 when one is blocked, -1 when none is.
 */
int ki_rg_ds_retry_after(struct sip_msg *msg, int set)
{
	uint32_t secs = 0;
	int n;

	n = rg_op_min_blocked(rg_tbl, set, rg_now_ms(), &secs);
	rg_dst_set_retry_only(msg, rg_dst_suggest(secs));
	return n > 0 ? 1 : -1;
}

int w_rg_ds_retry_after(struct sip_msg *msg, char *set, char *p2)
{
	str s;
	int n;

	/* a string parameter, so that "$rU" and the like work as well */
	if(fixup_get_svalue(msg, (gparam_t *)set, &s) < 0
			|| str2sint(&s, &n) < 0) {
		LM_ERR("rg_ds_retry_after: the set must be an integer\n");
		return -1;
	}
	return ki_rg_ds_retry_after(msg, n);
}
