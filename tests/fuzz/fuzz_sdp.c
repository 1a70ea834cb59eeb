/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Differential: replyguard's "183 with SDP" (rg_sdp.c, the module's own
 * file, built here against the same parser) against Kamailio's parse_sdp()
 * as sdpops asks it (kam/kam_sdp.c), on two copies of each message. Any
 * message the core accepts must get the same answer from both; a
 * disagreement aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kam/kam_sdp.h"

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
	got = kam_sdp_replyguard(m, size);
	if(got != want) {
		fprintf(stderr, "disagreement: Kamailio %d, replyguard %d\n", want,
				got);
		abort();
	}
	return 0;
}
