/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rg_demand.h"
#include "rg_share.h"

static uint32_t peers_recv(
		const struct rg_demand *d, uint32_t fresh_ms, uint64_t now_ms);

void rg_demand_peer(struct rg_demand *d, struct rg_throttle *th, int place,
		uint32_t demand_mcps, uint32_t recv_mcps, uint32_t fresh_ms,
		uint64_t now_ms)
{
	struct rg_peer_demand *p;

	if(place < 0 || place >= RG_PEERS_MAX)
		return;
	p = &d->peer[place];
	p->demand_mcps = demand_mcps;
	p->recv_mcps = recv_mcps;
	p->at_ms = now_ms ? now_ms : 1;
	d->heard = 1;
	/* at once: a cut made before the next interval starts from it */
	th->peer_recv_mcps = peers_recv(d, fresh_ms, now_ms);
}

/* did the peer say it within the last `fresh_ms`? A word heard after
 * the caller read its clock (a dmq worker is quicker) is fresh too. */
static int fresh(const struct rg_peer_demand *p, uint32_t fresh_ms,
		uint64_t now_ms)
{
	/* 64-bit times: no difference wraps, whatever the uptime */
	return p->at_ms != 0
		   && (now_ms <= p->at_ms || now_ms - p->at_ms <= fresh_ms);
}

/* what the peers heard lately say they send it */
static uint32_t peers_recv(
		const struct rg_demand *d, uint32_t fresh_ms, uint64_t now_ms)
{
	uint64_t recv = 0;
	int i;

	for(i = 0; i < RG_PEERS_MAX; i++) {
		if(fresh(&d->peer[i], fresh_ms, now_ms))
			recv += d->peer[i].recv_mcps;
	}
	return recv > UINT32_MAX ? UINT32_MAX : (uint32_t)recv;
}

/* the offered rate since the last tick, folded into the smoothed demand */
static void measure(struct rg_demand *d, const struct rg_throttle *th,
		uint64_t now_ms)
{
	/* the low 32 bits are enough for an interval's calls */
	int32_t diff = (int32_t)((uint32_t)th->offered - d->offered_last);
	uint64_t n, sample;

	if(d->tick_ms != 0 && now_ms > d->tick_ms) {
		n = diff > 0 ? (uint64_t)diff : 0;
		sample = n * 1000000ULL / (now_ms - d->tick_ms);
		if(sample > UINT32_MAX)
			sample = UINT32_MAX;
		/* a quarter of the new sample: steady over about 4 intervals */
		d->demand_mcps =
				(uint32_t)(((uint64_t)d->demand_mcps * 3 + sample) / 4);
	}
	d->offered_last = (uint32_t)th->offered;
	d->tick_ms = now_ms ? now_ms : 1;
}

void rg_demand_tick(struct rg_demand *d, struct rg_throttle *th,
		const struct rg_cview *v, uint64_t now_ms, struct rg_demand_out *out)
{
	uint32_t dem[RG_SHARE_NODES_MAX];
	uint32_t budget = rg_throttle_rate(th);
	uint32_t even = RG_SHARE_WHOLE
					/ (v->n > 0 ? (uint32_t)v->n + 1
								: (v->fallback_n ? v->fallback_n : 1));
	const struct rg_peer_demand *p;
	uint64_t s;
	int i, k = 1;

	measure(d, th, now_ms);
	d->heard = 0;
	dem[0] = d->demand_mcps;
	for(i = 0; i < v->n && k < RG_SHARE_NODES_MAX; i++) {
		p = &d->peer[v->place[i] % RG_PEERS_MAX];
		/* in the cluster but silent on it: not calling it */
		dem[k++] = fresh(p, v->fresh_ms, now_ms) ? p->demand_mcps : 0;
	}
	th->peer_recv_mcps = peers_recv(d, v->fresh_ms, now_ms);
	if(budget == 0 || v->n == 0) {
		/* no budget: a limit set before the next interval starts even */
		th->share_ppm = even;
	} else {
		s = rg_share(budget, dem, k, 0, v->floor_permille);
		s = s * RG_SHARE_WHOLE / budget;
		th->share_ppm = s == 0 ? 1
								: (s >= RG_SHARE_WHOLE ? RG_SHARE_WHOLE
													   : (uint32_t)s);
	}
	out->demand_mcps = d->demand_mcps;
	out->recv_mcps = rg_throttle_received(th, now_ms);
	/* send while there is something, then one zero to say it stopped */
	out->send = out->demand_mcps != 0 || out->recv_mcps != 0
				|| d->sent_mcps != 0;
	d->sent_mcps = out->demand_mcps | out->recv_mcps;
}

int rg_demand_active(const struct rg_demand *d, const struct rg_throttle *th)
{
	return (uint32_t)__atomic_load_n(&th->offered, __ATOMIC_RELAXED)
				   != d->offered_last
		   || __atomic_load_n(&d->sent_mcps, __ATOMIC_RELAXED) != 0
		   || __atomic_load_n(&d->heard, __ATOMIC_RELAXED) != 0
		   || __atomic_load_n(&th->peer_recv_mcps, __ATOMIC_RELAXED) != 0
		   || __atomic_load_n(&th->lim.mcps, __ATOMIC_RELAXED) != 0
		   || __atomic_load_n(&th->throttled, __ATOMIC_RELAXED) != 0;
}
