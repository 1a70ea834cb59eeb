/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/parser/msg_parser.h"

#include "rg_branch.h"
#include "rg_buf.h"
#include "rg_dispatcher.h"
#include "rg_dst.h"
#include "rg_hdr.h"
#include "rg_host.h"
#include "rg_retry_after.h"
#include "rg_script.h"
#include "rg_stats.h"
#include "rg_update.h"

/*
 * Admission. The return codes are the script contract: 1 admitted, -1
 * blocked, -2 throttled. A destination the table cannot track (malformed,
 * or table full) is admitted untracked: routing must go on.
 */
int ki_rg_allow_dst(struct sip_msg *msg, str *raw)
{
	struct rg_admission adm;
	struct rg_branch br;
	struct rg_ext ext;
	uint64_t now;
	int rc, have_ext;

	memset(&br, 0, sizeof(br));
	if(rg_dst_key(raw, 1, &br.dst) < 0)
		return 1;
	have_ext = rg_ds_ext(msg, raw, &ext);
	now = rg_now_ms();
	rc = rg_update_admit(
			br.dst.key, br.dst.key_len, have_ext ? &ext : NULL, now, &adm);
	if(rc == RG_EFULL) {
		rg_dst_warn_full(raw);
		return 1;
	}
	rg_stats_verdict(rc);
	br.dst.ref = adm.ref;
	if(rc != RG_ADMITTED) {
		rg_dst_set_current(msg, &br.dst, rg_dst_suggest(adm.retry_after));
		return rc;
	}
	rg_dst_set_current(msg, &br.dst, 0);

	br.index = rg_branch_next_index(msg, &br.dst);
	br.t0_ms = now;
	br.trial = adm.trial;
	if(br.index < 0) {
		LM_WARN("no branch index here: replies to [%s] will not be "
				"recorded\n",
				rg_log_safe(br.dst.key, br.dst.key_len));
		/* no record will own its hold: it ends here */
		if(adm.held)
			rg_update_release(&adm.ref);
		return 1;
	}
	rg_branch_save(msg, &br, adm.held);
	return 1;
}

int ki_rg_allow(struct sip_msg *msg)
{
	str dst;

	if(rg_dst_default(msg, &dst) < 0) {
		LM_ERR("no destination: neither $du nor $ru is set\n");
		return 1;
	}
	return ki_rg_allow_dst(msg, &dst);
}

int w_rg_allow(struct sip_msg *msg, char *dst, char *p2)
{
	str s;

	if(dst == NULL)
		return ki_rg_allow(msg);
	if(fixup_get_svalue(msg, (gparam_t *)dst, &s) < 0) {
		LM_ERR("cannot evaluate the destination parameter\n");
		return 1;
	}
	return ki_rg_allow_dst(msg, &s);
}

/*
 * A non-empty application/sdp body, or a body with no Content-Type (read
 * as SDP), from the raw header block: Kamailio's parser would parse every
 * header before Content-Type, which costs more than all of replyguard's
 * own work on a reply.
 */
static int reply_has_sdp(struct sip_msg *msg)
{
	if(msg->first_line.len <= 0 || msg->first_line.len >= (int)msg->len)
		return 0;
	return rg_hdr_has_sdp(msg->buf + msg->first_line.len,
			(size_t)(msg->len - msg->first_line.len));
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

int ki_rg_inspect(struct sip_msg *msg)
{
	struct rg_branch br;
	struct rg_reply r;
	void *handle;
	uint32_t flags;
	uint64_t now;
	int index, code;

	if(msg->first_line.type != SIP_REPLY)
		return -1;
	code = (int)msg->first_line.u.reply.statuscode;
	index = rg_branch_reply_index();
	if(index < 0 || rg_branch_find(index, &br, &handle) < 0)
		return -1;
	rg_dst_set_current(msg, &br.dst, 0);
	if(code <= 100)
		return 1;

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
		if(flags & RG_BR_FINAL_SEEN)
			return 1;
		flags |= RG_BR_FINAL_SEEN;
		if(code == 503) {
			r.retry_after = reply_retry_after(msg, &br.dst);
			update_stat(rg_st_replies_503, 1);
		}
		r.release = rg_branch_end_hold(msg, &br, code, &flags);
	}
	if(flags != br.flags)
		rg_branch_set_flags(handle, flags);
	if(r.code == 0 && r.pdd_ms < 0)
		return 1; /* nothing new to record */
	rg_update_reply(&br.dst.ref, &r, now);
	return 1;
}

int w_rg_inspect(struct sip_msg *msg, char *p1, char *p2)
{
	return ki_rg_inspect(msg);
}

/* rg_block(dst, seconds): 1 done, -1 unknown or untrackable destination */
int ki_rg_block(struct sip_msg *msg, str *raw, int seconds)
{
	struct rg_dst dst;

	if(seconds <= 0) {
		LM_ERR("rg_block: seconds must be > 0, not %d\n", seconds);
		return -1;
	}
	if(rg_dst_resolve(raw, 1, &dst) != RG_OK)
		return -1;
	return rg_update_block(&dst.ref, dst.key, dst.key_len, (uint32_t)seconds) == RG_OK ? 1 : -1;
}

int ki_rg_unblock(struct sip_msg *msg, str *raw)
{
	struct rg_dst dst;

	if(rg_dst_resolve(raw, 0, &dst) != RG_OK)
		return -1;
	return rg_update_unblock(&dst.ref, dst.key, dst.key_len) == RG_OK ? 1 : -1;
}

int w_rg_block(struct sip_msg *msg, char *dst, char *secs)
{
	str s;
	int n;

	if(fixup_get_svalue(msg, (gparam_t *)dst, &s) < 0
			|| fixup_get_ivalue(msg, (gparam_t *)secs, &n) < 0) {
		LM_ERR("rg_block: cannot evaluate the parameters\n");
		return -1;
	}
	return ki_rg_block(msg, &s, n);
}

int w_rg_unblock(struct sip_msg *msg, char *dst, char *p2)
{
	str s;

	if(fixup_get_svalue(msg, (gparam_t *)dst, &s) < 0) {
		LM_ERR("rg_unblock: cannot evaluate the destination\n");
		return -1;
	}
	return ki_rg_unblock(msg, &s);
}
