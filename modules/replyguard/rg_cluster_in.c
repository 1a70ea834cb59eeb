/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A peer's message, in a dmq worker: proved (HMAC), fresh (wall clock
 * within cluster_max_skew), taken once (rg_peers.h), then applied record
 * by record, each within the bounds local input has.
 */
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/ip_addr.h"
#include "core/parser/msg_parser.h"
#include "core/parser/parse_content.h"

#include "rg_buf.h"
#include "rg_cluster.h"
#include "rg_cluster_int.h"
#include "rg_host.h"
#include "rg_update.h"

/* this process's last log line per kind of drop */
static uint64_t rg_drop_log_ms[3];

#define DROP_LOG_MS 60000

enum drop_kind
{
	DROP_BAD,
	DROP_AUTH,
	DROP_STALE
};

/* count a dropped message; log it at most once a minute per kind */
static void drop(enum drop_kind k, const char *why, struct sip_msg *msg,
		const dmq_node_t *node)
{
	uint64_t now = rg_now_ms();
	char src[80];

	switch(k) {
		case DROP_AUTH:
			RG_CSTAT_ADD(dropped_auth, 1);
			break;
		case DROP_STALE:
			RG_CSTAT_ADD(dropped_stale, 1);
			break;
		default:
			break;
	}
	RG_CSTAT_ADD(dropped, 1);
	if(rg_drop_log_ms[k] != 0 && now - rg_drop_log_ms[k] < DROP_LOG_MS)
		return;
	rg_drop_log_ms[k] = now ? now : 1;
	snprintf(src, sizeof(src), "%s:%d",
			msg ? ip_addr2a(&msg->rcv.src_ip) : "?",
			msg ? (int)msg->rcv.src_port : 0);
	LM_WARN("cluster: a message from %s (From %s) dropped: %s (counted in "
			"replyguard.cluster; logged at most once a minute)\n",
			src,
			node ? rg_log_safe(node->orig_uri.s, node->orig_uri.len) : "?",
			why);
}

struct taking
{
	int sync;	 /* a peer asked for what this node knows */
	int no_room; /* records this node had no room for */
	int refused; /* records out of bounds */
	int quota;	 /* records whose new key was over the sender's quota */
	int place;	 /* the sender's place in rg_peers */
	uint32_t gen; /* and its generation */
	uint64_t origin; /* the sender */
	uint64_t seq;	 /* the message's */
	int demands; /* D records */
	int pline;	 /* P lines so far */
	int mine;	 /* the P line naming this node, or -1 */
	uint64_t lease; /* what that line grants: the sender's grants are
					   good until then (0: none) */
	const char *sender;				  /* the sender's node name */
	char writer[RG_CMSG_NODE_MAX + 1]; /* the node that wrote a record */
	uint32_t push; /* buckets whose digests differ from this node's */
	uint64_t wall; /* this node's wall clock */
};

/* a version no honest peer could have written yet */
static int from_future(const struct taking *t, const struct rg_crec *r)
{
	return rg_ver_ms(r->ver.clk) > t->wall + (uint64_t)rg_ccfg.max_skew * 1000;
}

/*
 * A peer's digest of a bucket: when it differs from this node's twice in
 * a row from that peer (once may be a change still on its way), the
 * bucket is sent. Each peer has its own marks: one that agrees does not
 * hide one that does not.
 */
static void digest(struct taking *t, const struct rg_crec *r)
{
	uint32_t bit = 1u << r->bucket, *mark;

	if(!__atomic_load_n(&rg_csh->digest_ok, __ATOMIC_RELAXED)
			|| t->place < 0 || t->place >= RG_PEERS_MAX)
		return;
	mark = &rg_csh->suspect[t->place];
	if(__atomic_load_n(&rg_csh->digest[r->bucket], __ATOMIC_RELAXED)
			== r->digest) {
		__atomic_and_fetch(mark, ~bit, __ATOMIC_RELAXED);
		return;
	}
	if(__atomic_fetch_or(mark, bit, __ATOMIC_RELAXED) & bit) {
		__atomic_and_fetch(mark, ~bit, __ATOMIC_RELAXED);
		t->push |= bit;
	}
}

/*
 * A P line: when it names this node, the sender has taken this node's
 * heartbeat `ack`, so its grants are good until lease_ms after that
 * heartbeat was sent (this node's clock, whatever the sender's says).
 */
static void peer_line(struct taking *t, const struct rg_crec *r)
{
	uint64_t sent;

	if(r->origin == rg_cluster_self() && t->mine < 0) {
		t->mine = t->pline;
		sent = rg_cluster_beat_sent(r->ack);
		if(sent != 0) {
			t->lease = sent + rg_cluster_lease_ms();
			rg_peers_lease(rg_cpeers, t->origin, t->lease);
		}
	}
	t->pline++;
}

static int demand(struct taking *t, const struct rg_crec *r)
{
	struct rg_peer_word w;
	uint64_t now = rg_now_ms();

	memset(&w, 0, sizeof(w));
	w.gen = t->gen;
	w.seq = t->seq;
	w.demand_mcps = r->demand_mcps;
	w.recv_mcps = r->recv_mcps;
	w.no_budget = r->ngrants == 0;
	if(t->mine >= 0 && t->mine < r->ngrants && t->lease > now) {
		w.has_grant = 1;
		w.grant_mcps = r->grant[t->mine];
		w.grant_ms = t->lease;
	}
	/* (a grant alone adds no key: that node calls it) */
	return rg_op_peer_demand(rg_tbl, r->key, r->key_len,
			r->demand_mcps != 0 || r->recv_mcps != 0, t->place, &w,
			(uint32_t)(5000 + 3 * rg_ccfg.interval), now);
}

/*
 * The node that wrote a fact (its version's instance), for the webhook's
 * origin: a repair passes on writes of other nodes. The sender when the
 * writer is not known here.
 */
_Static_assert(RG_CMSG_NODE_MAX <= RG_NODE_MAX,
		"a writer's node name fits a change's origin");

static void writer(struct taking *t, const struct rg_ver *v)
{
	if(v->id == t->origin
			|| rg_peers_node_of(rg_cpeers, v->id, t->writer, sizeof(t->writer))
					   < 0)
		snprintf(t->writer, sizeof(t->writer), "%s", t->sender);
}

/*
 * May this record add its key to the table? A key known here, yes; a new
 * one only within the sender's quota (a quarter of max_destinations a
 * minute, at least 1000), so no one peer fills the table.
 */
static int room_for(struct taking *t, const struct rg_crec *r)
{
	struct rg_ref ref;
	uint32_t quota = rg_table_capacity(rg_tbl) / 4;

	if(rg_op_lookup(rg_tbl, r->key, r->key_len, 0, rg_now_ms(), &ref)
			== RG_OK)
		return 1;
	if(rg_peers_new_key(rg_cpeers, t->place, rg_now_ms(),
			   quota > 1000 ? quota : 1000))
		return 1;
	t->quota++;
	return 0;
}

static void apply_one(const struct rg_crec *r, void *arg)
{
	struct taking *t = arg;
	int rc = RG_OK;

	if((r->kind == RG_CR_BLOCK || r->kind == RG_CR_UNBLOCK
			   || r->kind == RG_CR_LIMIT || r->kind == RG_CR_CUT)
			&& from_future(t, r)) {
		t->refused++;
		return;
	}
	if((r->kind == RG_CR_BLOCK || r->kind == RG_CR_UNBLOCK
			   || r->kind == RG_CR_LIMIT || r->kind == RG_CR_CUT
			   || (r->kind == RG_CR_DEMAND
					   && (r->demand_mcps != 0 || r->recv_mcps != 0)))
			&& !room_for(t, r))
		return;
	if(r->kind == RG_CR_BLOCK || r->kind == RG_CR_UNBLOCK
			|| r->kind == RG_CR_LIMIT || r->kind == RG_CR_CUT)
		writer(t, &r->ver);
	/* (the parser let only these kinds in; -Wswitch names a forgotten
	 * one) */
	switch((enum rg_crec_kind)r->kind) {
		case RG_CR_BLOCK:
			rc = rg_update_peer_block(r->key, r->key_len, r->left_ms,
					r->reason, r->ra_s, &r->ver, t->writer);
			break;
		case RG_CR_UNBLOCK:
			rc = rg_update_peer_unblock(
					r->key, r->key_len, &r->ver, r->keep_ms, t->writer);
			break;
		case RG_CR_LIMIT:
			rc = rg_update_peer_limit(
					r->key, r->key_len, &r->lim, &r->ver, t->writer);
			break;
		case RG_CR_CUT:
			rc = rg_update_peer_cut(
					r->key, r->key_len, r->cur_mcps, r->ceil_mcps, &r->ver, t->writer);
			break;
		case RG_CR_PEER:
			peer_line(t, r);
			break;
		case RG_CR_DEMAND: /* a destination the cluster calls: add it */
			rc = demand(t, r);
			if(rc == RG_ENOTFOUND)
				rc = RG_OK; /* a 0 for a destination not known here */
			t->demands++;
			break;
		case RG_CR_DIGEST:
			digest(t, r);
			break;
		case RG_CR_SYNC:
			t->sync = 1;
			break;
	}
	if(rc == RG_EFULL)
		t->no_room++;
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

int rg_cluster_on_msg(
		struct sip_msg *msg, peer_reponse_t *resp, dmq_node_t *node)
{
	static str ok = str_init("OK");
	static str bad = str_init("Bad Request");
	struct rg_chdr h;
	struct taking t;
	char addr[RG_PEER_ADDR_MAX + 1];
	const char *why = NULL;
	str body = STR_NULL;
	enum rg_peer_verdict v;
	char stale[200];
	int rc;

	memset(&t, 0, sizeof(t));
	t.mine = -1;
	resp->resp_code = 400;
	resp->reason = bad;
	if(parse_headers(msg, HDR_EOH_F, 0) < 0 || msg->content_length == NULL
			|| (body.s = get_body(msg)) == NULL) {
		drop(DROP_BAD, "no body", msg, node);
		return 0;
	}
	body.len = get_content_length(msg);
	if(body.len <= 0 || body.s + body.len > msg->buf + msg->len) {
		drop(DROP_BAD, "no body", msg, node);
		return 0;
	}
	/* proved and checked whole first: nothing of a bad message is read */
	rc = rg_cmsg_parse(
			body.s, (size_t)body.len, &rg_ckeys, &h, NULL, NULL, &why);
	if(rc < 0) {
		drop(rc == RG_CMSG_AUTH ? DROP_AUTH : DROP_BAD, why, msg, node);
		return 0;
	}
	resp->resp_code = 200;
	resp->reason = ok;
	if(h.origin == rg_cluster_self())
		return 0; /* our own, come back */
	t.wall = rg_cluster_wall_ms();
	if(rg_cmsg_stale(t.wall, h.wall_ms, (uint64_t)rg_ccfg.max_skew * 1000,
			   stale, sizeof(stale))) {
		drop(DROP_STALE, stale, msg, node);
		return 0;
	}
	addr_of(node, addr, sizeof(addr));
	/* a sender is remembered at least as long as its messages are fresh,
	 * so none of them can be taken twice */
	v = rg_peers_accept(rg_cpeers, h.origin,
			h.chan == RG_CCHAN_BEAT ? 1 : 0, h.seq, h.node, addr, rg_now_ms(),
			2 * (uint64_t)rg_ccfg.max_skew * 1000);
	if(v == RG_PEER_REPLAYED) {
		RG_CSTAT_ADD(replayed, 1);
		drop(DROP_BAD, "replayed (taken before)", msg, node);
		return 0;
	}
	if(v == RG_PEER_FULL) {
		drop(DROP_BAD, "too many peers", msg, node);
		return 0;
	}
	if(v == RG_PEER_JUMP) {
		drop(DROP_BAD, "its sequence number jumps too far ahead", msg, node);
		return 0;
	}
	RG_CSTAT_ADD(received, 1);
	t.place = rg_peers_place(rg_cpeers, h.origin, &t.gen);
	t.origin = h.origin;
	/* demands and grants are ordered by the heartbeat's numbers only */
	t.seq = h.chan == RG_CCHAN_BEAT ? h.seq : 0;
	t.sender = h.node;
	rg_cmsg_parse(body.s, (size_t)body.len, &rg_ckeys, &h, apply_one, &t, &why);
	if(t.demands)
		RG_CSTAT_ADD(demand_heard, t.demands);
	if(t.refused)
		RG_CSTAT_ADD(refused, t.refused);
	if(t.quota) {
		RG_CSTAT_ADD(quota, t.quota);
		drop(DROP_BAD,
				"the sender added more new keys than its quota (some records "
				"not applied)",
				msg, node);
	}
	if(t.no_room) {
		RG_CSTAT_ADD(no_room, t.no_room);
		drop(DROP_BAD, "this node's table is full (some records not applied)",
				msg, node);
	}
	if(t.sync)
		__atomic_or_fetch(&rg_csh->want_push,
				(uint32_t)((1ULL << RG_CMSG_BUCKETS) - 1), __ATOMIC_RELAXED);
	else if(t.push)
		__atomic_or_fetch(&rg_csh->want_push, t.push, __ATOMIC_RELAXED);
	return 0;
}
