/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "183 with SDP" (replies_183_sdp): what Kamailio's own SDP parser says,
 * parse_sdp() as the sdpops module uses it: an SDP session in the body,
 * multipart bodies included exactly as that parser reads them.
 */
#ifndef RG_SDP_H
#define RG_SDP_H

#include "core/parser/msg_parser.h"

/*
 * 1 when parse_sdp() finds at least one SDP session in `msg`, else 0. A
 * message with no "v=" anywhere (rg_hdr_may_have_sdp) is not parsed:
 * the parser would find no session in it.
 */
int rg_sdp_has(struct sip_msg *msg);

#endif
