/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/dset.h"
#include "core/rand/kam_rand.h"

#include "rg_buf.h"
#include "rg_dst.h"
#include "rg_host.h"
#include "rg_ops.h"
#include "rg_retry_after.h"

/* one warning line per process per interval, with what it held back */
#define RG_DST_LOG_INTERVAL_MS 10000

static struct rg_dst_ctx rg_current;

/* this process's last destinations: most calls repeat one */
static struct rg_key_memo rg_memo;

static uint64_t rg_last_warn_ms;
static unsigned int rg_warn_held;

static void warn_limited(const char *what, const str *raw, const char *why)
{
	uint64_t now = rg_now_ms();

	if(rg_last_warn_ms && now - rg_last_warn_ms < RG_DST_LOG_INTERVAL_MS) {
		rg_warn_held++;
		return;
	}
	LM_WARN("%s [%s]: %s (%u similar lines held back)\n", what,
			rg_log_safe(raw->s, raw->len), why, rg_warn_held);
	rg_last_warn_ms = now;
	rg_warn_held = 0;
}

int rg_dst_key(const str *raw, int for_call, struct rg_dst *dst)
{
	int rc = raw->len > 0 ? rg_key_normalize_memo_h(&rg_memo, raw->s,
										 (size_t)raw->len, dst->key, &dst->hash)
						  : RG_KEY_EEMPTY;

	if(rc < 0) {
		/* only refusals of calls are counted; a lookup just fails */
		if(for_call) {
			rg_table_note_bad_key(rg_tbl);
			warn_limited("destination not tracked", raw, rg_key_strerror(rc));
		}
		return RG_EBADKEY;
	}
	dst->key_len = rc;
	return 0;
}

void rg_dst_warn_full(const str *raw)
{
	warn_limited("destination not tracked", raw,
			"table full (raise max_destinations)");
}

int rg_dst_resolve(const str *raw, int create, struct rg_dst *dst)
{
	int rc;

	if(rg_dst_key(raw, create, dst) < 0)
		return RG_EBADKEY;
	rc = rg_op_lookup(
			rg_tbl, dst->key, dst->key_len, create, rg_now_ms(), &dst->ref);
	if(rc == RG_EFULL)
		rg_dst_warn_full(raw);
	return rc;
}

int rg_dst_default(struct sip_msg *msg, str *out)
{
	if(msg->dst_uri.s != NULL && msg->dst_uri.len > 0) {
		*out = msg->dst_uri;
		return 0;
	}
	if(msg->new_uri.s != NULL && msg->new_uri.len > 0) {
		*out = msg->new_uri;
		return 0;
	}
	if(msg->first_line.type == SIP_REQUEST) {
		*out = msg->first_line.u.request.uri;
		return 0;
	}
	return -1;
}

static int rg_ra_jitter_pct; /* read-only once set */

void rg_dst_init(int jitter_pct)
{
	rg_ra_jitter_pct = jitter_pct;
}

uint32_t rg_dst_suggest(uint32_t secs)
{
	if(rg_ra_jitter_pct <= 0)
		return secs;
	return rg_retry_after_jitter(
			secs, (unsigned int)rg_ra_jitter_pct, (uint32_t)kam_rand());
}

void rg_dst_set_current(
		struct sip_msg *msg, const struct rg_dst *dst, uint32_t retry_after)
{
	rg_current.msg_id = msg->id;
	rg_current.valid = 1;
	rg_current.dst = *dst;
	rg_current.retry_after = retry_after;
}

const struct rg_dst *rg_dst_current(struct sip_msg *msg, uint32_t *retry_after)
{
	/* a static: each process has its own, so the message id suffices */
	if(!rg_current.valid || msg == NULL || rg_current.msg_id != msg->id)
		return NULL;
	if(retry_after)
		*retry_after = rg_current.retry_after;
	return &rg_current.dst;
}

void rg_dst_ctx_save(struct rg_dst_ctx *ctx)
{
	*ctx = rg_current;
}

void rg_dst_ctx_restore(const struct rg_dst_ctx *ctx)
{
	rg_current = *ctx;
}

void rg_dst_set_retry_only(struct sip_msg *msg, uint32_t retry_after)
{
	struct rg_dst none;

	memset(&none, 0, sizeof(none));
	none.ref.slot = RG_SLOT_NONE; /* fields read as $null */
	rg_dst_set_current(msg, &none, retry_after);
}
