/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dprint.h"
#include "core/mem/shm.h"
#include "core/parser/msg_parser.h"
#include "core/parser/parse_content.h"
#include "core/pt.h"
#include "core/sr_module.h"
#include "core/timer_proc.h"
#include "modules/dmq/bind_dmq.h"

#include "rg_buf.h"
#include "rg_cluster.h"
#include "rg_cluster_msg.h"
#include "rg_host.h"
#include "rg_peers.h"
#include "rg_update.h"

int rg_cluster_on = 0;
int rg_cluster_interval = 200;
int rg_cluster_share_floor = 25;

/* what every process shares */
struct rg_cluster_shared
{
	uint64_t seq;	   /* of this instance's messages */
	uint64_t sent;	   /* messages sent */
	uint64_t received; /* messages taken */
	uint64_t dropped;  /* malformed, foreign, oversized or no room */
	uint64_t replayed; /* taken before */
	uint64_t no_room;  /* records not applied: this node's table full */
	uint64_t demand_sent; /* D records sent */
	uint64_t demand_heard; /* D records taken */
	uint32_t size;	   /* nodes in view at the last interval, this one too */
	uint32_t size_last; /* the cluster's size when a peer was last heard */
	uint32_t alone;	   /* no peer in view: budgets / size_last */
	uint32_t asked;	   /* asked for the cluster's state with a peer in view */
};

static struct rg_cluster_shared *rg_csh;
static struct rg_peers *rg_cpeers;
static uint64_t rg_origin; /* this instance: set before the fork */
static dmq_api_t rg_dmqb;
static dmq_peer_t *rg_dmq_peer;
static str rg_ctype = str_init("text/plain");
/* set while a peer's message is applied: nothing goes back out */
static int rg_applying;
static const char *rg_applying_node = "";
/* this process's last "dropped" log line */
static uint64_t rg_drop_log_ms;

#define STAT_ADD(f) __atomic_add_fetch(&rg_csh->f, 1, __ATOMIC_RELAXED)
#define STAT_GET(f) __atomic_load_n(&rg_csh->f, __ATOMIC_RELAXED)
#define DROP_LOG_MS 10000

static int resp_cb(struct sip_msg *msg, int code, dmq_node_t *node, void *p)
{
	(void)msg;
	(void)code;
	(void)node;
	(void)p;
	return 0;
}
static dmq_resp_cback_t rg_resp_cb = {resp_cb, 0};

/* a peer not heard for this long is silent (and its place may go) */
static uint64_t stale_ms(void)
{
	uint64_t ms = 3ULL * (uint64_t)rg_cluster_interval;

	return ms < 2000 ? 2000 : ms;
}

static int enabled(void)
{
	return rg_cluster_on && rg_dmq_peer != NULL;
}

/* a new message from this instance, in `buf` */
static void begin(struct rg_cbuf *b, char *buf, size_t size)
{
	struct rg_chdr h;

	h.origin = rg_origin;
	h.seq = __atomic_add_fetch(&rg_csh->seq, 1, __ATOMIC_RELAXED);
	snprintf(h.node, sizeof(h.node), "%s", rg_node());
	rg_cmsg_begin(b, buf, size, &h);
}

/* end and send it: to `node`, or to every peer */
static void send_msg(struct rg_cbuf *b, dmq_node_t *node)
{
	str body;
	int len = rg_cmsg_end(b);

	if(len < 0)
		return;
	body.s = b->buf;
	body.len = len;
	if(node != NULL)
		rg_dmqb.send_message(
				rg_dmq_peer, &body, node, &rg_resp_cb, 1, &rg_ctype);
	else
		rg_dmqb.bcast_message(
				rg_dmq_peer, &body, NULL, &rg_resp_cb, 1, &rg_ctype);
	STAT_ADD(sent);
}

/* one record, alone in a message, to every peer */
static void send_one(const struct rg_crec *r)
{
	char buf[RG_CMSG_LINE_MAX * 2 + 128];
	struct rg_cbuf b;

	begin(&b, buf, sizeof(buf));
	if(rg_cmsg_add(&b, r) == 0)
		send_msg(&b, NULL);
}

static void key_of(struct rg_crec *r, const char *key, int len)
{
	r->key_len = len > RG_KEY_MAX ? RG_KEY_MAX : len;
	memcpy(r->key, key, (size_t)r->key_len);
	r->key[r->key_len] = '\0';
}

/* a block record: `left_ms` (within what a message may carry) */
static void block_rec(
		struct rg_crec *r, uint64_t left_ms, int reason, uint32_t ra_s)
{
	r->kind = RG_CR_BLOCK;
	r->left_ms = left_ms < RG_CMSG_BLOCK_MAX_MS ? left_ms : RG_CMSG_BLOCK_MAX_MS;
	r->reason = (uint8_t)reason;
	r->ra_s = ra_s;
}

void rg_cluster_publish(const struct rg_change *chg)
{
	struct rg_crec r;

	if(!enabled() || rg_applying)
		return;
	memset(&r, 0, sizeof(r));
	key_of(&r, chg->snap.key, chg->snap.key_len);
	if(chg->ev == RG_EV_DOWN && chg->snap.f[RG_F_BLOCKED_FOR] > 0) {
		block_rec(&r, chg->snap.f[RG_F_BLOCKED_FOR] * 1000, chg->reason,
				(uint32_t)chg->snap.f[RG_F_RA_LAST]);
		send_one(&r);
	} else if(chg->ev == RG_EV_UP) {
		r.kind = RG_CR_UNBLOCK; /* a trial passed here */
		send_one(&r);
	}
	if(chg->tev == RG_TEV_THROTTLED && chg->snap.f[RG_F_CPS_LIMIT] > 0) {
		r.kind = RG_CR_CUT;
		r.cur_mcps = (uint32_t)chg->snap.f[RG_F_CPS_LIMIT];
		r.ceil_mcps = chg->ceil_mcps; /* from the cluster's rate */
		send_one(&r);
	}
}

void rg_cluster_publish_manual(const char *key, int len, uint32_t seconds)
{
	struct rg_crec r;

	if(!enabled() || rg_applying)
		return;
	memset(&r, 0, sizeof(r));
	key_of(&r, key, len);
	if(seconds == 0) {
		r.kind = RG_CR_UNBLOCK;
		r.manual = 1;
	} else {
		block_rec(&r, (uint64_t)seconds * 1000, RG_BR_MANUAL, 0);
	}
	send_one(&r);
}

void rg_cluster_publish_limit(
		const char *key, int len, const struct rg_limit *lim)
{
	struct rg_crec r;

	if(!enabled() || rg_applying)
		return;
	memset(&r, 0, sizeof(r));
	r.kind = RG_CR_LIMIT;
	key_of(&r, key, len);
	r.lim = *lim;
	if(r.lim.burst == 0)
		r.lim.burst = 1;
	send_one(&r);
}

/* what this node knows, to `node`, in as many messages as it takes */
static void send_sync(dmq_node_t *node)
{
	static char buf[RG_CMSG_MAX];
	struct rg_saved s;
	struct rg_crec r[3];
	struct rg_cbuf b;
	unsigned int slot, cap = rg_table_capacity(rg_tbl);
	uint64_t now = rg_now_ms();
	int i, n;

	begin(&b, buf, sizeof(buf));
	for(slot = 0; slot < cap; slot++) {
		/* wall clock = -now: block_end comes out as the time left */
		if(!rg_op_save_slot(rg_tbl, slot, -(int64_t)now, now, &s, 0))
			continue;
		n = 0;
		memset(r, 0, sizeof(r));
		if(s.block_end != 0)
			block_rec(&r[n++], s.block_end, s.reason, s.ra_last);
		if(s.has_limit) {
			r[n].kind = RG_CR_LIMIT;
			r[n++].lim = s.lim;
		}
		if(s.throttled) {
			r[n].kind = RG_CR_CUT;
			r[n].cur_mcps = s.cur_mcps;
			r[n++].ceil_mcps = s.ceil_mcps;
		}
		for(i = 0; i < n; i++) {
			key_of(&r[i], s.key, s.key_len);
			if(rg_cmsg_add(&b, &r[i]) == 0)
				continue;
			send_msg(&b, node); /* full: the rest in the next one */
			begin(&b, buf, sizeof(buf));
			rg_cmsg_add(&b, &r[i]);
		}
	}
	send_msg(&b, node);
}

struct taking
{
	int sync;	 /* a peer asked for what this node knows */
	int no_room; /* records this node had no room for */
	int place;	 /* the sender's place in rg_peers */
	int demands; /* D records */
};

static void apply_one(const struct rg_crec *r, void *arg)
{
	struct taking *t = arg;
	int rc = RG_OK;

	switch(r->kind) {
		case RG_CR_BLOCK:
			rc = rg_update_peer_block(
					r->key, r->key_len, r->left_ms, r->reason, r->ra_s);
			break;
		case RG_CR_UNBLOCK:
			rg_update_peer_unblock(r->key, r->key_len, r->manual);
			break;
		case RG_CR_LIMIT:
			rc = rg_update_set_limit(r->key, r->key_len, &r->lim,
					RG_LIM_MANUAL, 0, rg_now_ms(), 0);
			break;
		case RG_CR_CUT:
			rc = rg_update_peer_cut(
					r->key, r->key_len, r->cur_mcps, r->ceil_mcps);
			break;
		case RG_CR_DEMAND: /* a destination the cluster calls: add it */
			rc = rg_op_peer_demand(rg_tbl, r->key, r->key_len,
					r->demand_mcps != 0 || r->recv_mcps != 0, t->place,
					r->demand_mcps, r->recv_mcps,
					3 * (uint32_t)rg_cluster_interval, rg_now_ms());
			if(rc == RG_ENOTFOUND)
				rc = RG_OK; /* a 0 for a destination not known here */
			t->demands++;
			break;
		case RG_CR_SYNC:
			t->sync = 1;
			break;
		default:
			break;
	}
	if(rc == RG_EFULL)
		t->no_room++;
}

static void drop(const char *why, const dmq_node_t *node)
{
	uint64_t now = rg_now_ms();

	STAT_ADD(dropped);
	if(rg_drop_log_ms != 0 && now - rg_drop_log_ms < DROP_LOG_MS)
		return;
	rg_drop_log_ms = now ? now : 1;
	LM_WARN("cluster: a message from %s dropped: %s (counted in "
			"replyguard.cluster; logged at most every 10 s)\n",
			node ? rg_log_safe(node->orig_uri.s, node->orig_uri.len) : "?",
			why);
}

static void addr_of(const dmq_node_t *node, char *out, size_t size)
{
	int n = node ? node->orig_uri.len : 0;

	if(n <= 0 || node->orig_uri.s == NULL) {
		snprintf(out, size, "?");
		return;
	}
	snprintf(out, size, "%.*s", n, node->orig_uri.s);
}

static int on_msg(struct sip_msg *msg, peer_reponse_t *resp, dmq_node_t *node)
{
	static str ok = str_init("OK");
	static str bad = str_init("Bad Request");
	struct rg_chdr h;
	struct taking t = {0, 0, -1, 0};
	char addr[RG_PEER_ADDR_MAX + 1];
	const char *why = NULL;
	str body = STR_NULL;
	enum rg_peer_verdict v;

	resp->resp_code = 400;
	resp->reason = bad;
	if(parse_headers(msg, HDR_EOH_F, 0) < 0 || msg->content_length == NULL
			|| (body.s = get_body(msg)) == NULL) {
		drop("no body", node);
		return 0;
	}
	body.len = get_content_length(msg);
	if(body.len <= 0 || body.s + body.len > msg->buf + msg->len) {
		drop("no body", node);
		return 0;
	}
	/* checked whole first: nothing of a bad message is applied */
	if(rg_cmsg_parse(body.s, (size_t)body.len, &h, NULL, NULL, &why) < 0) {
		drop(why, node);
		return 0;
	}
	resp->resp_code = 200;
	resp->reason = ok;
	if(h.origin == rg_origin)
		return 0; /* our own, come back */
	if(node == NULL) { /* dmq knows no node of that address */
		drop("not from a node of this cluster", node);
		return 0;
	}
	addr_of(node, addr, sizeof(addr));
	v = rg_peers_accept(
			rg_cpeers, h.origin, h.seq, h.node, addr, rg_now_ms(), stale_ms());
	if(v == RG_PEER_REPLAYED) {
		STAT_ADD(replayed);
		drop("replayed (taken before)", node);
		return 0;
	}
	if(v == RG_PEER_FULL) {
		drop("too many peers", node);
		return 0;
	}
	STAT_ADD(received);
	t.place = rg_peers_place(rg_cpeers, h.origin);
	rg_applying = 1;
	rg_applying_node = h.node;
	rg_cmsg_parse(body.s, (size_t)body.len, &h, apply_one, &t, &why);
	rg_applying = 0;
	rg_applying_node = "";
	if(t.demands)
		__atomic_add_fetch(&rg_csh->demand_heard, t.demands, __ATOMIC_RELAXED);
	if(t.no_room) {
		__atomic_add_fetch(&rg_csh->no_room, t.no_room, __ATOMIC_RELAXED);
		drop("this node's table is full (some records not applied)", node);
	}
	if(t.sync)
		send_sync(node);
	return 0;
}

/* dmq found a peer: ask for what the cluster knows */
static int request_sync(void)
{
	char buf[256];
	struct rg_cbuf b;
	struct rg_crec r;

	if(!enabled())
		return 0;
	memset(&r, 0, sizeof(r));
	r.kind = RG_CR_SYNC;
	begin(&b, buf, sizeof(buf));
	rg_cmsg_add(&b, &r);
	send_msg(&b, NULL);
	LM_INFO("cluster: asked the peers for their blocks and limits\n");
	return 0;
}

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

int rg_cluster_init(void)
{
	dmq_peer_t p;

	if(!rg_cluster_on)
		return 0;
	if(rg_cluster_interval < 50 || rg_cluster_interval > 60000) {
		LM_ERR("cluster_interval must be 50..60000 ms, not %d\n",
				rg_cluster_interval);
		return -1;
	}
	if(rg_cluster_share_floor < 0 || rg_cluster_share_floor > 100) {
		LM_ERR("cluster_share_floor must be 0..100 (percent), not %d\n",
				rg_cluster_share_floor);
		return -1;
	}
	if(dmq_load_api(&rg_dmqb) != 0) {
		LM_ERR("cluster 1 needs the dmq module: load dmq.so before "
			   "replyguard\n");
		return -1;
	}
	rg_csh = shm_mallocxz(sizeof(*rg_csh));
	rg_cpeers = rg_peers_new();
	if(rg_csh == NULL || rg_cpeers == NULL) {
		LM_ERR("no shared memory for the cluster\n");
		return -1;
	}
	rg_origin = new_origin();
	memset(&p, 0, sizeof(p));
	p.callback = on_msg;
	p.init_callback = request_sync;
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
	LM_INFO("cluster: node %s, instance %016llx, heartbeat every %d ms\n",
			rg_node(), (unsigned long long)rg_origin, rg_cluster_interval);
	return 0;
}

/* the peers in view now, and what this node says of its size */
static void view_of(struct rg_cview *v, uint64_t now)
{
	uint32_t last;

	v->fresh_ms = 3 * (uint32_t)rg_cluster_interval;
	v->floor_permille = (uint32_t)rg_cluster_share_floor * 10;
	v->n = rg_peers_heard(rg_cpeers, now, v->fresh_ms, v->place);
	last = rg_csh->size_last;
	if(v->n > 0) {
		rg_csh->size_last = (uint32_t)v->n + 1;
		if(rg_csh->alone)
			LM_INFO("cluster: %d peers heard again: budgets are shared by "
					"demand\n",
					v->n);
		rg_csh->alone = 0;
	} else if(last > 1 && !rg_csh->alone) {
		rg_csh->alone = 1;
		LM_WARN("cluster: no peer heard for %u ms: each destination's budget "
				"is divided by the last cluster size, %u, until one is\n",
				v->fresh_ms, last);
	}
	v->fallback_n = rg_csh->size_last ? rg_csh->size_last : 1;
	rg_csh->size = (uint32_t)v->n + 1;
	/* a destination new here starts with an even part */
	rg_table_set_share(rg_tbl,
			RG_SHARE_WHOLE / (v->n > 0 ? (uint32_t)v->n + 1 : v->fallback_n));
}

/*
 * Every cluster_interval: each destination's share of its budget from
 * the peers' demands, and this node's demands to the peers, in batches
 * (an empty one says this node is alive).
 */
static void heartbeat(unsigned int ticks, void *param)
{
	static char buf[RG_CMSG_BATCH_MAX];
	struct rg_cview v;
	struct rg_demand_out out;
	struct rg_crec r;
	struct rg_cbuf b;
	unsigned int slot, cap = rg_table_capacity(rg_tbl);
	uint64_t now = rg_now_ms(), n = 0;

	(void)ticks;
	(void)param;
	view_of(&v, now);
	/* dmq's start-up call may have come before any peer could hear it:
	 * ask again once one is heard (a second answer changes nothing) */
	if(v.n > 0 && !rg_csh->asked) {
		rg_csh->asked = 1;
		request_sync();
	}
	memset(&r, 0, sizeof(r));
	r.kind = RG_CR_DEMAND;
	begin(&b, buf, sizeof(buf));
	for(slot = 0; slot < cap; slot++) {
		if(!rg_op_cluster_tick_slot(
				   rg_tbl, slot, &v, now, &out, r.key, &r.key_len))
			continue;
		r.demand_mcps = out.demand_mcps;
		r.recv_mcps = out.recv_mcps;
		n++;
		if(rg_cmsg_add(&b, &r) == 0)
			continue;
		send_msg(&b, NULL); /* full: the rest in the next one */
		begin(&b, buf, sizeof(buf));
		rg_cmsg_add(&b, &r);
	}
	send_msg(&b, NULL);
	if(n)
		__atomic_add_fetch(&rg_csh->demand_sent, n, __ATOMIC_RELAXED);
}

int rg_cluster_child_init(int rank)
{
	if(rank != PROC_MAIN || !rg_cluster_on)
		return 0;
	if(fork_basic_utimer(PROC_TIMER, "replyguard cluster", 1, heartbeat,
			   NULL, (unsigned int)rg_cluster_interval * 1000)
			< 0) {
		LM_ERR("cannot start the cluster process\n");
		return -1;
	}
	return 0;
}

const char *rg_cluster_origin(void)
{
	return rg_applying ? rg_applying_node : "";
}

void rg_cluster_rpc(rpc_t *rpc, void *ctx)
{
	static struct rg_peer peers[RG_PEERS_MAX];
	void *th, *ph, *eh;
	char origin[20];
	uint64_t now = rg_now_ms(), stale = stale_ms();
	int i, n;

	if(!enabled()) {
		rpc->fault(ctx, 500, "cluster is off (modparam cluster 0)");
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	snprintf(origin, sizeof(origin), "%016llx", (unsigned long long)rg_origin);
	rpc->struct_add(th, "ssddd", "node", rg_node(), "instance", origin,
			"interval_ms", rg_cluster_interval, "size",
			(int)__atomic_load_n(&rg_csh->size, __ATOMIC_RELAXED), "alone",
			(int)__atomic_load_n(&rg_csh->alone, __ATOMIC_RELAXED));
	rpc->struct_add(th, "JJJJJ", "sent", (unsigned long long)STAT_GET(sent),
			"received", (unsigned long long)STAT_GET(received), "dropped",
			(unsigned long long)STAT_GET(dropped), "replayed",
			(unsigned long long)STAT_GET(replayed), "no_room",
			(unsigned long long)STAT_GET(no_room));
	rpc->struct_add(th, "JJ", "demand_sent",
			(unsigned long long)STAT_GET(demand_sent), "demand_heard",
			(unsigned long long)STAT_GET(demand_heard));
	if(rpc->struct_add(th, "[", "peers", &ph) < 0)
		return;
	n = rg_peers_list(rg_cpeers, peers, RG_PEERS_MAX);
	for(i = 0; i < n; i++) {
		if(rpc->array_add(ph, "{", &eh) < 0)
			return;
		snprintf(origin, sizeof(origin), "%016llx",
				(unsigned long long)peers[i].origin);
		rpc->struct_add(eh, "sssJJ", "node", peers[i].node, "address",
				peers[i].addr, "instance", origin, "last_seen_ms_ago",
				(unsigned long long)(now - peers[i].last_ms), "messages",
				(unsigned long long)peers[i].taken);
		rpc->struct_add(eh, "s", "state",
				now - peers[i].last_ms <= stale ? "active" : "silent");
	}
}
