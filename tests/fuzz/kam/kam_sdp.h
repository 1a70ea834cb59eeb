/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sdp.c's two sides: Kamailio's own parsers, from its source tree,
 * and replyguard's rg_sdp_has() on top of them. */
#ifndef KAM_SDP_H
#define KAM_SDP_H

#include <stddef.h>

/* once, before kam_sdp_sessions */
void kam_sdp_init(void);

/*
 * The message `buf` (`len` bytes) parsed as the core does (parse_msg),
 * then asked parse_sdp() as sdpops does: 1 when it finds an SDP session,
 * 0 when not, -1 when the core would have dropped the message.
 */
int kam_sdp_sessions(const char *buf, size_t len);

/* The same message parsed by the core, then asked of rg_sdp_has(). */
int kam_sdp_replyguard(const char *buf, size_t len);

#endif
