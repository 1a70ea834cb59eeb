/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/parser/msg_parser.h"

#include "rg_branch.h"
#include "rg_buf.h"
#include "rg_dispatcher.h"
#include "rg_dst.h"
#include "rg_ext.h"
#include "rg_host.h"
#include "rg_reply.h"
#include "rg_reply_in.h"
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

	if(rg_dst_key(raw, 1, &br.dst) < 0)
		return 1;
	br.flags = 0;
	have_ext = rg_ds_ext(msg, raw, &ext);
	now = rg_now_ms();
	/* dispatcher's name for it equals `raw` but for case (rg_ds_ext
	 * compared them): the pair's fingerprint is taken from raw's hash, which
	 * the key's memo keeps (a name spelt otherwise by another path only
	 * costs its pair one more look) */
	rc = rg_update_admit(br.dst.key, br.dst.key_len, br.dst.hash.key,
			have_ext ? &ext : NULL,
			have_ext ? rg_ext_fp(br.dst.hash.raw, ext.tag) : 0, now, &adm);
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

	br.index = rg_reply_in_next_index(msg, &br.dst);
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

int ki_rg_inspect(struct sip_msg *msg)
{
	if(msg->first_line.type != SIP_REPLY)
		return -1;
	return rg_reply_inspect(msg, NULL, NULL, rg_reply_in_index(), 1);
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
	return rg_update_block(&dst.ref, (uint32_t)seconds) == RG_OK ? 1 : -1;
}

int ki_rg_unblock(struct sip_msg *msg, str *raw)
{
	struct rg_dst dst;

	if(rg_dst_resolve(raw, 0, &dst) != RG_OK)
		return -1;
	return rg_update_unblock(&dst.ref) == RG_OK ? 1 : -1;
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
