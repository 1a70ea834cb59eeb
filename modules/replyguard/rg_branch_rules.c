/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_branch_rules.h"

/* a provisional reply above 100 */
static uint32_t provisional(uint32_t flags, int code, int sdp,
		uint64_t t0_ms, uint64_t now_ms, struct rg_reply *r)
{
	/* the destination is alive: a timeout after this is no failure */
	flags |= RG_BR_PROV;
	if(code >= 180 && code < 190 && !(flags & RG_BR_PDD_DONE)) {
		r->pdd_ms = now_ms > t0_ms ? (int64_t)(now_ms - t0_ms) : 0;
		flags |= RG_BR_PDD_DONE;
	}
	if(code == 180) {
		r->code = (flags & RG_BR_SEEN_180) ? 0 : 180;
		return flags | RG_BR_SEEN_180;
	}
	if(code == 183) {
		r->code = 183;
		if(sdp == RG_SDP_NONE)
			flags |= RG_BR_SDP_TRIED;
		if(sdp == RG_SDP_FOUND && !(flags & RG_BR_SDP_SEEN)) {
			r->has_sdp = 1;
			r->sdp_only = (flags & RG_BR_SEEN_183) != 0;
			flags |= RG_BR_SDP_SEEN;
		} else if(flags & RG_BR_SEEN_183)
			r->code = 0;
		return flags | RG_BR_SEEN_183;
	}
	/* other provisionals have no counter: only a first 18x's delay */
	r->code = r->pdd_ms >= 0 ? code : 0;
	return flags;
}

uint32_t rg_br_reply(uint32_t flags, int code, int sdp, uint64_t t0_ms,
		uint64_t now_ms, struct rg_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->pdd_ms = -1;
	r->retry_after = -1;
	if(code <= 100 || (flags & RG_BR_PARKED))
		return flags;
	if(code < 200)
		return provisional(flags, code, sdp, t0_ms, now_ms, r);
	/* a retransmitted final reply is not a new outcome */
	if(flags & RG_BR_FINAL_SEEN)
		return flags;
	r->code = code;
	if(code < 300) {
		r->answered = 1;
		r->answer_ms = now_ms > t0_ms
							   ? (now_ms - t0_ms > UINT32_MAX
											 ? UINT32_MAX
											 : (uint32_t)(now_ms - t0_ms))
							   : 0;
	}
	return flags | RG_BR_FINAL_SEEN;
}

int rg_br_timeout(uint32_t *flags, int cancelled, int *failure)
{
	if(cancelled || (*flags & (RG_BR_FINAL_SEEN | RG_BR_PARKED)))
		return 0;
	*failure = !(*flags & RG_BR_PROV);
	*flags |= RG_BR_FINAL_SEEN;
	return 1;
}

/* the carrier figures' own counter of a final reply (rg_kpi.h), or -1 */
static int kpi_counter(int code)
{
	switch(code) {
		case 401:
		case 407:
			return RG_C_CHALLENGE;
		case 404:
		case 410:
		case 484:
		case 604:
			return RG_C_REJECT;
		case 408:
			return RG_C_R408;
		case 480:
			return RG_C_R480;
		case 486:
		case 600:
			return RG_C_BUSY;
		case 487:
			return RG_C_R487;
		case 500:
		case 504:
			return RG_C_R500_504;
		case 603:
			return RG_C_R603;
		default:
			return -1;
	}
}

int rg_reply_counters(const struct rg_reply *r, enum rg_counter out[RG_REPLY_COUNTERS])
{
	int n = 0, k;

	if(r->code >= 400 && (k = kpi_counter(r->code)) >= 0)
		out[n++] = (enum rg_counter)k;

	if(r->code == 180)
		out[n++] = RG_C_R180;
	else if(r->code == 183) {
		if(!r->sdp_only)
			out[n++] = RG_C_R183;
		if(r->has_sdp)
			out[n++] = RG_C_R183_SDP;
	} else if(r->code >= 200 && r->code < 300)
		out[n++] = RG_C_R2XX;
	else if(r->code >= 300 && r->code < 400)
		out[n++] = RG_C_R3XX;
	else if(r->code >= 400 && r->code < 500)
		out[n++] = RG_C_R4XX;
	else if(r->code >= 500 && r->code < 600) {
		out[n++] = RG_C_R5XX;
		if(r->code == 503) {
			out[n++] = RG_C_R503;
			if(r->retry_after >= 0)
				out[n++] = RG_C_R503_RA;
		}
	} else if(r->code >= 600 && r->code < 700)
		out[n++] = RG_C_R6XX;
	return n;
}
