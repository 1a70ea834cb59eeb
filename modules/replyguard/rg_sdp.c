/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "core/parser/parse_content.h"
#include "core/parser/parser_f.h"
#include "core/parser/sdp/sdp.h"
#include "core/parser/sdp/sdp_helpr_funcs.h"

#include "rg_sdp.h"

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

/* parse_sdp()'s own answer: a session found */
static int parsed(struct sip_msg *msg)
{
	return parse_sdp(msg) == 0 && msg->body != NULL
		   && msg->body->type == MSG_BODY_SDP
		   && ((sdp_info_t *)msg->body)->sessions_num > 0;
}

int rg_sdp_has(struct sip_msg *msg)
{
	char *body;
	int len, mime;

	/* someone parsed the body: parse_sdp() keeps that answer */
	if(msg->body != NULL)
		return parsed(msg);
	body = get_body(msg);
	if(body == NULL)
		return 0;
	len = (int)msg->len - (int)(body - msg->buf);
	if(len <= 0)
		return 0;
	mime = parse_content_type_hdr(msg);
	if(mime <= 0)
		return 0;
	switch(((unsigned int)mime) >> 16) {
		case TYPE_APPLICATION:
			return (mime & 0x00ff) == SUBTYPE_SDP && session_ok(body, len);
		case TYPE_MULTIPART:
			return parsed(msg);
		default:
			return 0;
	}
}
