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
 * What parse_sdp() would say of `msg`: RG_SDP_FOUND (at least one SDP
 * session), RG_SDP_NONE (a body, no session in it) or RG_SDP_NO_BODY
 * (rg_branch_rules.h). The headers are parsed by Kamailio's parser (tm
 * parses them all anyway to relay a reply) and the Content-Type with
 * parse_content_type_hdr(); an application/sdp body is then held against
 * every condition under which parse_sdp_session() fails, a multipart
 * body walked as parse_mixed_content() walks it, both with the SDP
 * parser's own helpers and no allocation (parse_sdp() itself is never
 * run: what it does besides, reading every attribute line, allocates and
 * has read past the end of a body). A message whose body someone parsed
 * already keeps that answer.
 * tests/fuzz/fuzz_sdp.c holds the two against each other. A reply tm
 * keeps in shared memory (resumed after t_suspend in onreply_route) is
 * not parsed here: RG_SDP_NO_BODY.
 */
int rg_sdp_has(struct sip_msg *msg);

#endif
