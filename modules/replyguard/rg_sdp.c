/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "core/parser/sdp/sdp.h"

#include "rg_hdr.h"
#include "rg_sdp.h"

int rg_sdp_has(struct sip_msg *msg)
{
	if(msg->buf == NULL || msg->len == 0
			|| !rg_hdr_may_have_sdp(msg->buf, msg->len))
		return 0;
	/* 0: parsed (now or by someone before: then the body's kind says) */
	if(parse_sdp(msg) != 0 || msg->body == NULL
			|| msg->body->type != MSG_BODY_SDP)
		return 0;
	return ((sdp_info_t *)msg->body)->sessions_num > 0;
}
