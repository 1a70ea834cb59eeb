/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <string.h>

#include "core/dprint.h"
#include "core/mem/shm_mem.h"
#include "core/script_cb.h"
#include "core/xavp.h"
#include "modules/tm/h_table.h"
#include "modules/tm/t_lookup.h"

#include "rg_branch.h"
#include "rg_branch_rules.h"
#include "rg_dialog.h"
#include "rg_host.h"
#include "rg_key.h"
#include "rg_later.h"
#include "rg_stats.h"
#include "rg_update.h"

static struct rg_txn_pool *rg_txns;
static struct rg_branch_hooks rg_hooks;
/* replies inspected with no script (modparam reply_callbacks) */
static int rg_callbacks;
/*
 * The slot the running script admitted into when it had no transaction
 * of its own yet (or one another process relays): which message, and
 * whether tm holds its callback (then tm frees it, else we do).
 */
static struct
{
	struct rg_txn *txn;
	unsigned int msg_id;
	int registered;
} rg_pending;

/* this process's script saved records whose sending is still to check */
static int rg_unchecked;

/* rg_txn.marks: the TMCB_REQUEST_FWDED callback is registered */
#define RG_TXN_WATCHED 0x1
/* rg_txn.marks: an answer of it is measured by its dialog */
#define RG_TXN_ANSWERED 0x2

static void rg_branch_on_tm(struct cell *t, int type, struct tmcb_params *ps);

/* the tm events the transaction's callback asks for */
static int tm_types(void)
{
	if(rg_callbacks)
		return TMCB_DESTROY | TMCB_RESPONSE_IN;
	return TMCB_DESTROY;
}

/* tm frees the callback: the slot goes back with it */
static void rg_branch_release(void *param)
{
	rg_txn_put(rg_txns, param);
}

/*
 * The slot of transaction `t`: the parameter of our callback on it. tm
 * adds callbacks at the head of the list, so a walk sees whole entries.
 */
static struct rg_txn *txn_of(struct cell *t)
{
	struct tm_callback *cb;

	if(t == NULL || t == T_UNDEFINED)
		return NULL;
	for(cb = (struct tm_callback *)t->tmcb_hl.first; cb; cb = cb->next) {
		if(cb->callback == rg_branch_on_tm)
			return cb->param;
	}
	return NULL;
}

/*
 * Is `t` this request's own transaction? tm switches the current xavp
 * list to the transaction's when it creates it; a transaction found for
 * a retransmission (another process relays it) leaves it alone.
 */
static int own(struct cell *t)
{
	return t != NULL && t != T_UNDEFINED
		   && xavp_get_crt_list() == &t->xavps_list;
}

/*
 * The slot to add a record of `msg` to, made and tied to tm when new.
 * `*fresh` is 1 for a new slot no other process can reach yet: one tm
 * keeps for the transaction this request has not made so far, or one
 * for a transaction that is not this request's own. A new slot on a
 * transaction of our own is not fresh: a reply to one of its branches
 * (not admitted here) may walk its callbacks at once.
 */
static struct rg_txn *txn_for(struct sip_msg *msg, int *fresh)
{
	struct cell *t;
	struct rg_txn *x;
	int mine, tie;

	t = rg_tmb.t_gett();
	mine = own(t);
	*fresh = 0;
	if(mine && (x = txn_of(t)) != NULL)
		return x;
	if(!mine && rg_pending.txn != NULL && rg_pending.msg_id == msg->id)
		return rg_pending.txn;
	x = rg_txn_get(rg_txns);
	if(x == NULL)
		return NULL;
	/* a found transaction is not ours to tie a slot to */
	tie = mine || t == NULL || t == T_UNDEFINED;
	if(tie
			&& rg_tmb.register_tmcb(msg, mine ? t : NULL, tm_types(),
					   rg_branch_on_tm, x, rg_branch_release)
					   <= 0) {
		LM_ERR("cannot register the transaction's callback\n");
		rg_txn_put(rg_txns, x);
		return NULL;
	}
	if(!mine) {
		rg_pending.txn = x;
		rg_pending.msg_id = msg->id;
		rg_pending.registered = tie;
		rg_unchecked = 1; /* so the end of the script settles it */
	}
	*fresh = !mine;
	return x;
}

/* the record's figures; its key only when asked (rg_branch_key) */
static void copy_out(const struct rg_txn_rec *r, struct rg_branch *br)
{
	br->index = r->index;
	br->flags = r->flags;
	br->t0_ms = r->t0_ms;
	br->trial = r->trial;
	br->dst.ref = r->ref;
	br->dst.key_len = 0;
	br->dst.key[0] = '\0';
}

void rg_branch_key(const struct rg_branch_h *h, struct rg_branch *br)
{
	br->dst.key_len = (int)h->rec->key_len;
	memcpy(br->dst.key, h->rec->key, h->rec->key_len);
	br->dst.key[h->rec->key_len] = '\0';
}

/* take back the admission of record `r`, whose branch was never sent */
static void take_back(struct rg_txn_rec *r)
{
	rg_update_unadmit(&r->ref, r->t0_ms, (r->flags & RG_BR_HELD) != 0,
			r->trial);
	rg_stats_unadmit();
}

/*
 * The record of branch `index` in `x`, rid of what an earlier admission
 * of that branch held, or a new one (NULL: none to be had). Under the
 * slot's lock.
 */
static struct rg_txn_rec *record_for_locked(struct rg_txn *x, int32_t index)
{
	struct rg_txn_rec *r = rg_txn_find(x, index);

	if(r == NULL)
		return rg_txn_add(rg_txns, x, index);
	/* a branch admitted twice keeps only the last destination */
	if(r->flags & RG_BR_NEW)
		take_back(r); /* admitted in this script, never sent */
	else if(r->flags & RG_BR_HELD)
		rg_update_release(&r->ref);
	return r;
}

int rg_branch_save(struct sip_msg *msg, struct rg_branch *br, int held)
{
	struct rg_txn_rec *r;
	struct rg_txn *x;
	int fresh;

	x = txn_for(msg, &fresh);
	if(x == NULL)
		goto fail;
	if(fresh) /* no one else sees it yet: no lock, no record to find */
		r = rg_txn_add(rg_txns, x, br->index);
	else {
		rg_txn_lock(rg_txns, x);
		r = record_for_locked(x, br->index);
	}
	if(r == NULL) {
		if(!fresh)
			rg_txn_unlock(rg_txns, x);
		goto fail;
	}
	br->flags |= RG_BR_NEW | (held ? RG_BR_HELD : 0);
	r->flags = br->flags;
	r->t0_ms = br->t0_ms;
	r->trial = br->trial;
	r->ref = br->dst.ref;
	r->key_len = (uint32_t)br->dst.key_len;
	memcpy(r->key, br->dst.key, (size_t)br->dst.key_len);
	if(!fresh)
		rg_txn_unlock(rg_txns, x);
	rg_unchecked = 1;
	return 0;

fail:
	LM_ERR("no shared memory for the record of branch %d\n", br->index);
	/* not recorded: nothing could release or check it later */
	rg_update_unadmit(&br->dst.ref, br->t0_ms, held, br->trial);
	rg_stats_unadmit();
	return -1;
}

int rg_branch_end_hold(struct sip_msg *msg, struct rg_branch_h *h,
		const struct rg_branch *br, int code, uint32_t *flags,
		uint64_t now_ms, int *measure)
{
	int held = (*flags & RG_BR_HELD) != 0, m = *measure;

	*flags &= ~RG_BR_HELD;
	*measure = 0;
	if(msg == NULL || code < 200 || code >= 300 || !rg_dialog_enabled())
		return held;
	/* an answered call: its dialog (when the dialog module tracks it)
	 * measures it, and keeps it in flight until it ends. Only the
	 * transaction's first 2xx is the call the dialog follows */
	m = m && !(h->txn->marks & RG_TXN_ANSWERED);
	if(rg_dialog_watch(msg, &br->dst.ref, held, m, now_ms) != 0)
		return held;
	if(m)
		h->txn->marks |= RG_TXN_ANSWERED;
	*measure = m;
	return 0;
}

/* is branch `b` of `t` tm's blind UAC (t_suspend's), never sent? */
static int blind(struct cell *t, int b)
{
	return t != NULL && t != T_UNDEFINED && b >= 0
		   && b < (int)t->nr_of_outgoings
		   && (t->uac[b].flags & TM_UAC_FLAG_BLIND);
}

/*
 * Is record `r` parked on a blind UAC: marked so when its script ended,
 * or still new on one (t_continue's route may run in another process
 * before the suspending script's end)?
 */
static int parked(const struct rg_txn_rec *r, struct cell *t)
{
	return (r->flags & RG_BR_PARKED)
		   || ((r->flags & RG_BR_NEW) && blind(t, r->index));
}

int rg_branch_open(struct cell *t, struct rg_txn *txn, int index,
		struct rg_branch *br, struct rg_branch_h *h)
{
	struct rg_txn_rec *r;

	if(txn == NULL)
		txn = txn_of(t != NULL ? t : rg_tmb.t_gett());
	if(txn == NULL)
		return -1;
	rg_txn_lock(rg_txns, txn);
	r = rg_txn_find(txn, index);
	if(r == NULL) {
		rg_txn_unlock(rg_txns, txn);
		return -1;
	}
	copy_out(r, br);
	h->txn = txn;
	h->rec = r;
	return 0;
}

void rg_branch_close(struct rg_branch_h *h, uint32_t flags)
{
	h->rec->flags = flags;
	rg_txn_unlock(rg_txns, h->txn);
}

/* the transaction ends: release every hold still kept */
static void release_all(struct rg_txn *x, struct cell *t)
{
	struct rg_txn_it it = {x, 0};
	struct rg_txn_rec *r;

	rg_txn_lock(rg_txns, x);
	while((r = rg_txn_next(&it)) != NULL) {
		if(parked(r, t)) {
			/* t_suspend's job never sent it: as if never asked */
			take_back(r);
			r->flags &= ~(RG_BR_PARKED | RG_BR_HELD);
			continue;
		}
		if(!(r->flags & RG_BR_HELD))
			continue;
		rg_update_release(&r->ref);
		r->flags &= ~RG_BR_HELD;
	}
	rg_txn_unlock(rg_txns, x);
}

static int rg_stopping;

void rg_branch_stop(void)
{
	rg_stopping = 1;
}

static void rg_branch_on_tm(struct cell *t, int type, struct tmcb_params *ps)
{
	struct rg_txn *x = *ps->param;

	if(x == NULL || rg_stopping)
		return;
	/* inside tm (its reply lookup, its timer freeing the transaction):
	 * event routes and dispatcher wait until tm is done */
	rg_later_hold(1);
	if(type & TMCB_RESPONSE_IN) {
		if(rg_callbacks && ps->rpl != NULL && ps->rpl != FAKED_REPLY)
			rg_hooks.reply(ps->rpl, t, x, rg_tmb.t_gett_branch());
	} else if(type & TMCB_DESTROY) {
		if(rg_callbacks)
			rg_hooks.timeouts(t, x);
		release_all(x, t);
	}
	rg_later_hold(0);
}

/*
 * Did tm send branch `b` of `t`? A branch it could not send (send error,
 * onsend_route drop, blocklist) has a local 408 and no reply or timeout.
 */
static int branch_sent(struct cell *t, int b)
{
	struct ua_client *u;

	if(t == NULL || b < 0 || b >= (int)t->nr_of_outgoings)
		return 0;
	u = &t->uac[b];
	if(u->request.flags & (F_RB_REPLIED | F_RB_TIMEOUT))
		return 1;
	return !(u->last_received == 408 && u->reply == NULL);
}

/*
 * Every new record of `x` is settled: kept when `t` sent its branch. 1
 * when a record of `x` is parked after it (now or before), else 0.
 */
static int settle(struct rg_txn *x, struct cell *t)
{
	struct rg_txn_it it = {x, 0};
	struct rg_txn_rec *r;
	int parked_any = 0;

	rg_txn_lock(rg_txns, x);
	while((r = rg_txn_next(&it)) != NULL) {
		if(r->flags & RG_BR_PARKED)
			parked_any = 1;
		if(!(r->flags & RG_BR_NEW))
			continue;
		if(blind(t, r->index)) {
			/* admitted, then t_suspend: sent (if ever) after t_continue */
			r->flags = (r->flags & ~RG_BR_NEW) | RG_BR_PARKED;
			parked_any = 1;
			continue;
		}
		if(branch_sent(t, r->index)) {
			r->flags &= ~RG_BR_NEW;
			continue;
		}
		take_back(r);
		/* nothing is to be counted or released for it any more */
		r->flags = (r->flags & ~(RG_BR_NEW | RG_BR_HELD)) | RG_BR_FINAL_SEEN;
		LM_DBG("branch %d to slot %u was not sent: admission taken back\n",
				r->index, r->ref.slot);
	}
	rg_txn_unlock(rg_txns, x);
	return parked_any;
}

/*
 * Record `r`, parked on blind UAC b, belongs to branch b + 1 when t_continue
 * resumed b (tm marks a resumed blind UAC 500, a timed-out one 408), the
 * branch has no record of its own, and its next hop (`uri`, `duri`) is
 * where the record was admitted to. Then it moves there, still new (the
 * resumed route's end checks that tm sent it), its delay counted from
 * now. Under the slot's lock.
 */
static int bind_to(struct rg_txn *x, struct cell *t, struct rg_txn_rec *r,
		int branch, const str *uri, const str *duri)
{
	int b = r->index;

	if(!parked(r, t) || branch != b + 1 || t->uac[b].last_received != 500
			|| rg_txn_find(x, branch) != NULL
			|| !rg_key_hop_is(r->key, (int)r->key_len, uri->s, uri->len,
					duri->s, duri->len))
		return 0;
	r->index = branch;
	r->flags = (r->flags & ~RG_BR_PARKED) | RG_BR_NEW | RG_BR_BOUND;
	r->t0_ms = rg_now_ms();
	return 1;
}

/*
 * tm prepares a branch of a transaction with a parked record (registered
 * when it was parked): the resumed route relays. Bound before tm sends
 * it, so no reply of the branch can come first. tm may still fail to
 * add the branch after this callback (a name that does not resolve, no
 * socket): its index is then prepared again for the next one, so a
 * record bound to the index being prepared goes back onto its blind UAC
 * first, and binds again only if this branch goes to its destination.
 */
static void rg_branch_on_fwd(struct cell *t, int type, struct tmcb_params *ps)
{
	struct rg_txn *x = *ps->param;
	struct sip_msg *req = ps->req;
	struct rg_txn_it it = {x, 0}, again = {x, 0};
	struct rg_txn_rec *r;
	int b = (int)t->nr_of_outgoings;
	str uri;

	if(x == NULL || rg_stopping || req == NULL || req == FAKED_REPLY)
		return;
	uri = req->new_uri.s ? req->new_uri : req->first_line.u.request.uri;
	rg_txn_lock(rg_txns, x);
	/* first every record back off index b, so none holds it while another
	 * record asks whether b is free */
	while((r = rg_txn_next(&it)) != NULL) {
		if((r->flags & (RG_BR_BOUND | RG_BR_NEW)) == (RG_BR_BOUND | RG_BR_NEW)
				&& r->index == b && blind(t, b - 1)) {
			r->index = b - 1;
			r->flags = (r->flags & ~(RG_BR_BOUND | RG_BR_NEW)) | RG_BR_PARKED;
		}
	}
	while((r = rg_txn_next(&again)) != NULL) {
		if(bind_to(x, t, r, b, &uri, &req->dst_uri))
			break;
	}
	rg_txn_unlock(rg_txns, x);
}

/*
 * A record of `x` is parked: bind it as tm prepares the resumed branch.
 * One callback a transaction, however often its routes suspend.
 */
static void watch_fwd(struct sip_msg *msg, struct cell *t, struct rg_txn *x)
{
	int first;

	rg_txn_lock(rg_txns, x);
	first = !(x->marks & RG_TXN_WATCHED);
	x->marks |= RG_TXN_WATCHED;
	rg_txn_unlock(rg_txns, x);
	if(!first
			|| rg_tmb.register_tmcb(
					   msg, t, TMCB_REQUEST_FWDED, rg_branch_on_fwd, x, NULL)
					   > 0)
		return;
	LM_ERR("cannot register the callback of a suspended "
		   "transaction: its call is bound when its route ends\n");
	/* the next suspend of this transaction tries again */
	rg_txn_lock(rg_txns, x);
	x->marks &= ~RG_TXN_WATCHED;
	rg_txn_unlock(rg_txns, x);
}

/*
 * t_continue's route is over (tm marks the blind UAC it resumed 500, one
 * that timed out 408): a record parked on that blind UAC belongs to the
 * branch the route sent right after it, when that branch goes where the
 * record was admitted to (the route's next hop, `msg` being tm's faked
 * request) and has no record of its own; its delay is measured from
 * then. Otherwise the resumed job sent it nowhere: taken back now. A
 * route that suspended again moves it onto the new blind UAC.
 */
static void bind_parked(struct rg_txn *x, struct cell *t, struct sip_msg *msg)
{
	struct rg_txn_it it = {x, 0};
	struct rg_txn_rec *r;
	str uri;
	int b;

	uri = msg->new_uri.s ? msg->new_uri : msg->first_line.u.request.uri;
	rg_txn_lock(rg_txns, x);
	while((r = rg_txn_next(&it)) != NULL) {
		b = r->index;
		if(!parked(r, t) || t->uac[b].last_received != 500)
			continue;
		if(blind(t, b + 1)) {
			r->index = b + 1;
			continue;
		}
		/* (resumed so fast its own callback was too late): only onto the
		 * route's own branch, the one to its request URI; an appended
		 * branch may have taken the index of one tm could not send */
		if(b + 1 < (int)t->nr_of_outgoings
				&& STR_EQ(t->uac[b + 1].uri, uri)
				&& bind_to(x, t, r, b + 1, &uri, &msg->dst_uri))
			continue;
		take_back(r);
		r->flags = (r->flags & ~(RG_BR_PARKED | RG_BR_NEW | RG_BR_HELD))
				   | RG_BR_FINAL_SEEN;
	}
	rg_txn_unlock(rg_txns, x);
}

/*
 * After a request or failure route: every record saved by it whose branch
 * was not sent is taken back. A slot tm did not move onto a transaction
 * of this request's own (a retransmission that reached this process
 * while another one relays the first copy, no t_relay at all) is taken
 * back whole.
 */
static int rg_branch_post_script(struct sip_msg *msg, unsigned int flags,
		void *param)
{
	struct rg_txn *x = NULL;
	struct cell *t;

	t = rg_tmb.t_gett();
	/* t_continue's route: parked records find their branch, which tm
	 * must have sent */
	if(own(t) && (t->flags & T_ASYNC_CONTINUE)
			&& (x = txn_of(t)) != NULL) {
		bind_parked(x, t, msg);
		/* (the route suspended again with one still parked) */
		if(settle(x, t))
			watch_fwd(msg, t, x);
	}
	x = NULL;
	if(!rg_unchecked)
		return 1;
	rg_unchecked = 0;
	if(own(t)) {
		x = txn_of(t);
		/* a record parked: bound as tm prepares the resumed branch */
		if(x != NULL && settle(x, t))
			watch_fwd(msg, t, x);
	}
	if(rg_pending.txn != NULL && rg_pending.txn != x) {
		settle(rg_pending.txn, NULL);
		/* tm frees what it holds a callback of (when this process next
		 * asks for an early callback); the rest is ours */
		if(!rg_pending.registered)
			rg_txn_put(rg_txns, rg_pending.txn);
	}
	rg_pending.txn = NULL;
	return 1;
}

int rg_branch_init(unsigned int slots, int callbacks,
		const struct rg_branch_hooks *hooks)
{
	rg_txns = rg_txn_pool_new(slots);
	if(rg_txns == NULL) {
		LM_ERR("no shared memory for %u transaction slots (txn_slots)\n",
				slots);
		return -1;
	}
	rg_hooks = *hooks;
	rg_callbacks = callbacks;
	if(register_script_cb(rg_branch_post_script,
			   POST_SCRIPT_CB | REQUEST_CB | FAILURE_CB, NULL)
			< 0) {
		LM_ERR("cannot register the post-script callback\n");
		return -1;
	}
	return 0;
}

void rg_branch_pool_stats(struct rg_txn_stats *st)
{
	if(rg_txns == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	rg_txn_pool_stats(rg_txns, st);
}
