/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <string.h>

#include "core/dprint.h"
#include "core/dset.h"
#include "core/route.h"
#include "core/script_cb.h"
#include "core/xavp.h"
#include "modules/tm/h_table.h"
#include "modules/tm/t_lookup.h"

#include "rg_branch.h"
#include "rg_dialog.h"
#include "rg_host.h"
#include "rg_stats.h"
#include "rg_update.h"

/* the record's own flags: see rg_branch.h for the others */
#define RG_BR_HELD 0x04	 /* holds a place in flight: to be released once */
#define RG_BR_GUARD 0x08 /* registered the transaction's end callback */
#define RG_BR_NEW 0x10	 /* admitted in the script now running */

/* one xavp per branch, its value the packed record below */
static str rg_branch_xname = str_init("_replyguard_branch");

/* the record as stored: fixed part, then key bytes */
struct rg_branch_packed
{
	int32_t index;
	uint32_t flags;
	uint64_t t0_ms;
	uint64_t trial;
	uint32_t slot;
	uint32_t gen;
	uint32_t key_len;
};

/* does the next hop `uri` (or `dst_uri` when set) normalise to `dst`? */
static int hop_is(const struct rg_dst *dst, const char *uri, int ulen,
		const char *duri, int dlen)
{
	char key[RG_KEY_MAX + 1];
	int n;

	if(duri != NULL && dlen > 0) {
		uri = duri;
		ulen = dlen;
	}
	if(uri == NULL || ulen <= 0)
		return 0;
	n = rg_key_normalize(uri, (size_t)ulen, key);
	return n == dst->key_len && memcmp(key, dst->key, (size_t)n) == 0;
}

int rg_branch_next_index(struct sip_msg *msg, const struct rg_dst *dst)
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

int rg_branch_reply_index(void)
{
	tm_ctx_t *tcx = rg_tmb.tm_ctx_get();

	return tcx ? tcx->branch_index : -1;
}

/*
 * The record after `x` (the first when NULL) in the current xavp list,
 * its fixed part copied into `p`; NULL when there is none.
 */
static sr_xavp_t *next_record(sr_xavp_t *x, struct rg_branch_packed *p)
{
	x = x ? xavp_get_next(x) : xavp_get(&rg_branch_xname, NULL);
	for(; x; x = xavp_get_next(x)) {
		if(x->val.type == SR_XTYPE_STR
				&& (size_t)x->val.v.s.len >= sizeof(*p)) {
			memcpy(p, x->val.v.s.s, sizeof(*p));
			return x;
		}
	}
	return NULL;
}

static sr_xavp_t *find_xavp(int index, struct rg_branch_packed *p)
{
	sr_xavp_t *x;

	for(x = next_record(NULL, p); x; x = next_record(x, p)) {
		if(p->index == index)
			return x;
	}
	return NULL;
}

static uint32_t guard(struct sip_msg *msg);

/* this process's script saved records whose sending is still to check */
static int rg_unchecked;

int rg_branch_save(struct sip_msg *msg, struct rg_branch *br, int held)
{
	char buf[sizeof(struct rg_branch_packed) + RG_KEY_MAX];
	struct rg_branch_packed p, op;
	sr_xavp_t *old;
	sr_xval_t val;

	br->flags |= RG_BR_NEW;
	if(held)
		br->flags |= RG_BR_HELD | guard(msg);
	p.index = br->index;
	p.flags = br->flags;
	p.t0_ms = br->t0_ms;
	p.trial = br->trial;
	p.slot = br->dst.ref.slot;
	p.gen = br->dst.ref.gen;
	p.key_len = (uint32_t)br->dst.key_len;
	memcpy(buf, &p, sizeof(p));
	memcpy(buf + sizeof(p), br->dst.key, (size_t)br->dst.key_len);

	/* a branch admitted twice keeps only the last destination */
	old = find_xavp(br->index, &op);
	if(old) {
		struct rg_ref ref = {op.slot, op.gen};

		/* admitted in this script and replaced before it was sent */
		if(op.flags & RG_BR_NEW) {
			rg_update_unadmit(&ref, op.t0_ms, (op.flags & RG_BR_HELD) != 0,
					op.trial);
			rg_stats_unadmit();
		} else if(op.flags & RG_BR_HELD)
			rg_update_release(&ref);
		/* the end-of-transaction callback stays registered */
		p.flags |= op.flags & RG_BR_GUARD;
		memcpy(buf, &p, sizeof(p));
		xavp_rm(old, NULL);
	}

	memset(&val, 0, sizeof(val));
	val.type = SR_XTYPE_STR;
	val.v.s.s = buf;
	val.v.s.len = (int)(sizeof(p) + (size_t)br->dst.key_len);
	if(xavp_add_value(&rg_branch_xname, &val, NULL) == NULL) {
		LM_ERR("no shared memory for the record of branch %d\n", br->index);
		/* not recorded: nothing could release or check it later */
		rg_update_unadmit(&br->dst.ref, br->t0_ms, held, br->trial);
		rg_stats_unadmit();
		return -1;
	}
	rg_unchecked = 1;
	return 0;
}

int rg_branch_end_hold(struct sip_msg *msg, const struct rg_branch *br,
		int code, uint32_t *flags)
{
	if(!(*flags & RG_BR_HELD))
		return 0;
	*flags &= ~RG_BR_HELD;
	/* an answered call stays in flight until its dialog ends, when the
	 * dialog module tracks it */
	if(msg != NULL && code >= 200 && code < 300
			&& rg_dialog_hold(msg, &br->dst.ref) == 0)
		return 0;
	return 1;
}

int rg_branch_find(int index, struct rg_branch *br, void **handle)
{
	struct rg_branch_packed p;
	sr_xavp_t *x;

	x = find_xavp(index, &p);
	if(x == NULL)
		return -1;
	if(p.key_len > RG_KEY_MAX
			|| (size_t)x->val.v.s.len != sizeof(p) + p.key_len)
		return -1;
	br->index = p.index;
	br->flags = p.flags;
	br->t0_ms = p.t0_ms;
	br->trial = p.trial;
	br->dst.ref.slot = p.slot;
	br->dst.ref.gen = p.gen;
	br->dst.key_len = (int)p.key_len;
	memcpy(br->dst.key, x->val.v.s.s + sizeof(p), p.key_len);
	br->dst.key[p.key_len] = '\0';
	*handle = x;
	return 0;
}

void rg_branch_set_flags(void *handle, uint32_t flags)
{
	sr_xavp_t *x = handle;

	memcpy(x->val.v.s.s + offsetof(struct rg_branch_packed, flags), &flags,
			sizeof(flags));
}

/* release every hold of the current xavp list (message or transaction) */
static void release_all(void)
{
	struct rg_branch_packed p;
	struct rg_ref ref;
	sr_xavp_t *x;

	for(x = next_record(NULL, &p); x; x = next_record(x, &p)) {
		if(!(p.flags & RG_BR_HELD))
			continue;
		ref.slot = p.slot;
		ref.gen = p.gen;
		rg_update_release(&ref);
		rg_branch_set_flags(x, p.flags & ~RG_BR_HELD);
	}
}

/* tm: the transaction is being freed (its xavp list is the current one) */
static void rg_branch_on_destroy(struct cell *t, int type,
		struct tmcb_params *ps)
{
	release_all();
}

static int has_guard(void)
{
	struct rg_branch_packed p;
	sr_xavp_t *x;

	for(x = next_record(NULL, &p); x; x = next_record(x, &p)) {
		if(p.flags & RG_BR_GUARD)
			return 1;
	}
	return 0;
}

/* the flags to add to a record that holds a place in flight */
static uint32_t guard(struct sip_msg *msg)
{
	struct cell *t = rg_tmb.t_gett();

	if(has_guard())
		return 0;
	/* without a transaction yet, tm keeps the callback for the one this
	 * request creates; the end of the script releases the holds of a
	 * request that created none */
	if(rg_tmb.register_tmcb(msg, (t == T_UNDEFINED) ? NULL : t, TMCB_DESTROY,
			   rg_branch_on_destroy, NULL, NULL)
			<= 0) {
		LM_ERR("cannot register the end-of-transaction callback: holds of "
			   "this call end with its final reply only\n");
		return 0;
	}
	return RG_BR_GUARD;
}

/*
 * Did tm send branch `b` of `t`? A branch it could not send (send error,
 * onsend_route drop, blocklist) has a local 408 and no reply or timeout.
 */
static int branch_sent(struct cell *t, int b)
{
	struct ua_client *u;

	if(b < 0 || b >= (int)t->nr_of_outgoings)
		return 0;
	u = &t->uac[b];
	if(u->request.flags & (F_RB_REPLIED | F_RB_TIMEOUT))
		return 1;
	return !(u->last_received == 408 && u->reply == NULL);
}

/*
 * After a request or failure route: every record saved by it whose branch
 * was not sent is taken back. The records of a request whose transaction
 * this message did not create (a retransmission that reached this process
 * while another one relays the first copy) are still on the message's own
 * xavp list: tm moves the list onto the transaction only when it creates
 * one, so that is how "ours" is told apart from "found".
 */
static int rg_branch_post_script(struct sip_msg *msg, unsigned int flags,
		void *param)
{
	struct rg_branch_packed p;
	struct rg_ref ref;
	struct cell *t;
	sr_xavp_t *x;
	int own;

	if(!rg_unchecked)
		return 1;
	rg_unchecked = 0;
	t = rg_tmb.t_gett();
	own = t != NULL && t != T_UNDEFINED
		  && xavp_get_crt_list() == &t->xavps_list;
	for(x = next_record(NULL, &p); x; x = next_record(x, &p)) {
		if(!(p.flags & RG_BR_NEW))
			continue;
		if(own && branch_sent(t, p.index)) {
			rg_branch_set_flags(x, p.flags & ~RG_BR_NEW);
			continue;
		}
		ref.slot = p.slot;
		ref.gen = p.gen;
		rg_update_unadmit(
				&ref, p.t0_ms, (p.flags & RG_BR_HELD) != 0, p.trial);
		rg_stats_unadmit();
		/* nothing is to be counted or released for it any more */
		rg_branch_set_flags(x, (p.flags & ~(RG_BR_NEW | RG_BR_HELD))
									   | RG_BR_FINAL_SEEN);
		LM_DBG("branch %d to slot %u was not sent: admission taken back\n",
				p.index, p.slot);
	}
	return 1;
}

int rg_branch_init(void)
{
	if(register_script_cb(rg_branch_post_script,
			   POST_SCRIPT_CB | REQUEST_CB | FAILURE_CB, NULL)
			< 0) {
		LM_ERR("cannot register the post-script callback\n");
		return -1;
	}
	return 0;
}
