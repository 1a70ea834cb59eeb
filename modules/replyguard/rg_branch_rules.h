/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What one reply, or one timeout, means for the branch it belongs to:
 * the per-branch rules, as pure functions of the branch's record flags;
 * and which counters a reply so recorded adds to.
 * No SIP and no tm here; rg_reply.c feeds them what tm reported.
 *
 * - A 180 and a 183 count once per branch: a reliable 183 is resent
 *   until PRACK, and retransmissions are not new replies.
 * - "183 with SDP" counts once per branch. A branch's 183s are parsed
 *   until one has a body: a 183 without a body, then one with SDP,
 *   counts; once a 183's body held no SDP session, later 183s of the
 *   branch are not parsed (copies of a reliable 183 are parsed once).
 * - The first 18x measures the post-dial delay.
 * - A final reply counts once per branch (retransmissions do not). A
 *   provisional handled after it still counts: two workers may handle a
 *   gateway's 183 and its 200 in either order.
 * - A branch that times out after a provisional reply above 100 rang
 *   out: no failure. One that sent nothing, or only 100 Trying (which is
 *   hop by hop: only our neighbour's stack spoke), failed.
 * - A branch parked on tm's blind UAC (admitted before t_suspend) is never
 *   a destination: it counts nothing until it is bound to the branch sent
 *   after t_continue.
 */
#ifndef RG_BRANCH_RULES_H
#define RG_BRANCH_RULES_H

#include <stdint.h>

#include "rg_types-t.h"

/* a branch record's flags */
#define RG_BR_PDD_DONE 0x01	  /* a first 18x was measured */
#define RG_BR_FINAL_SEEN 0x02 /* a final reply (or timeout) was recorded */
#define RG_BR_HELD 0x04		  /* holds a place in flight: released once */
#define RG_BR_NEW 0x10		  /* admitted in the script now running */
#define RG_BR_SEEN_180 0x20	  /* a 180 was counted */
#define RG_BR_SEEN_183 0x40	  /* a 183 was counted */
#define RG_BR_PROV 0x80		  /* a provisional reply above 100 arrived */
#define RG_BR_SDP_SEEN 0x100  /* a 183 with SDP was counted */
#define RG_BR_PARKED 0x200	  /* on tm's blind UAC (t_suspend): not sent */
#define RG_BR_SDP_TRIED 0x400 /* a 183's body was parsed: no SDP in it */
#define RG_BR_BOUND 0x800	  /* moved off a blind UAC as tm prepared it */

/* what the SDP parser said of a reply (rg_sdp_has) */
#define RG_SDP_NO_BODY 0 /* no body: a later 183 may still carry SDP */
#define RG_SDP_FOUND 1	 /* an SDP session */
#define RG_SDP_NONE 2	 /* a body, and no SDP session in it */

/*
 * Is the body of reply `code` to be looked at for SDP? Until a 183 with
 * a body was: copies of a reliable 183 (resent until PRACK) are parsed
 * once, and a gateway's malformed SDP logs its parser errors once.
 */
static inline int rg_br_wants_sdp(uint32_t flags, int code)
{
	return code == 183
		   && !(flags & (RG_BR_SDP_SEEN | RG_BR_SDP_TRIED | RG_BR_PARKED));
}

/*
 * Reply `code` (above 100) of a branch admitted at t0_ms, at now_ms;
 * `sdp` what the SDP parser said (RG_SDP_*; asked only when
 * rg_br_wants_sdp, else RG_SDP_NO_BODY).
 * Fills `r` (code 0 and pdd_ms -1: nothing new to record; has_sdp,
 * sdp_only) and returns the branch's new flags. A final reply seen for
 * the first time keeps its code in r->code: its hold and Retry-After are
 * the caller's.
 */
uint32_t rg_br_reply(uint32_t flags, int code, int sdp, uint64_t t0_ms,
		uint64_t now_ms, struct rg_reply *r);

/*
 * The branch timed out (tm's local 408, no reply). 1 when it is to be
 * counted, with *failure 1 when it failed, and the new flags in *flags;
 * 0 when not (counted already, parked, or the call was cancelled).
 */
int rg_br_timeout(uint32_t *flags, int cancelled, int *failure);

/*
 * The counters a recorded reply adds to (180, 183 unless sdp_only, 183
 * with SDP, the class, 503 and 503 with Retry-After, and a final's own
 * counter of the carrier figures: replies_busy, replies_487, ...): how
 * many were written into out[]. (replies_503_call is the entry's: it
 * needs call_specific_causes.)
 */
#define RG_REPLY_COUNTERS 4
int rg_reply_counters(
		const struct rg_reply *r, enum rg_counter out[RG_REPLY_COUNTERS]);

#endif
