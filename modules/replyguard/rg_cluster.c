/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/dprint.h"
#include "core/mem/shm.h"
#include "core/pt.h"
#include "core/sr_module.h"
#include "core/timer_proc.h"

#include "rg_cluster.h"
#include "rg_cluster_int.h"
#include "rg_host.h"

/* the shortest secret taken: 32 characters (128 bits as hex; make one
 * with openssl rand -hex 32) */
#define SECRET_MIN 32
#define SECRET_MAX 1024

/* a random number for this instance, so a restart is a new sender */
static uint64_t new_origin(void)
{
	uint64_t o = 0;
	struct timespec ts;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if(fd >= 0) {
		if(read(fd, &o, sizeof(o)) != (ssize_t)sizeof(o))
			o = 0;
		close(fd);
	}
	if(o == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		o = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec
			^ ((uint64_t)getpid() << 16);
	}
	return o;
}

/*
 * The secret of a modparam: the value, or with "file:" the first line of
 * that file; copied into shared memory. 0, or -1 with one log line.
 */
static int load_secret(const char *param, const char *v, int i)
{
	char buf[SECRET_MAX + 2];
	const char *s = v;
	size_t n;
	FILE *f;

	if(strncmp(v, "file:", 5) == 0) {
		f = fopen(v + 5, "r");
		if(f == NULL) {
			LM_ERR("%s: cannot read %s: %s\n", param, v + 5, strerror(errno));
			return -1;
		}
		if(fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
		s = buf;
	}
	n = strlen(s);
	while(n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if(n < SECRET_MIN || n > SECRET_MAX) {
		LM_ERR("%s must hold %d to %d bytes (make one with: openssl rand "
			   "-hex 32), not %zu\n",
				param, SECRET_MIN, SECRET_MAX, n);
		return -1;
	}
	rg_ckeys.key[i] = shm_malloc(n);
	if(rg_ckeys.key[i] == NULL) {
		LM_ERR("no shared memory for %s\n", param);
		return -1;
	}
	memcpy((char *)rg_ckeys.key[i], s, n);
	rg_ckeys.len[i] = n;
	rg_ckeys.n = i + 1;
	return 0;
}

struct rg_hlc *rg_cluster_prepare(
		const struct rg_cluster_cfg *cfg, uint64_t retain_ms)
{
	rg_ccfg = *cfg;
	if(!rg_ccfg.on)
		return NULL;
	rg_cluster_retain_ms = retain_ms;
	if(load_secret("cluster_secret", rg_ccfg.secret, 0) < 0)
		return NULL;
	if(rg_ccfg.secret_old != NULL && *rg_ccfg.secret_old != '\0'
			&& load_secret("cluster_secret_old", rg_ccfg.secret_old, 1)
					   < 0)
		return NULL;
	rg_csh = shm_mallocxz(sizeof(*rg_csh));
	rg_cpeers = rg_peers_new();
	if(rg_csh == NULL || rg_cpeers == NULL || rg_cluster_out_init() < 0) {
		LM_ERR("no shared memory for the cluster\n");
		return NULL;
	}
	rg_csh->hlc.id = new_origin();
	/* no version from further ahead than a message may be (rg_ver.h) */
	rg_csh->hlc.ahead_ms = (uint64_t)rg_ccfg.max_skew * 1000;
	rg_csh->hlc.wall_off_ms =
			(int64_t)rg_cluster_wall_ms() - (int64_t)rg_now_ms();
	return &rg_csh->hlc;
}

void rg_cluster_start_share(void)
{
	uint64_t n = rg_ccfg.nodes > 1 ? (uint64_t)rg_ccfg.nodes : 2;
	uint64_t ppm;

	if(!rg_ccfg.on)
		return;
	/* until the first heartbeat, a destination admits its floor (as a
	 * node in no majority would), never its whole budget */
	ppm = (uint64_t)RG_SHARE_WHOLE * (uint64_t)rg_ccfg.share_floor / 100
		  / n;
	rg_table_set_share(rg_tbl, ppm ? (uint32_t)ppm : 1);
}

/* dmq found a peer: ask for what the cluster knows (the cluster process
 * sends it) */
static int on_dmq_ready(void)
{
	if(rg_csh != NULL)
		__atomic_store_n(&rg_csh->want_ask, 1, __ATOMIC_RELAXED);
	return 0;
}

int rg_cluster_init(void)
{
	dmq_peer_t p;

	if(!rg_ccfg.on)
		return 0;
	if(rg_csh == NULL) /* rg_cluster_prepare() failed */
		return -1;
	if(dmq_load_api(&rg_dmqb) != 0) {
		LM_ERR("cluster 1 needs the dmq module: load dmq.so before "
			   "replyguard\n");
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.callback = rg_cluster_on_msg;
	p.init_callback = on_dmq_ready;
	p.peer_id.s = "replyguard";
	p.peer_id.len = 10;
	p.description.s = "replyguard";
	p.description.len = 10;
	rg_dmq_peer = rg_dmqb.register_dmq_peer(&p);
	if(rg_dmq_peer == NULL) {
		LM_ERR("cannot register replyguard's dmq peer\n");
		return -1;
	}
	if(register_basic_timers(1) < 0) {
		LM_ERR("cannot register the cluster process\n");
		return -1;
	}
	rg_csh->want_ask = 1;
	LM_INFO("cluster: node %s, instance %016llx, heartbeat every %d ms, "
			"messages signed (%d key%s)\n",
			rg_node(), (unsigned long long)rg_cluster_self(),
			rg_ccfg.interval, rg_ckeys.n, rg_ckeys.n > 1 ? "s" : "");
	return 0;
}

int rg_cluster_child_init(int rank)
{
	if(rank != PROC_MAIN || !rg_ccfg.on)
		return 0;
	if(fork_basic_utimer(PROC_TIMER, "replyguard cluster", 1, rg_cluster_tick,
			   NULL, RG_CLUSTER_TICK_MS * 1000)
			< 0) {
		LM_ERR("cannot start the cluster process\n");
		return -1;
	}
	return 0;
}

void rg_cluster_rpc(rpc_t *rpc, void *ctx)
{
	static struct rg_peer peers[RG_PEERS_MAX];
	void *th, *ph, *eh;
	char origin[20];
	uint64_t now = rg_now_ms(), stale = rg_cluster_stale_ms(), ago;
	int i, n;

	if(!rg_ccfg.on || rg_dmq_peer == NULL) {
		rpc->fault(ctx, 500, "cluster is off (modparam cluster 0)");
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	snprintf(origin, sizeof(origin), "%016llx",
			(unsigned long long)rg_cluster_self());
	rpc->struct_add(th, "ssddd", "node", rg_node(), "instance", origin,
			"interval_ms", rg_ccfg.interval, "size",
			(int)RG_CSTAT_GET(size), "alone", (int)RG_CSTAT_GET(alone));
	rpc->struct_add(th, "ddd", "members", (int)RG_CSTAT_GET(members),
			"leased", (int)RG_CSTAT_GET(leased), "majority",
			(int)RG_CSTAT_GET(majority));
	rpc->struct_add(th, "JJJJJ", "sent", (unsigned long long)RG_CSTAT_GET(sent),
			"received", (unsigned long long)RG_CSTAT_GET(received), "dropped",
			(unsigned long long)RG_CSTAT_GET(dropped), "dropped_auth",
			(unsigned long long)RG_CSTAT_GET(dropped_auth), "dropped_stale",
			(unsigned long long)RG_CSTAT_GET(dropped_stale));
	rpc->struct_add(th, "JJJJJ", "replayed",
			(unsigned long long)RG_CSTAT_GET(replayed), "refused",
			(unsigned long long)RG_CSTAT_GET(refused), "no_room",
			(unsigned long long)RG_CSTAT_GET(no_room), "queue_full",
			(unsigned long long)RG_CSTAT_GET(queue_full), "pushed",
			(unsigned long long)RG_CSTAT_GET(pushed));
	rpc->struct_add(th, "J", "quota",
			(unsigned long long)RG_CSTAT_GET(quota));
	rpc->struct_add(th, "JJ", "demand_sent",
			(unsigned long long)RG_CSTAT_GET(demand_sent), "demand_heard",
			(unsigned long long)RG_CSTAT_GET(demand_heard));
	if(rpc->struct_add(th, "[", "peers", &ph) < 0)
		return;
	n = rg_peers_list(rg_cpeers, peers, RG_PEERS_MAX);
	for(i = 0; i < n; i++) {
		if(rpc->array_add(ph, "{", &eh) < 0)
			return;
		snprintf(origin, sizeof(origin), "%016llx",
				(unsigned long long)peers[i].origin);
		/* heard after this RPC read its clock: just now */
		ago = now > peers[i].last_ms ? now - peers[i].last_ms : 0;
		rpc->struct_add(eh, "sssJJ", "node", peers[i].node, "address",
				peers[i].addr, "instance", origin, "last_seen_ms_ago",
				(unsigned long long)ago, "messages",
				(unsigned long long)peers[i].taken);
		rpc->struct_add(eh, "s", "state", ago <= stale ? "active" : "silent");
	}
}
