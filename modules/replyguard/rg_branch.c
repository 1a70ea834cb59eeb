/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <string.h>

#include "core/dprint.h"
#include "core/dset.h"
#include "core/kemi.h"
#include "core/mem/shm_mem.h"
#include "core/parser/parse_cseq.h"
#include "core/route.h"
#include "core/script_cb.h"
#include "core/timer.h"
#include "core/xavp.h"
#include "modules/tm/h_table.h"
#include "modules/tm/t_lookup.h"

#include "rg_branch.h"
#include "rg_dialog.h"
#include "rg_host.h"
#include "rg_stats.h"
#include "rg_update.h"

/* the record's own flags: see rg_branch.h for the others */
#define RG_BR_HELD 0x04 /* holds a place in flight: to be released once */
#define RG_BR_NEW 0x10	/* admitted in the script now running */

static struct rg_txn_pool *rg_txns;
static struct rg_branch_hooks rg_hooks;
/* replies inspected with no script (modparam reply_callbacks) */
static int rg_callbacks;
/*
 * Shared: was a request other than INVITE ever admitted? Until then the
 * reply hook passes over replies to other methods (BYE's) unlooked-up.
 */
static int *rg_any_noninvite;

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

/*
 * The transaction the reply hook looked up for tm (tm_ctx's branch index
 * left undefined), in this process: which reply, with which id. tm's
 * reply handling reuses the lookup and gives its reference back (then
 * the current transaction is reset), or keeps it on purpose (then it has
 * set the branch index). A reply that never reaches tm's handling (the
 * core's check_via, another module's callback dropping it) gives it back
 * here, in the post-script callback or, when even that does not run (a
 * later pre-script callback dropped the reply), before anything else of
 * this process's next message (looked_flush): tm leaves the current
 * transaction set across messages, and the next request's script and
 * tm's end-of-script release would take it for their own.
 */
static struct
{
	struct cell *t; /* NULL: none held */
	struct sip_msg *msg;
	unsigned int id;
	ticks_t at; /* when */
} rg_looked;

/*
 * tm frees a transaction still referenced after TM_LIFETIME_LIMIT (90 s)
 * in its wait state: a reference older than this is forgotten, not given
 * back (a process can sit idle that long)
 */
#define LOOKED_MAX_AGE S_TO_TICKS(30)

/*
 * Give back the reference held in rg_looked, which tm's reply handling
 * never took over; an old one is forgotten (LOOKED_MAX_AGE).
 */
static void looked_release(void)
{
	struct cell *t = rg_looked.t;

	rg_looked.t = NULL;
	if(rg_tmb.t_gett() == t) /* compared, never read */
		rg_tmb.t_sett(T_UNDEFINED, T_BR_UNDEFINED);
	if(get_ticks_raw() - rg_looked.at <= LOOKED_MAX_AGE)
		rg_tmb.unref_cell(t);
}

/*
 * At the start of a message (a reply's lookup, a request's pre-script
 * callback): a lookup whose reply's post-script callback never ran is
 * given back. Never in between: an admission in a failure_route that tm
 * runs while handling the very reply looked up must leave it to tm.
 */
static void looked_flush(void)
{
	if(rg_looked.t == NULL)
		return;
	LM_DBG("a reply dropped before tm: its transaction's reference given "
		   "back\n");
	looked_release();
}

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


static void rg_branch_on_tm(struct cell *t, int type, struct tmcb_params *ps);

/*
 * In callback mode, how replies reach the hooks. With no script of its
 * own for replies (no onreply_route, no KEMI reply route), a reply goes
 * from the core's pre-script callback straight to tm: there, tm's lookup
 * of the transaction is made for it (see rg_branch_pre_reply), and no tm
 * callback runs per reply. A script reply route would run between that
 * lookup and tm, and may look the reply up, drop or suspend it itself:
 * with one, replies keep coming from tm's reply-in callback, as before.
 * Known once the configuration is loaded; asked on first use, in each
 * process.
 */
static int reply_fast(void)
{
	static int fast = -1;

	if(fast < 0)
		fast = onreply_rt.rlist[DEFAULT_RT] == NULL
			   && !(kemi_reply_route_callback.len > 0
					   && sr_kemi_eng_get() != NULL);
	return fast;
}

/* the tm events the transaction's callback asks for */
static int tm_types(void)
{
	if(rg_callbacks && !reply_fast())
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
	if(msg->first_line.type == SIP_REQUEST
			&& msg->first_line.u.request.method_value != METHOD_INVITE
			&& !__atomic_load_n(rg_any_noninvite, __ATOMIC_RELAXED))
		__atomic_store_n(rg_any_noninvite, 1, __ATOMIC_RELAXED);
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
static void release_all(struct rg_txn *x)
{
	struct rg_txn_it it = {x, 0};
	struct rg_txn_rec *r;

	rg_txn_lock(rg_txns, x);
	while((r = rg_txn_next(&it)) != NULL) {
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
	if(type & TMCB_RESPONSE_IN) {
		if(ps->rpl != NULL && ps->rpl != FAKED_REPLY)
			rg_hooks.reply(ps->rpl, t, x, rg_tmb.t_gett_branch());
		return;
	}
	if(type & TMCB_DESTROY) {
		if(rg_hooks.timeouts != NULL)
			rg_hooks.timeouts(t, x);
		release_all(x);
	}
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

/* every new record of `x` is settled: kept when `t` sent its branch */
static void settle(struct rg_txn *x, struct cell *t)
{
	struct rg_txn_it it = {x, 0};
	struct rg_txn_rec *r;

	rg_txn_lock(rg_txns, x);
	while((r = rg_txn_next(&it)) != NULL) {
		if(!(r->flags & RG_BR_NEW))
			continue;
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

	if(!rg_unchecked)
		return 1;
	rg_unchecked = 0;
	t = rg_tmb.t_gett();
	if(own(t)) {
		x = txn_of(t);
		if(x != NULL)
			settle(x, t);
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

/*
 * Callback mode's reply path (see reply_fast): the core runs this for
 * every reply, before tm. A 100 Trying changes nothing recorded, so it
 * is not looked up. For the others, tm's own lookup is made here: t_check
 * keeps what it found for this message, so tm's reply handling, which
 * comes next, reuses it and gives back the reference it took (see
 * rg_looked for a reply that never gets there). A reply tm stored and
 * runs again (t_continue) was read when it came in.
 */
static int rg_branch_pre_reply(
		struct sip_msg *msg, unsigned int flags, void *param)
{
	struct cell *t;
	struct rg_txn *x;
	tm_ctx_t *tcx;
	int branch = T_BR_UNDEFINED;

	if(msg->first_line.type != SIP_REPLY
			|| msg->first_line.u.reply.statuscode <= 100 || rg_stopping
			|| !reply_fast() || (msg->msg_flags & FL_SHM_CLONE))
		return 1;
	/* the core parsed CSeq before this runs; the request was sent after
	 * its admission set the flag */
	if(msg->cseq == NULL
			|| (get_cseq(msg)->method_id != METHOD_INVITE
					&& !__atomic_load_n(rg_any_noninvite, __ATOMIC_RELAXED)))
		return 1;
	looked_flush();
	if(rg_tmb.t_check(msg, &branch) <= 0)
		return 1;
	t = rg_tmb.t_gett();
	if(t == NULL || t == T_UNDEFINED)
		return 1;
	/*
	 * Held until tm takes it over. Had someone else looked it up for this
	 * reply already, t_check took no reference of its own: then the one
	 * given back here, when tm never sees the reply, is theirs, which tm
	 * would not have given back either.
	 */
	rg_looked.t = t;
	rg_looked.msg = msg;
	rg_looked.id = msg->id;
	rg_looked.at = get_ticks_raw();
	tcx = rg_tmb.tm_ctx_get();
	if(tcx != NULL)
		tcx->branch_index = T_BR_UNDEFINED;
	x = txn_of(t);
	if(x != NULL)
		rg_hooks.reply(msg, t, x, branch);
	return 1;
}

/* a request comes in: see looked_flush */
static int rg_branch_pre_request(
		struct sip_msg *msg, unsigned int flags, void *param)
{
	looked_flush();
	return 1;
}

/* after the core has handed the reply on: see rg_looked */
static int rg_branch_post_reply(
		struct sip_msg *msg, unsigned int flags, void *param)
{
	tm_ctx_t *tcx;

	if(rg_looked.t == NULL || rg_looked.msg != msg)
		return 1;
	if(msg->id == rg_looked.id) {
		if(rg_tmb.t_gett() != rg_looked.t) {
			rg_looked.t = NULL; /* tm gave the reference back */
			return 1;
		}
		tcx = rg_tmb.tm_ctx_get();
		if(tcx != NULL && tcx->branch_index != T_BR_UNDEFINED) {
			rg_looked.t = NULL; /* tm kept it on purpose */
			return 1;
		}
	}
	/*
	 * tm never took the lookup over: the reply was not handed to it
	 * (check_via), or it was renumbered after the lookup (debugger's
	 * reset_msgid) and tm looked it up again itself, or (another id at
	 * the same address) an earlier reply's, dropped before its own
	 * post-script callback
	 */
	LM_DBG("a reply's lookup not taken over by tm: its transaction's "
		   "reference given back\n");
	looked_release();
	return 1;
}

int rg_branch_init(unsigned int slots, int callbacks,
		const struct rg_branch_hooks *hooks)
{
	rg_any_noninvite = shm_malloc(sizeof(*rg_any_noninvite));
	if(rg_any_noninvite == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	*rg_any_noninvite = 0;
	rg_txns = rg_txn_pool_new(slots);
	if(rg_txns == NULL) {
		LM_ERR("no shared memory for %u transaction slots (txn_slots)\n",
				slots);
		return -1;
	}
	if(callbacks) {
		rg_hooks = *hooks;
		rg_callbacks = 1;
		if(register_script_cb(rg_branch_pre_reply, PRE_SCRIPT_CB | ONREPLY_CB,
				   NULL)
						< 0
				|| register_script_cb(rg_branch_post_reply,
						   POST_SCRIPT_CB | ONREPLY_CB, NULL)
						   < 0
				|| register_script_cb(rg_branch_pre_request,
						   PRE_SCRIPT_CB | REQUEST_CB, NULL)
						   < 0) {
			LM_ERR("cannot register the reply callback\n");
			return -1;
		}
	}
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
