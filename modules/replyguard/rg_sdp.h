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
 * 1 when parse_sdp() would find at least one SDP session in `msg`, else
 * 0. The message's headers are parsed by Kamailio's parser (tm parses
 * them all anyway to relay a reply) and its Content-Type with
 * parse_content_type_hdr(); an application/sdp body is then checked
 * against every condition under which parse_sdp_session() fails, with
 * the SDP parser's own helpers and no allocation. A multipart body, or a
 * message whose body someone parsed already, gets parse_sdp()'s own
 * answer. tests/fuzz/fuzz_sdp.c holds the two against each other.
 */
int rg_sdp_has(struct sip_msg *msg);

#endif
