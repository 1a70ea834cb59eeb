/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/parser/parse_cseq.h"
#include "modules/tm/t_lookup.h"

#include "rg_branch.h"
#include "rg_buf.h"
#include "rg_dst.h"
#include "rg_hdr.h"
#include "rg_host.h"
#include "rg_reply.h"
#include "rg_retry_after.h"
#include "rg_stats.h"
#include "rg_update.h"

/*
 * A non-empty application/sdp body, or a body with no Content-Type (read
 * as SDP), from the raw header block: Kamailio's parser would parse every
 * header before Content-Type, which costs more than all of replyguard's
 * own work on a reply. The headers it has parsed already (tm's matching
 * reads up to CSeq) are not read again when neither of the two headers
 * asked for is among them: the scan starts where the parser stopped,
 * when that is a line's start (some header parsers end a header at a
 * lone CR, inside what this scan reads as one line).
 */
static int reply_has_sdp(struct sip_msg *msg)
{
	const char *from, *end;

	if(msg->first_line.len <= 0 || msg->first_line.len >= (int)msg->len)
		return 0;
	from = msg->buf + msg->first_line.len;
	end = msg->buf + msg->len;
	/* HDR_EOH_F has every bit set: only all of them say the end was read */
	if((msg->parsed_flag & HDR_EOH_F) != HDR_EOH_F && msg->content_type == NULL
			&& msg->content_length == NULL && msg->unparsed > from
			&& msg->unparsed <= end && msg->unparsed[-1] == '\n')
		from = msg->unparsed;
	return rg_hdr_has_sdp(from, (size_t)(end - from));
}

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

int rg_reply_inspect(struct sip_msg *msg, struct cell *t, struct rg_txn *txn,
		int index, int script)
{
	struct rg_branch_h h;
	struct rg_branch br;
	struct rg_reply r;
	uint32_t flags;
	uint64_t now;
	int code;

	code = (int)msg->first_line.u.reply.statuscode;
	if(index < 0 || rg_branch_open(t, txn, index, &br, &h) < 0)
		return -1;
	if(script) {
		rg_branch_key(&h, &br);
		rg_dst_set_current(msg, &br.dst, 0);
	}
	if(code <= 100) {
		rg_branch_close(&h, br.flags);
		return 1;
	}

	flags = br.flags;
	now = rg_now_ms();
	memset(&r, 0, sizeof(r));
	r.code = code;
	r.pdd_ms = -1;
	r.retry_after = -1;
	r.trial = br.trial;
	if(code < 200) {
		/* the destination is alive: a timeout after this is no failure */
		flags |= RG_BR_PROV;
		if(code >= 180 && code < 190 && !(flags & RG_BR_PDD_DONE)) {
			r.pdd_ms = now > br.t0_ms ? (int64_t)(now - br.t0_ms) : 0;
			flags |= RG_BR_PDD_DONE;
		}
		/* a 180 or a reliable 183 resent until PRACK counts once */
		if(code == 180) {
			if(flags & RG_BR_SEEN_180)
				r.code = 0;
			flags |= RG_BR_SEEN_180;
		} else if(code == 183) {
			if(flags & RG_BR_SEEN_183)
				r.code = 0;
			else {
				r.has_sdp = reply_has_sdp(msg);
				update_stat(rg_st_replies_183, 1);
			}
			flags |= RG_BR_SEEN_183;
		} else if(code < 180 || r.pdd_ms < 0)
			r.code = 0; /* other provisionals have no counter */
	} else {
		/* a retransmitted final reply is not a new outcome */
		if(flags & RG_BR_FINAL_SEEN) {
			rg_branch_close(&h, flags);
			return 1;
		}
		flags |= RG_BR_FINAL_SEEN;
		if(code == 503) {
			if(!script) /* named in its log line */
				rg_branch_key(&h, &br);
			r.retry_after = reply_retry_after(msg, &br.dst);
			update_stat(rg_st_replies_503, 1);
		}
		r.release = rg_branch_end_hold(msg, &br, code, &flags);
	}
	/* the flags say it is counted: the count itself needs no slot lock */
	rg_branch_close(&h, flags);
	if(r.code == 0 && r.pdd_ms < 0)
		return 1; /* nothing new to record */
	rg_update_reply(&br.dst.ref, &r, now);
	return 1;
}

/*
 * A destination that sent no provisional reply above 100 has failed (a
 * 100 Trying is hop-by-hop: only our neighbour's stack spoke); one that
 * sent 18x and then rang out has not.
 */
void rg_reply_timeouts(struct cell *t, struct rg_txn *txn)
{
	struct rg_branch_h h;
	struct rg_branch br;
	uint32_t flags;
	unsigned int b;
	uint64_t now = 0;
	int release;

	for(b = 0; b < t->nr_of_outgoings; b++) {
		if(!(t->uac[b].request.flags & F_RB_TIMEOUT))
			continue;
		if(rg_branch_open(t, txn, (int)b, &br, &h) < 0)
			continue;
		if(br.flags & RG_BR_FINAL_SEEN) {
			rg_branch_close(&h, br.flags);
			continue;
		}
		flags = br.flags | RG_BR_FINAL_SEEN;
		release = rg_branch_end_hold(NULL, &br, 408, &flags);
		rg_branch_close(&h, flags);
		if(now == 0)
			now = rg_now_ms();
		rg_update_timeout(&br.dst.ref, !(br.flags & RG_BR_PROV), release,
				br.trial, now);
	}
}

/*
 * tm's reply-in callback, before tm's reply lock: what an onreply_route
 * would not have seen is left out too (replies to our own CANCEL, a
 * provisional on a branch already cancelled).
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
 */
static void hook_end(struct cell *t, struct rg_txn *txn)
{
	if(!(t->flags & T_CANCELED))
		rg_reply_timeouts(t, txn);
}

const struct rg_branch_hooks rg_reply_hooks = {hook_reply, hook_end};
