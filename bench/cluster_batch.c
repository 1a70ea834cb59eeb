/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the cluster's budget costs on the wire: one heartbeat's demand
 * records (D) for N active destinations, written by the module's own
 * encoder (rg_cluster_msg.c) into batches of RG_CMSG_BATCH_MAX bytes, as
 * the heartbeat process does. Keys look like dispatcher's gateways
 * (sip:10.x.y.z:5060), demands like 20 cps offered, 10 sent.
 *
 *   cluster_batch N INTERVAL_MS
 *
 * prints key value lines for bench/report.py: messages and body bytes
 * per interval, bytes per destination per interval, and messages per
 * second each node sends to each peer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_cluster_msg.h"

int main(int argc, char **argv)
{
	static char buf[RG_CMSG_BATCH_MAX];
	struct rg_chdr h = {0x0123456789abcdefULL, 1, "node1"};
	struct rg_crec r;
	struct rg_cbuf b;
	long n = argc > 1 ? atol(argv[1]) : 1000;
	long ivl = argc > 2 ? atol(argv[2]) : 200;
	long i, msgs = 0, bytes = 0;
	int len;

	if(n <= 0 || ivl <= 0)
		return 2;
	memset(&r, 0, sizeof(r));
	r.kind = RG_CR_DEMAND;
	rg_cmsg_begin(&b, buf, sizeof(buf), &h);
	for(i = 0; i < n; i++) {
		r.key_len = snprintf(r.key, sizeof(r.key), "sip:10.%ld.%ld.%ld:5060",
				(i >> 16) & 255, (i >> 8) & 255, i & 255);
		r.demand_mcps = 20000 + (uint32_t)(i % 7) * 137;
		r.recv_mcps = 10000 + (uint32_t)(i % 5) * 91;
		if(rg_cmsg_add(&b, &r) == 0)
			continue;
		len = rg_cmsg_end(&b);
		msgs++;
		bytes += len;
		h.seq++;
		rg_cmsg_begin(&b, buf, sizeof(buf), &h);
		if(rg_cmsg_add(&b, &r) < 0)
			return 1;
	}
	len = rg_cmsg_end(&b);
	msgs++;
	bytes += len;
	printf("cluster_destinations %ld\n", n);
	printf("cluster_interval_ms %ld\n", ivl);
	printf("cluster_batch_max_bytes %d\n", RG_CMSG_BATCH_MAX);
	printf("cluster_msgs_per_interval %ld\n", msgs);
	printf("cluster_body_bytes_per_interval %ld\n", bytes);
	printf("cluster_bytes_per_dst_per_interval %.1f\n", (double)bytes / n);
	printf("cluster_msgs_per_s_per_peer %.1f\n", msgs * 1000.0 / ivl);
	return 0;
}
