/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "core/parser/msg_parser.h"
#include "core/parser/sdp/sdp.h"

#include "kam_sdp.h"
#include "rg_branch_rules.h"
#include "rg_sdp.h"

int ksr_hname_init_index(void);

void kam_sdp_init(void)
{
	ksr_hname_init_index();
}

/*
 * The core receives into a 64 KiB buffer and ends the message with a
 * NUL; what lies after it is an older message. parse_sdp() reads past a
 * body's end in places (a body ending in "a=" makes one scan for '\n'
 * with a length near 4 GiB): line ends after the NUL stop those reads
 * inside this copy, as they stop in the core's buffer.
 */
#define KAM_SLACK 4096

/* parse `buf` as the core does into `m` (a copy in `*b`); 0 or -1 */
static int parse(const char *buf, size_t len, struct sip_msg *m, char **b)
{
	*b = malloc(len + 1 + KAM_SLACK);
	if(*b == NULL)
		abort();
	memcpy(*b, buf, len);
	(*b)[len] = '\0';
	memset(*b + len + 1, '\n', KAM_SLACK);
	memset(m, 0, sizeof(*m));
	m->buf = *b;
	m->len = (unsigned int)len;
	return parse_msg(*b, (unsigned int)len, m) == 0 ? 0 : -1;
}

int kam_sdp_sessions(const char *buf, size_t len)
{
	struct sip_msg m;
	char *b;
	int n = -1;

	if(parse(buf, len, &m, &b) == 0)
		n = parse_sdp(&m) == 0 && m.body != NULL
			&& m.body->type == MSG_BODY_SDP
			&& ((sdp_info_t *)m.body)->sessions_num > 0;
	free_sip_msg(&m);
	free(b);
	return n;
}

int kam_sdp_replyguard(const char *buf, size_t len)
{
	struct sip_msg m;
	char *b;
	int n = -1;

	if(parse(buf, len, &m, &b) == 0)
		n = rg_sdp_has(&m) == RG_SDP_FOUND;
	free_sip_msg(&m);
	free(b);
	return n;
}
