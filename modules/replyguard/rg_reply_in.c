/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dset.h"
#include "core/parser/parse_cseq.h"
#include "core/route.h"
#include "modules/tm/h_table.h"
#include "modules/tm/t_lookup.h"

#include "rg_host.h"
#include "rg_key.h"
#include "rg_reply.h"
#include "rg_reply_in.h"

/* does the next hop `uri` (or `dst_uri` when set) normalise to `dst`? */
static int hop_is(const struct rg_dst *dst, const char *uri, int ulen,
		const char *duri, int dlen)
{
	return rg_key_hop_is(dst->key, dst->key_len, uri, ulen, duri, dlen);
}

int rg_reply_in_next_index(struct sip_msg *msg, const struct rg_dst *dst)
{
	struct cell *t;
	tm_ctx_t *tcx;
	branch_t *b;
	str ruri;
	int base, ruri_new, k;

	if(is_route_type(BRANCH_ROUTE)) {
		tcx = rg_tmb.tm_ctx_get();
		return tcx ? tcx->branch_index : -1;
	}
	t = rg_tmb.t_gett();
	base = (t != NULL && t != T_UNDEFINED) ? (int)t->nr_of_outgoings : 0;
	ruri_new = ruri_get_forking_state() ? 1 : 0;
	/* the common case: no appended branches, the R-URI's is the one */
	if(nr_branches == 0)
		return base;
	if(ruri_new) {
		ruri = msg->new_uri.s ? msg->new_uri : msg->first_line.u.request.uri;
		if(hop_is(dst, ruri.s, ruri.len, msg->dst_uri.s, msg->dst_uri.len))
			return base;
	}
	for(k = 0; k < (int)nr_branches; k++) {
		b = get_sip_branch(k);
		if(b != NULL
				&& hop_is(dst, b->uri, (int)b->len, b->dst_uri,
						(int)b->dst_uri_len))
			return base + ruri_new + k;
	}
	/*
	 * none leads there (a name, not an address, or a branch to be
	 * appended after this call): the branch appended next
	 */
	return base + ruri_new + (int)nr_branches;
}

int rg_reply_in_index(void)
{
	tm_ctx_t *tcx = rg_tmb.tm_ctx_get();

	return tcx ? tcx->branch_index : -1;
}

/*
 * tm's reply-in callback (TMCB_RESPONSE_IN), run by tm's lookup of the
 * reply, before its reply lock, only for a reply the core handed to tm
 * (what check_via or the core's onreply_route dropped never gets here).
 * What an onreply_route would not have seen is left out too: replies to
 * our own CANCEL, a provisional on a branch already cancelled. A reply tm
 * stored and runs again (t_continue) is not passed here twice.
 */
static void hook_reply(struct sip_msg *rpl, struct cell *t, struct rg_txn *txn,
		int index)
{
	struct cseq_body *cs;

	if(rpl->first_line.type != SIP_REPLY || index < 0
			|| index >= (int)t->nr_of_outgoings)
		return;
	cs = rpl->cseq ? get_cseq(rpl) : NULL;
	if(cs != NULL && cs->method_id == METHOD_CANCEL)
		return;
	if(rpl->first_line.u.reply.statuscode < 200
			&& (t->uac[index].request.flags & F_RB_CANCELED))
		return;
	rg_reply_inspect(rpl, t, txn, index, 0);
}

/*
 * The transaction ends: its timeouts, but not those of a call the caller
 * cancelled, as a failure_route that exits on t_is_canceled() leaves
 * them out (the holds are released with the transaction all the same).
 * tm marks a branch cancelled when its own timer gives up on it too, so
 * the branch's mark cannot tell a caller's CANCEL from a timeout: a branch
 * that timed out before the caller gave up is left out with the rest.
 */
static void hook_end(struct cell *t, struct rg_txn *txn)
{
	rg_reply_timeouts(t, txn, (t->flags & T_CANCELED) != 0);
}

const struct rg_branch_hooks rg_reply_in_hooks = {hook_reply, hook_end};
