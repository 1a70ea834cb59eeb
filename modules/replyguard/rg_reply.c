/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/parser/parse_to.h"
#include "modules/tm/t_lookup.h"

#include "rg_branch.h"
#include "rg_branch_rules.h"
#include "rg_dialog.h"
#include "rg_buf.h"
#include "rg_dst.h"
#include "rg_hdr.h"
#include "rg_host.h"
#include "rg_reply.h"
#include "rg_reason.h"
#include "rg_retry_after.h"
#include "rg_sdp.h"
#include "rg_stats.h"
#include "rg_update.h"

/*
 * The seconds of the reply's one well-formed Retry-After, or -1: absent,
 * repeated (ambiguous) or malformed. Malformed values are logged at most
 * once per destination every 10 s, whichever process sees them.
 */
static int64_t reply_retry_after(struct sip_msg *msg, const struct rg_dst *dst)
{
	struct rg_retry_after ra;
	const char *hdrs, *val;
	size_t vlen;
	int n;

	/* the header block starts after the status line */
	hdrs = msg->buf + msg->first_line.len;
	if(msg->first_line.len <= 0 || msg->first_line.len >= (int)msg->len)
		return -1;
	n = rg_retry_after_find(
			hdrs, (size_t)(msg->len - msg->first_line.len), &val, &vlen);
	if(n == 0)
		return -1;
	if(n == 1 && rg_retry_after_parse(val, vlen, &ra) == 0)
		return ra.seconds;
	while(vlen > 0 && (*val == ' ' || *val == '\t')) {
		val++;
		vlen--;
	}
	if(rg_op_warn_due(rg_tbl, &dst->ref, rg_now_ms(), 10000))
		LM_WARN("503 from %s: %s Retry-After [%s] counted as none\n",
				rg_log_safe(dst->key, dst->key_len),
				n > 1 ? "repeated" : "malformed",
				rg_log_safe(val, vlen > 256 ? 256 : (int)vlen));
	return -1;
}

/*
 * A 503's cause, from its Reason headers (rg_reason.h). A malformed one
 * is logged at most once per destination every 10 s and gives no cause.
 */
static void reply_cause(
		struct sip_msg *msg, const struct rg_dst *dst, struct rg_cause *c)
{
	c->proto = RG_CAUSE_NONE;
	c->num = 0;
	if(msg->first_line.len <= 0 || msg->first_line.len >= (int)msg->len)
		return;
	if(rg_reason_find(msg->buf + msg->first_line.len,
			   (size_t)(msg->len - msg->first_line.len), c)
					== 0
			|| !rg_op_warn_due(rg_tbl, &dst->ref, rg_now_ms(), 10000))
		return;
	LM_WARN("503 from %s: a malformed Reason header was not read\n",
			rg_log_safe(dst->key, dst->key_len));
}

/* the flags of branch `index` now, or -1 when it has no record */
static int64_t peek(struct cell *t, struct rg_txn *txn, int index)
{
	struct rg_branch_h h;
	struct rg_branch br;

	if(rg_branch_open(t, txn, index, &br, &h) < 0)
		return -1;
	rg_branch_close(&h, br.flags);
	return br.flags;
}

/*
 * Branch `b` of `t` timed out in tm (its local 408): counted once, by the
 * rules of rg_br_timeout(); `*now` is read once for several (or NULL).
 */
static void timeout_branch(struct cell *t, struct rg_txn *txn, int b,
		int cancelled, uint64_t *now)
{
	struct rg_branch_h h;
	struct rg_branch br;
	uint32_t flags;
	uint64_t at;
	int release, failure, measure = 0;

	if(rg_branch_open(t, txn, b, &br, &h) < 0)
		return;
	flags = br.flags;
	if(!rg_br_timeout(&flags, cancelled, &failure)) {
		rg_branch_close(&h, br.flags);
		return;
	}
	release = rg_branch_end_hold(NULL, &h, &br, 408, &flags, 0, &measure);
	rg_branch_close(&h, flags);
	at = now != NULL && *now != 0 ? *now : rg_now_ms();
	if(now != NULL)
		*now = at;
	rg_update_timeout(&br.dst.ref, failure, release, br.trial, at);
}

/*
 * May the dialog measure the call a 2xx of `t` answers? Only an initial
 * INVITE's (no To-tag: a re-INVITE's call is measured already) that the
 * caller has not CANCELled (a 200 that wins the race with the CANCEL is
 * ended at once by the caller: no call of the destination's).
 */
static int measurable(struct cell *t)
{
	struct sip_msg *rq;

	if(t == NULL || t == T_UNDEFINED || !is_invite(t)
			|| (t->flags & T_CANCELED))
		return 0;
	rq = t->uas.request;
	return rq != NULL && rq->to != NULL && rq->to->parsed != NULL
		   && get_to(rq)->tag_value.len == 0;
}

/*
 * Is `msg` of the call of `t`? tm matched it by its Via branch; its
 * dialog is looked up by its Call-ID and tags, which whoever sent it
 * chose: a reply naming another call must not hand this call's hold to
 * that call's dialog.
 */
static int same_call(struct sip_msg *msg, struct cell *t)
{
	struct sip_msg *rq;

	if(t == NULL || t == T_UNDEFINED || (rq = t->uas.request) == NULL
			|| rq->callid == NULL)
		return 0;
	if(parse_headers(msg, HDR_CALLID_F, 0) < 0 || msg->callid == NULL)
		return 0;
	return msg->callid->body.len == rq->callid->body.len
		   && memcmp(msg->callid->body.s, rq->callid->body.s,
					  (size_t)rq->callid->body.len)
					  == 0;
}

int rg_reply_inspect(struct sip_msg *msg, struct cell *t, struct rg_txn *txn,
		int index, int script)
{
	struct rg_branch_h h;
	struct rg_branch br;
	struct rg_reply r;
	int64_t flags0;
	uint32_t flags;
	uint64_t now;
	struct sip_msg *dmsg;
	int code, ans, watch, sdp = RG_SDP_NO_BODY;

	code = (int)msg->first_line.u.reply.statuscode;
	if(index < 0)
		return -1;
	if(t == NULL)
		t = rg_tmb.t_gett();
	/* tm timed this branch out and CANCELled it: the far end's 487 (or
	 * whatever failure comes now) answers tm's CANCEL, not the call. The
	 * outcome is the timeout (tm: fr_inv timer, then cancel_branch). A
	 * 2xx that beat the CANCEL is an answer: tm relays it, the call is
	 * up */
	if(code >= 300 && t != NULL && t != T_UNDEFINED && index < (int)t->nr_of_outgoings
			&& (t->uac[index].request.flags & F_RB_TIMEOUT)) {
		timeout_branch(t, txn, index, (t->flags & T_CANCELED) != 0, NULL);
		return 1;
	}
	/* the body is parsed with no lock held, and only while the branch
	 * has no 183 with SDP yet (a reliable 183 is resent until PRACK) */
	if(code == 183) {
		flags0 = peek(t, txn, index);
		if(flags0 < 0)
			return -1;
		if(rg_br_wants_sdp((uint32_t)flags0, code))
			sdp = rg_sdp_has(msg);
	}
	/* an answer's looks, with no lock held (a failure, or no dialog
	 * module, needs neither) */
	ans = code >= 200 && code < 300 && rg_dialog_enabled();
	dmsg = ans && same_call(msg, t) ? msg : NULL;
	watch = ans && measurable(t);
	if(rg_branch_open(t, txn, index, &br, &h) < 0)
		return -1;
	if(script) {
		rg_branch_key(&h, &br);
		rg_dst_set_current(msg, &br.dst, 0);
	}
	now = code > 100 ? rg_now_ms() : 0;
	flags = rg_br_reply(br.flags, code, sdp, br.t0_ms, now, &r);
	r.trial = br.trial;
	if(r.code >= 200) {
		if(r.code == 503) {
			if(!script) /* named in its log line */
				rg_branch_key(&h, &br);
			r.retry_after = reply_retry_after(msg, &br.dst);
			reply_cause(msg, &br.dst, &r.cause);
			update_stat(rg_st_replies_503, 1);
		}
		r.watched = watch;
		r.release = rg_branch_end_hold(
				dmsg, &h, &br, code, &flags, now, &r.watched);
	} else if(r.code == 183 && !r.sdp_only)
		update_stat(rg_st_replies_183, 1);
	/* the flags say it is counted: the count itself needs no slot lock */
	rg_branch_close(&h, flags);
	if(r.code == 0 && r.pdd_ms < 0)
		return 1; /* nothing new to record */
	rg_update_reply(&br.dst.ref, &r, now);
	return 1;
}

/*
 * Count once each branch of `t` that ended in a local timeout and was
 * admitted by rg_allow (the rules: rg_br_timeout). With `cancelled` (the
 * caller gave up), none.
 */
void rg_reply_timeouts(struct cell *t, struct rg_txn *txn, int cancelled)
{
	unsigned int b;
	uint64_t now = 0;

	for(b = 0; b < t->nr_of_outgoings; b++) {
		if(t->uac[b].request.flags & F_RB_TIMEOUT)
			timeout_branch(t, txn, (int)b, cancelled, &now);
	}
}
