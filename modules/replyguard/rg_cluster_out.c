/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What this node sends the cluster, and the process that sends it.
 *
 * A change made here (in a SIP worker, the RPC process, a timer) is put
 * in a queue in shared memory and nothing else: the process "replyguard
 * cluster" drains it every RG_CLUSTER_TICK_MS and is the only one that
 * calls dmq. A full queue drops the change and counts it; its version
 * is in the entry, so the next repair sends it. The same process sends
 * the heartbeat every cluster_interval (this node's demands), a digest of
 * what it holds about every second, and, when a peer asks or its digest
 * differs, what it holds of those buckets of keys.
 */
#include <string.h>

#include "core/dprint.h"
#include "core/mem/shm.h"

/* (it implements rg_cluster_publish(), declared on the cluster's face:
 * the one arrow from here up to rg_cluster.c) */
#include "rg_cluster.h"
#include "rg_cluster_int.h"
#include "rg_host.h"
#include "rg_ops.h"
#include "rg_seam.h"

#define QUEUE_LEN 2048 /* changes waiting for the cluster process */
#define DIGEST_MS 1000 /* a digest about this often */

struct rg_cqueue
{
	struct rg_lockset *lock;
	unsigned int head, n;
	struct rg_crec rec[QUEUE_LEN];
};

static struct rg_cqueue *rg_cq;
static str rg_ctype = str_init("text/plain");

static int resp_cb(struct sip_msg *msg, int code, dmq_node_t *node, void *p)
{
	(void)msg;
	(void)code;
	(void)node;
	(void)p;
	return 0;
}
static dmq_resp_cback_t rg_resp_cb = {resp_cb, 0};

int rg_cluster_out_init(void)
{
	rg_cq = rg_shm_zalloc(sizeof(*rg_cq));
	if(rg_cq == NULL)
		return -1;
	rg_cq->lock = rg_lockset_new(1);
	return rg_cq->lock != NULL ? 0 : -1;
}

static void enqueue(const struct rg_crec *r)
{
	int full;

	rg_lock(rg_cq->lock, 0);
	full = rg_cq->n == QUEUE_LEN;
	if(!full) {
		rg_cq->rec[(rg_cq->head + rg_cq->n) % QUEUE_LEN] = *r;
		rg_cq->n++;
	}
	rg_unlock(rg_cq->lock, 0);
	if(full)
		RG_CSTAT_ADD(queue_full, 1);
}

/* up to `max` queued records into `out`: how many */
static unsigned int dequeue(struct rg_crec *out, unsigned int max)
{
	unsigned int i, n;

	rg_lock(rg_cq->lock, 0);
	n = rg_cq->n < max ? rg_cq->n : max;
	for(i = 0; i < n; i++)
		out[i] = rg_cq->rec[(rg_cq->head + i) % QUEUE_LEN];
	rg_cq->head = (rg_cq->head + n) % QUEUE_LEN;
	rg_cq->n -= n;
	rg_unlock(rg_cq->lock, 0);
	return n;
}

static void key_of(struct rg_crec *r, const char *key, int len)
{
	r->key_len = len > RG_KEY_MAX ? RG_KEY_MAX : len;
	memcpy(r->key, key, (size_t)r->key_len);
	r->key[r->key_len] = '\0';
}

/* a block record: `left_ms` (within what a message may carry) */
static void block_rec(struct rg_crec *r, uint64_t left_ms, int reason,
		uint32_t ra_s, const struct rg_ver *ver)
{
	r->kind = RG_CR_BLOCK;
	r->left_ms = left_ms < RG_CMSG_BLOCK_MAX_MS ? left_ms : RG_CMSG_BLOCK_MAX_MS;
	r->reason = (uint8_t)reason;
	r->ra_s = ra_s;
	r->ver = *ver;
}

static void unblock_rec(struct rg_crec *r, int manual, uint64_t keep_ms,
		const struct rg_ver *ver)
{
	r->kind = RG_CR_UNBLOCK;
	r->manual = (uint8_t)manual;
	r->keep_ms = keep_ms < RG_STATE_END_MAX ? keep_ms : RG_STATE_END_MAX;
	r->ver = *ver;
}

static void limit_rec(
		struct rg_crec *r, const struct rg_limit *lim, const struct rg_ver *ver)
{
	r->kind = RG_CR_LIMIT;
	r->lim = *lim;
	if(r->lim.burst == 0)
		r->lim.burst = 1;
	r->ver = *ver;
}

static void cut_rec(struct rg_crec *r, uint32_t cur, uint32_t ceil,
		const struct rg_ver *ver)
{
	r->kind = RG_CR_CUT;
	r->cur_mcps = cur;
	r->ceil_mcps = ceil;
	r->ver = *ver;
}

void rg_cluster_publish(const struct rg_change *chg)
{
	struct rg_crec r;

	if(!rg_ccfg.on || rg_csh == NULL || rg_cq == NULL)
		return;
	memset(&r, 0, sizeof(r));
	key_of(&r, chg->snap.key, chg->snap.key_len);
	if(chg->pub & RG_PUB_BLK) {
		if(chg->blk_left_ms > 0)
			block_rec(&r, chg->blk_left_ms, chg->reason,
					(uint32_t)chg->snap.f[RG_F_RA_LAST], &chg->repl.blk);
		else
			unblock_rec(&r, chg->blk_manual, chg->repl.keep_ms,
					&chg->repl.blk);
		enqueue(&r);
	}
	if(chg->pub & RG_PUB_LIM) {
		limit_rec(&r, &chg->lim, &chg->repl.lim);
		enqueue(&r);
	}
	if((chg->pub & RG_PUB_CUT) && chg->snap.f[RG_F_CPS_LIMIT] > 0) {
		/* ceil: from the cluster's received rate */
		cut_rec(&r, (uint32_t)chg->snap.f[RG_F_CPS_LIMIT], chg->ceil_mcps,
				&chg->repl.cut);
		enqueue(&r);
	}
}

/* a message being written, and where it goes */
struct out
{
	struct rg_cbuf b;
	char *buf;
	size_t size;
	char chan;
	unsigned int sent; /* messages */
	uint64_t seq;	   /* of the message being written */
	/* lines every message starts with (a heartbeat's P lines) */
	const struct rg_crec *head;
	int nhead;
};

static void begin_head(struct out *o);

static void begin(struct out *o)
{
	struct rg_chdr h;

	memset(&h, 0, sizeof(h));
	h.origin = rg_cluster_self();
	h.chan = o->chan;
	h.seq = RG_CSTAT_ADD(seq[o->chan == RG_CCHAN_BEAT ? 1 : 0], 1);
	h.wall_ms = rg_cluster_wall_ms();
	snprintf(h.node, sizeof(h.node), "%s", rg_node());
	rg_cmsg_begin(&o->b, o->buf, o->size, &h);
	o->seq = h.seq;
	begin_head(o);
}

/* a new message's head lines (they fit: RG_CMSG_BEAT_MAX has room) */
static void begin_head(struct out *o)
{
	int i;

	if(o->b.n != 0)
		return;
	for(i = 0; i < o->nhead; i++)
		rg_cmsg_add(&o->b, &o->head[i]);
}

/* a heartbeat is sent: its time kept, for the leases its acks give */
static void beat_sent(uint64_t seq)
{
	unsigned int i = (unsigned int)(seq % RG_BEATS_KEPT);

	__atomic_store_n(&rg_csh->beat_seq[i], 0, __ATOMIC_RELEASE);
	__atomic_store_n(&rg_csh->beat_ms[i], rg_now_ms(), __ATOMIC_RELEASE);
	__atomic_store_n(&rg_csh->beat_seq[i], seq, __ATOMIC_RELEASE);
}

/* end the message, sign it, and send it to every peer */
static void flush(struct out *o)
{
	str body;
	int len = rg_cmsg_end(&o->b, &rg_ckeys);

	if(len < 0)
		return;
	if(o->chan == RG_CCHAN_BEAT)
		beat_sent(o->seq);
	body.s = o->buf;
	body.len = len;
	rg_dmqb.bcast_message(
			rg_dmq_peer, &body, NULL, &rg_resp_cb, 1, &rg_ctype);
	RG_CSTAT_ADD(sent, 1);
	o->sent++;
}

static void start(struct out *o, char *buf, size_t size, char chan)
{
	o->buf = buf;
	o->size = size;
	o->chan = chan;
	o->sent = 0;
	o->head = NULL;
	o->nhead = 0;
	begin(o);
}

/* add a record; a full message goes out and the record starts the next */
static void add(struct out *o, const struct rg_crec *r)
{
	if(rg_cmsg_add(&o->b, r) == 0)
		return;
	flush(o);
	begin(o);
	rg_cmsg_add(&o->b, r);
}

/* the last message, if it holds anything but its head (or `always`) */
static void finish(struct out *o, int always)
{
	if(o->b.n > (unsigned int)o->nhead || always)
		flush(o);
}

static void drain(void)
{
	static char buf[RG_CMSG_BATCH_MAX];
	struct rg_crec r[16];
	struct out o;
	unsigned int i, n;

	if(__atomic_load_n(&rg_cq->n, __ATOMIC_RELAXED) == 0)
		return;
	start(&o, buf, sizeof(buf), RG_CCHAN_CHANGE);
	while((n = dequeue(r, 16)) > 0) {
		for(i = 0; i < n; i++)
			add(&o, &r[i]);
	}
	finish(&o, 0);
}

/* ask the peers for what they hold */
static void ask(void)
{
	char buf[256];
	struct rg_crec r;
	struct out o;

	memset(&r, 0, sizeof(r));
	r.kind = RG_CR_SYNC;
	start(&o, buf, sizeof(buf), RG_CCHAN_CHANGE);
	add(&o, &r);
	finish(&o, 0);
	LM_INFO("cluster: asked the peers for their blocks and limits\n");
}

/*
 * Walk the replicated facts of the table: every entry compared in the
 * digest, its record into `s`; `each` per entry (1: go on).
 */
static void walk_compared(int (*each)(const struct rg_saved *s, void *arg),
		void *arg)
{
	static struct rg_saved s;
	unsigned int slot, cap = rg_table_capacity(rg_tbl);
	uint64_t now = rg_now_ms(), wall = rg_hlc_wall(&rg_csh->hlc, now);

	for(slot = 0; slot < cap; slot++) {
		/* wall clock = -now: block_end comes out as the time left */
		if(!rg_op_save_slot(rg_tbl, slot, -(int64_t)now, now, &s, 0))
			continue;
		if(!rg_repl_compared(
				   &s.repl, s.block_end != 0, wall, rg_cluster_retain_ms))
			continue;
		if(!each(&s, arg))
			return;
	}
}

struct pushing
{
	struct out o;
	uint32_t mask;
};

/* what this node holds of one key, if its bucket is asked for */
static int push_one(const struct rg_saved *s, void *arg)
{
	struct pushing *p = arg;
	struct rg_crec r;

	if(!(p->mask & (1u << rg_cluster_bucket(s->key, s->key_len))))
		return 1;
	memset(&r, 0, sizeof(r));
	key_of(&r, s->key, s->key_len);
	if(s->repl.blk.clk != 0) {
		if(s->block_end != 0)
			block_rec(&r, s->block_end, s->reason, s->ra_last, &s->repl.blk);
		else
			unblock_rec(&r, 1, s->repl.keep_ms, &s->repl.blk);
		add(&p->o, &r);
	}
	if(s->repl.lim.clk != 0 && s->has_limit) {
		limit_rec(&r, &s->lim, &s->repl.lim);
		add(&p->o, &r);
	}
	if(s->repl.cut.clk != 0 && s->throttled) {
		cut_rec(&r, s->cur_mcps, s->ceil_mcps, &s->repl.cut);
		add(&p->o, &r);
	}
	return 1;
}

static void push_buckets(uint32_t mask)
{
	static char buf[RG_CMSG_BEAT_MAX];
	struct pushing p;
	int i;

	p.mask = mask;
	start(&p.o, buf, sizeof(buf), RG_CCHAN_CHANGE);
	walk_compared(push_one, &p);
	finish(&p.o, 0);
	for(i = 0; i < RG_CMSG_BUCKETS; i++) {
		if(mask & (1u << i))
			RG_CSTAT_ADD(pushed, 1);
	}
}

static int digest_one(const struct rg_saved *s, void *arg)
{
	uint64_t *d = arg;

	d[rg_cluster_bucket(s->key, s->key_len)] ^= rg_cmsg_digest(
			s->key, s->key_len, &s->repl.blk, &s->repl.lim, &s->repl.cut);
	return 1;
}

/* this node's digests, kept for the peers' to be compared with, and sent */
static void digests(struct out *o)
{
	uint64_t d[RG_CMSG_BUCKETS] = {0};
	struct rg_crec r;
	int i;

	walk_compared(digest_one, d);
	memset(&r, 0, sizeof(r));
	r.kind = RG_CR_DIGEST;
	for(i = 0; i < RG_CMSG_BUCKETS; i++) {
		__atomic_store_n(&rg_csh->digest[i], d[i], __ATOMIC_RELAXED);
		r.bucket = (uint8_t)i;
		r.digest = d[i];
		add(o, &r);
	}
	__atomic_store_n(&rg_csh->digest_ok, 1, __ATOMIC_RELAXED);
}


/* cluster_nodes says fewer nodes than are heard: say so, once a minute */
static void warn_size(uint64_t now)
{
	static uint64_t last;
	uint8_t places[RG_PEERS_MAX], leased[RG_PEERS_MAX];
	uint64_t heard[RG_PEERS_MAX];
	int n = rg_peers_members(
			rg_cpeers, now, RG_PEERS_MAX, places, leased, heard);

	if(n <= rg_ccfg.nodes - 1 || (last != 0 && now - last < 60000))
		return;
	last = now;
	LM_WARN("cluster: %d other nodes heard, but cluster_nodes is %d: set it "
			"to the number of nodes, or the budget is not kept\n",
			n, rg_ccfg.nodes);
}

/*
 * The members now (the peers heard since start, and with cluster_nodes
 * those never heard yet), whose leases are valid, and whether this node
 * is in a majority of them. A node that has never heard a peer counts
 * one unknown member: a cluster of one is no cluster.
 */
static void view_of(struct rg_cview *v, uint64_t now)
{
	static int ever_heard;
	uint32_t members, leased = 0, floor_ppm;
	int i, max = rg_ccfg.nodes > 0 ? rg_ccfg.nodes - 1 : RG_PEERS_MAX;
	int was_alone = (int)rg_csh->alone;

	memset(v, 0, sizeof(*v));
	v->floor_permille = (uint32_t)rg_ccfg.share_floor * 10;
	v->lease_ms = (uint32_t)rg_cluster_lease_ms();
	/* demands without a budget are sent at least every 5 s */
	v->refresh_ms = 5000;
	v->fresh_ms = v->refresh_ms + 3 * (uint32_t)rg_ccfg.interval;
	/* grants in use again every 2 intervals: well within the lease (6) */
	v->grant_refresh_ms = 2 * (uint32_t)rg_ccfg.interval;
	/* a member is never forgotten: a dead node and a cut-off one look
	 * the same, and a cut-off one keeps admitting its floor (with
	 * cluster_nodes 0: every node heard since start, each instance that
	 * no newer one of the same node replaced) */
	v->n = rg_peers_members(
			rg_cpeers, now, max, v->place, v->leased, v->heard_ms);
	if(v->n > 0)
		ever_heard = 1;
	if(rg_ccfg.nodes > 0)
		warn_size(now);
	if(rg_ccfg.nodes > 0)
		v->unknown = (uint32_t)(rg_ccfg.nodes - 1 - v->n);
	else
		v->unknown = ever_heard ? 0 : 1;
	for(i = 0; i < v->n; i++)
		leased += v->leased[i];
	members = 1 + (uint32_t)v->n + v->unknown;
	v->majority = 2 * (1 + leased) > members;
	rg_csh->members = members;
	rg_csh->leased = leased;
	rg_csh->majority = (uint32_t)v->majority;
	rg_csh->size = 1 + leased;
	rg_csh->alone = !v->majority;
	if(was_alone && v->majority)
		LM_INFO("cluster: %u of %u members heard: budgets are shared by "
				"demand\n",
				1 + leased, members);
	else if(!was_alone && !v->majority)
		LM_WARN("cluster: %u of %u members heard, no majority: each "
				"destination's share is its floor (cluster_share_floor) "
				"until more are\n",
				1 + leased, members);
	/* a destination new here starts with its floor */
	floor_ppm = (uint32_t)((uint64_t)RG_SHARE_WHOLE * v->floor_permille / 1000
						   / members);
	rg_table_set_share(rg_tbl, floor_ppm ? floor_ppm : 1);
}

/* the P lines: every member, with the last heartbeat taken of it */
static void peer_lines(const struct rg_cview *v, struct rg_crec *pl, int *np)
{
	struct rg_peer e;
	int i;

	*np = 0;
	for(i = 0; i < v->n; i++) {
		memset(&pl[*np], 0, sizeof(pl[0]));
		pl[*np].kind = RG_CR_PEER;
		if(rg_peers_get(rg_cpeers, v->place[i], &e) == 0) {
			pl[*np].origin = e.origin;
			pl[*np].ack = e.max_seq[1];
		}
		(*np)++;
	}
}

/*
 * Every cluster_interval: each destination's share of its budget from
 * the members' demands and grants, and this node's demands and grants to
 * the peers, in batches that each start with the P lines (a grant is
 * read against them); about every second the digests. Always at least
 * one message: it says this node is alive, and renews its leases.
 */
static void heartbeat(uint64_t now, int with_digests)
{
	static char buf[RG_CMSG_BEAT_MAX];
	static struct rg_crec pl[RG_PEERS_MAX];
	static struct rg_crec r;
	struct rg_cview v;
	struct rg_demand_out dout;
	struct out o;
	unsigned int slot, cap = rg_table_capacity(rg_tbl);
	uint64_t n = 0;
	int np, i;

	view_of(&v, now);
	/* dmq's start-up call may have come before any peer could hear it:
	 * ask again once one is heard (a second answer changes nothing) */
	if(v.n > 0 && !rg_csh->asked) {
		rg_csh->asked = 1;
		ask();
	}
	peer_lines(&v, pl, &np);
	start(&o, buf, sizeof(buf), RG_CCHAN_BEAT);
	o.head = pl;
	o.nhead = np;
	begin_head(&o);
	memset(&r, 0, sizeof(r));
	r.kind = RG_CR_DEMAND;
	for(slot = 0; slot < cap; slot++) {
		if(!rg_op_cluster_tick_slot(
				   rg_tbl, slot, &v, now, &dout, r.key, &r.key_len))
			continue;
		r.demand_mcps = dout.demand_mcps;
		r.recv_mcps = dout.recv_mcps;
		r.ngrants = (uint8_t)dout.ngrants;
		for(i = 0; i < dout.ngrants; i++)
			r.grant[i] = dout.grant[i];
		n++;
		add(&o, &r);
	}
	if(with_digests)
		digests(&o);
	finish(&o, o.sent == 0);
	if(n)
		RG_CSTAT_ADD(demand_sent, n);
}

void rg_cluster_tick(unsigned int ticks, void *param)
{
	static uint64_t next_beat, next_digest;
	uint64_t now = rg_now_ms();
	uint32_t mask;
	int with_digests = 0;

	(void)ticks;
	(void)param;
	if(rg_dmq_peer == NULL)
		return;
	/* versions follow the wall clock as it is now (NTP may step it) */
	__atomic_store_n(&rg_csh->hlc.wall_off_ms,
			(int64_t)rg_cluster_wall_ms() - (int64_t)now, __ATOMIC_RELAXED);
	drain();
	if(__atomic_exchange_n(&rg_csh->want_ask, 0, __ATOMIC_RELAXED))
		ask();
	mask = __atomic_exchange_n(&rg_csh->want_push, 0, __ATOMIC_RELAXED);
	if(mask)
		push_buckets(mask);
	if(now < next_beat)
		return;
	next_beat = now + (uint64_t)rg_ccfg.interval;
	if(now >= next_digest) {
		next_digest = now + DIGEST_MS;
		with_digests = 1;
	}
	heartbeat(now, with_digests);
}
