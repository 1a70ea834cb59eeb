/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/parser/parse_content.h"
#include "core/parser/parse_hname2.h"
#include "core/parser/msg_parser.h"

#include "replyguard_mod.h"
#include "rg_branch.h"
#include "rg_dst.h"
#include "rg_retry_after.h"
#include "rg_script.h"

/*
 * Admission. The return codes are the script contract: 1 admitted, -1
 * blocked, -2 throttled. A destination the table cannot track (malformed,
 * or table full) is admitted untracked: routing must go on.
 */
int ki_rg_allow_dst(struct sip_msg *msg, str *raw)
{
	struct rg_branch br;
	uint32_t retry_after = 0;
	uint64_t now;
	int rc;

	memset(&br, 0, sizeof(br));
	rc = rg_dst_resolve(raw, 1, &br.dst);
	if(rc != RG_OK)
		return 1;
	now = rg_now_ms();
	rc = rg_table_admit(rg_tbl, &br.dst.ref, now, &retry_after);
	rg_dst_set_current(msg, &br.dst, retry_after);
	if(rc < 0 && rc != RG_ESTALE)
		return rc;

	br.index = rg_branch_next_index(msg);
	br.t0_ms = now;
	if(br.index < 0) {
		LM_WARN("no branch index here: replies to [%s] will not be "
				"recorded\n",
				br.dst.key);
		return 1;
	}
	rg_branch_save(&br);
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

/* application/sdp body, or a body with no Content-Type (read as SDP) */
static int reply_has_sdp(struct sip_msg *msg)
{
	char *body;
	int len = 0, ctype;

	body = get_body(msg);
	if(body == NULL)
		return 0;
	len = msg->len - (int)(body - msg->buf);
	if(len <= 0)
		return 0;
	ctype = parse_content_type_hdr(msg);
	if(ctype == 0)
		return 1;
	return ctype == ((TYPE_APPLICATION << 16) + SUBTYPE_SDP);
}

/* 1 when the reply has exactly one well-formed Retry-After */
static int reply_has_retry_after(struct sip_msg *msg)
{
	struct hdr_field *h, *found = NULL;
	struct rg_retry_after ra;

	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return 0;
	for(h = msg->headers; h; h = h->next) {
		if(h->type != HDR_RETRY_AFTER_T)
			continue;
		if(found)
			return 0; /* repeated: ambiguous, so none */
		found = h;
	}
	if(found == NULL)
		return 0;
	return rg_retry_after_parse(found->body.s, (size_t)found->body.len, &ra)
		   == 0;
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
	if(code < 180)
		return 1;

	flags = br.flags;
	now = rg_now_ms();
	memset(&r, 0, sizeof(r));
	r.code = code;
	r.pdd_ms = -1;
	if(code < 200) {
		if(code < 190 && !(flags & RG_BR_PDD_DONE)) {
			r.pdd_ms = now > br.t0_ms ? (int64_t)(now - br.t0_ms) : 0;
			flags |= RG_BR_PDD_DONE;
		}
		if(code == 183)
			r.has_sdp = reply_has_sdp(msg);
	} else {
		/* a retransmitted final reply is not a new outcome */
		if(flags & RG_BR_FINAL_SEEN)
			return 1;
		flags |= RG_BR_FINAL_SEEN;
		if(code == 503)
			r.has_retry_after = reply_has_retry_after(msg);
	}
	if(flags != br.flags)
		rg_branch_set_flags(handle, flags);
	rg_table_reply(rg_tbl, &br.dst.ref, &r, now);
	return 1;
}

int w_rg_inspect(struct sip_msg *msg, char *p1, char *p2)
{
	return ki_rg_inspect(msg);
}
