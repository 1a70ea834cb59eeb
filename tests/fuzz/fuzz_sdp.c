/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Differential: replyguard's "183 with SDP" against Kamailio's own parser.
 *
 * replyguard answers rg_sdp_has(): a message with no "v=" anywhere
 * (rg_hdr_may_have_sdp) is not parsed and has no SDP; any other is asked
 * of parse_sdp(). The oracle (kam/kam_sdp.c) is parse_msg() and
 * parse_sdp() built from Kamailio's source tree. Any message the core
 * accepts must get the same answer from both; a disagreement aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kam/kam_sdp.h"
#include "rg_hdr.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	kam_sdp_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *m = (const char *)data;
	int want, got;

	want = kam_sdp_sessions(m, size);
	if(want < 0)
		return 0; /* the core drops it: replyguard never sees it */
	got = rg_hdr_may_have_sdp(m, size) ? kam_sdp_sessions(m, size) : 0;
	if(got != want) {
		fprintf(stderr, "disagreement: Kamailio %d, replyguard %d\n", want,
				got);
		abort();
	}
	return 0;
}
