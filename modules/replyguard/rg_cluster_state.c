/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every part of the cluster shares (rg_cluster_int.h): the
 * parameters, the shared state and the clock helpers. Nothing here
 * calls another cluster file.
 */
#include <stdio.h>
#include <sys/time.h>

#include "rg_cluster_int.h"
#include "rg_host.h"

struct rg_cluster_cfg rg_ccfg;
uint64_t rg_cluster_retain_ms;

struct rg_cluster_shared *rg_csh;
struct rg_peers *rg_cpeers;
struct rg_ckeys rg_ckeys;
dmq_api_t rg_dmqb;
dmq_peer_t *rg_dmq_peer;

uint64_t rg_cluster_wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

uint64_t rg_cluster_stale_ms(void)
{
	uint64_t ms = 3ULL * (uint64_t)rg_ccfg.interval;

	return ms < 2000 ? 2000 : ms;
}

uint64_t rg_cluster_lease_ms(void)
{
	return 6ULL * (uint64_t)rg_ccfg.interval;
}

uint64_t rg_cluster_beat_sent(uint64_t seq)
{
	unsigned int i = (unsigned int)(seq % RG_BEATS_KEPT);
	uint64_t ms;

	if(seq == 0
			|| __atomic_load_n(&rg_csh->beat_seq[i], __ATOMIC_ACQUIRE) != seq)
		return 0;
	ms = __atomic_load_n(&rg_csh->beat_ms[i], __ATOMIC_ACQUIRE);
	/* the slot taken by a later heartbeat meanwhile: not this one's */
	if(__atomic_load_n(&rg_csh->beat_seq[i], __ATOMIC_ACQUIRE) != seq)
		return 0;
	return ms;
}

unsigned int rg_cluster_bucket(const char *key, int len)
{
	return rg_key_hash(key, len) % RG_CMSG_BUCKETS;
}
