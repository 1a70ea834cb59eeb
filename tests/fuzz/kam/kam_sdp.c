/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "core/parser/msg_parser.h"
#include "core/parser/sdp/sdp.h"

#include "kam_sdp.h"

int ksr_hname_init_index(void);

void kam_sdp_init(void)
{
	ksr_hname_init_index();
}

int kam_sdp_sessions(const char *buf, size_t len)
{
	struct sip_msg m;
	char *b;
	int n = 0;

	/* the core's receive buffer ends in a NUL after the message */
	b = malloc(len + 1);
	if(b == NULL)
		abort();
	memcpy(b, buf, len);
	b[len] = '\0';
	memset(&m, 0, sizeof(m));
	m.buf = b;
	m.len = (unsigned int)len;
	if(parse_msg(b, (unsigned int)len, &m) != 0) {
		n = -1;
		goto done;
	}
	if(parse_sdp(&m) == 0 && m.body != NULL && m.body->type == MSG_BODY_SDP
			&& ((sdp_info_t *)m.body)->sessions_num > 0)
		n = 1;
done:
	free_sip_msg(&m);
	free(b);
	return n;
}
