/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path of "183 with SDP" (rg_sdp.c): the answer of Kamailio's
 * parsers for the messages gateways send (plain header lines, a plain
 * application/sdp body), read from the raw bytes with no parsing into
 * the message, no allocation and no log line. Where a message is not
 * plain, it says so, and rg_sdp.c asks Kamailio's parsers instead.
 *
 * Every rule here restates one of Kamailio's (named beside it); that
 * both answer alike on every message is what tests/fuzz/fuzz_sdp.c
 * checks, with Kamailio's parsers built from its source as the oracle.
 * No SIP structures: bytes in, an answer out.
 */
#ifndef RG_SDP_FAST_H
#define RG_SDP_FAST_H

#define RG_SDPF_UNSURE -1 /* not a message this path decides */

/*
 * The header lines from `p` (a line's start) to `end`, where the
 * message's parser has not been yet. `*ct` comes in as how the first
 * Content-Type already parsed reads (-1 none was, 0 not a plain
 * application/sdp, 1 a plain application/sdp) and goes out as the same
 * for the message's first Content-Type. 1, with `*body` after the blank
 * line, when every line is plain and none is one whose value Kamailio's
 * header parser reads (Via, To, CSeq, Retry-After, From; a
 * Content-Length must be plain digits); else RG_SDPF_UNSURE.
 */
int rg_sdpf_headers(const char *p, const char *end, int *ct, const char **body);

/* Is the Content-Type value `v` (`len` bytes) a plain application/sdp? */
int rg_sdpf_is_sdp(const char *v, int len);

/*
 * Would Kamailio 5.6's parse_sdp_session() accept the `len` bytes at `s`
 * as an SDP session? 1 or 0. s[-1] is read, as the parser reads it (the
 * byte before a body is the blank line's end). (Kamailio 6 reads the o=
 * and c= lines more strictly: rg_sdp.c asks its own helpers there.)
 */
int rg_sdpf_session(const char *s, int len);

#endif
