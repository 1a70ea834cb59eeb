/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/parser/hf.h"
#include "core/parser/parse_content.h"
#include "core/parser/parser_f.h"
#include "core/parser/sdp/sdp.h"
#include "core/parser/sdp/sdp_helpr_funcs.h"

#include "rg_branch_rules.h"
#include "rg_sdp.h"
#include "rg_compat.h"
#include "rg_sdp_fast.h"

/*
 * Would parse_sdp_session() accept the `len` bytes at `s` as one session?
 * Its failures, in its order, with its own search and extraction
 * helpers: no v=, no o= after it, no m= after that; an o= line whose
 * sess-version or address cannot be read; a session c= line whose
 * address cannot; and for each m= line, a c= address that cannot be
 * read, or none at all (neither in the media nor in the session), or an
 * m= line without media, port and transport. Everything else it does
 * (bandwidth, attributes, payloads) fails only when memory does.
 */
static int session_ok(char *s, int len)
{
	static char o_line[] = "o=", c_line[] = "c=";
	char *lim = s + len, *o1p, *m1p, *m2p, *c1p, *c2p;
	str t, v, ip, media, port, transport, payload;
	int pf, rtp;

	o1p = find_sdp_line(s, lim, 'v');
	if(o1p == NULL || (o1p = find_sdp_line(o1p, lim, 'o')) == NULL
			|| (m1p = find_sdp_line(o1p, lim, 'm')) == NULL)
		return 0;
	t.s = o1p;
	t.len = (int)(eat_line(o1p, (unsigned int)(m1p - o1p)) - o1p);
	if(extract_sess_version(&t, &v) == -1)
		return 0;
	t.len = (int)(lim - o1p);
	if(extract_mediaip(&t, &ip, &pf, o_line) == -1)
		return 0;
	c1p = find_sdp_line(o1p, m1p, 'c');
	if(c1p != NULL) {
		t.s = c1p;
		t.len = (int)(lim - c1p);
		if(extract_mediaip(&t, &ip, &pf, c_line) == -1)
			return 0;
	}
	/* find_next_sdp_line() gives `lim` when there is no next m= */
	for(m2p = m1p; m2p < lim;) {
		m1p = m2p;
		m2p = find_next_sdp_line(m1p, lim, 'm', lim);
		c2p = find_sdp_line(m1p, m2p, 'c');
		if(c2p != NULL) {
			t.s = c2p;
			t.len = (int)(lim - c2p);
			if(extract_mediaip(&t, &ip, &pf, c_line) == -1)
				return 0;
		} else if(c1p == NULL)
			return 0;
		t.s = m1p;
		t.len = (int)(m2p - m1p);
		if(extract_media_attr(&t, &media, &port, &transport, &payload, &rtp)
				== -1)
			return 0;
	}
	return 1;
}

/*
 * Would parse_mixed_content() find a session in the multipart `body`
 * whose parts `delim` separates? Its walk, in its order: the first
 * delimiter, then part by part its headers (get_sdp_hdr_field(), a bad
 * one or a Content-Type that is not one plain type fails the whole body)
 * and, for an application/sdp part, the session after its blank lines
 * (session_ok(); one that fails fails the whole body). Found when every
 * part passed and one of them held a session.
 */
static int mixed_ok(char *s, int len, str delim)
{
	char *lim = s + len, *d1p, *d2p, *rest, *end;
	const char *ret;
	struct hdr_field hf;
	unsigned int mime;
	int eoh, sdp, found = 0;

	d1p = find_sdp_line_delimiter(s, lim, delim);
	if(d1p == NULL)
		return 0;
	/* find_next_sdp_line_delimiter() gives `lim` when there is no next */
	for(d2p = d1p; d2p < lim;) {
		d1p = d2p;
		if(d1p + delim.len + 2 > lim)
			return 0;
		d2p = find_next_sdp_line_delimiter(d1p, lim, delim, lim);
		if(d2p - d1p < delim.len + 2)
			return 0;
		memset(&hf, 0, sizeof(hf));
		rest = eat_line(
				d1p + delim.len + 2, (unsigned int)(d2p - d1p - delim.len - 2));
		if(rest > d2p)
			return 0;
		for(eoh = 0, sdp = 0; rest < d2p && !eoh;) {
			rest = get_sdp_hdr_field(rest, d2p, &hf);
			if(hf.type == HDR_EOH_T)
				eoh = 1;
			else if(hf.type == HDR_ERROR_T)
				return 0;
			else if(hf.type == HDR_CONTENTTYPE_T) {
				end = hf.body.s + hf.body.len;
				ret = decode_mime_type(hf.body.s, end, &mime);
				if(ret == NULL || ret != end || (mime & 0x00ff) == SUBTYPE_ALL
						|| (mime >> 16) == TYPE_ALL)
					return 0;
				/* (a later Content-Type of the part does not undo it) */
				if((mime >> 16) == TYPE_APPLICATION
						&& (mime & 0x00ff) == SUBTYPE_SDP)
					sdp = 1;
			}
		}
		if(!sdp)
			continue;
		/* as the parser does: blanks skipped up to the message's NUL */
		while(*rest == '\n' || *rest == '\r' || *rest == '\t' || *rest == ' ')
			rest++;
		if(!session_ok(rest, (int)(d2p - rest)))
			return 0;
		found = 1;
	}
	return found;
}

/*
 * The fast path (rg_sdp_fast.h) for a message whose unparsed header
 * lines and body are plain: an answer, or RG_SDPF_UNSURE.
 */
static int fast(struct sip_msg *msg)
{
	const char *end = msg->buf + msg->len, *p = msg->unparsed, *body;
	int ct = -1;

	if(p == NULL || p <= msg->buf || p > end || p[-1] != '\n')
		return RG_SDPF_UNSURE;
	if(msg->content_type != NULL) {
		ct = rg_sdpf_is_sdp(
				msg->content_type->body.s, msg->content_type->body.len);
		if(!ct)
			return RG_SDPF_UNSURE;
	}
	if(rg_sdpf_headers(p, end, &ct, &body) != 1)
		return RG_SDPF_UNSURE;
	if(body >= end)
		return RG_SDP_NO_BODY;
	if(ct < 0)
		return RG_SDP_NONE; /* a body and no Content-Type */
	if(ct == 0)
		return RG_SDPF_UNSURE;
#if RG_SDP_SESSION_RESTATED
	return rg_sdpf_session(body, (int)(end - body)) ? RG_SDP_FOUND
													: RG_SDP_NONE;
#else
	return session_ok((char *)body, (int)(end - body)) ? RG_SDP_FOUND
													   : RG_SDP_NONE;
#endif
}

int rg_sdp_has(struct sip_msg *msg)
{
	char *body;
	int len, mime;
	str delim;

	/* its headers would be parsed into this process's memory */
	if(msg->msg_flags & FL_SHM_CLONE)
		return RG_SDP_NO_BODY;
	if(msg->body == NULL && (len = fast(msg)) != RG_SDPF_UNSURE)
		return len;
	/* someone parsed the body: parse_sdp() keeps that answer */
	if(msg->body != NULL)
		return msg->body->type == MSG_BODY_SDP
						&& ((sdp_info_t *)msg->body)->sessions_num > 0
					   ? RG_SDP_FOUND
					   : RG_SDP_NONE;
	body = get_body(msg);
	if(body == NULL)
		return RG_SDP_NONE; /* headers the parser refuses */
	len = (int)msg->len - (int)(body - msg->buf);
	if(len <= 0)
		return RG_SDP_NO_BODY;
	mime = parse_content_type_hdr(msg);
	if(mime <= 0)
		return RG_SDP_NONE;
	switch(((unsigned int)mime) >> 16) {
		case TYPE_APPLICATION:
			return (mime & 0x00ff) == SUBTYPE_SDP && session_ok(body, len)
						   ? RG_SDP_FOUND
						   : RG_SDP_NONE;
		case TYPE_MULTIPART:
			if((mime & 0x00ff) != SUBTYPE_MIXED
					|| get_mixed_part_delimiter(&msg->content_type->body, &delim)
							   <= 0)
				return RG_SDP_NONE;
			return mixed_ok(body, len, delim) ? RG_SDP_FOUND : RG_SDP_NONE;
		default:
			return RG_SDP_NONE;
	}
}
