/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_demand.h"
#include "rg_share.h"

/* did the peer say it within the last `fresh_ms`? A word heard after
 * the caller read its clock (a dmq worker is quicker) is fresh too.
 * 64-bit times: no difference wraps, whatever the uptime. */
static int fresh(const struct rg_peer_demand *p, uint32_t fresh_ms,
		uint64_t now_ms)
{
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

void rg_demand_peer(struct rg_demand *d, struct rg_throttle *th, int place,
		const struct rg_peer_word *w, uint32_t fresh_ms, uint64_t now_ms)
{
	struct rg_peer_demand *p;

	if(place < 0 || place >= RG_PEERS_MAX)
		return;
	p = &d->peer[place];
	if(p->gen != w->gen) { /* another sender in this place: anew */
		memset(p, 0, sizeof(*p));
		p->gen = w->gen;
	}
	if(w->seq <= p->seq)
		return; /* an older heartbeat, come late */
	p->seq = w->seq;
	p->demand_mcps = w->demand_mcps;
	p->recv_mcps = w->recv_mcps;
	p->at_ms = now_ms ? now_ms : 1;
	if(w->has_grant) {
		p->grant_mcps = w->grant_mcps;
		p->grant_ms = w->grant_ms;
	}
	p->nobudget = (uint8_t)w->no_budget;
	d->heard = 1;
	/* at once: a cut made before the next interval starts from it */
	th->peer_recv_mcps = peers_recv(d, fresh_ms, now_ms);
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

/* has a figure moved by more than a tenth (and half a call a second)? */
static int moved(uint32_t now, uint32_t was)
{
	uint32_t diff = now > was ? now - was : was - now;
	uint32_t big = was > now ? was : now;

	return diff > 500 && diff * 10 > big;
}

/*
 * With no budget the demands only feed the cluster's received rate (an
 * AIMD cut): sent when they move, at least every refresh_ms while not
 * zero, and once as zero when they stop.
 */
static int worth_sending(const struct rg_demand *d,
		const struct rg_demand_out *out, const struct rg_cview *v,
		uint64_t now_ms)
{
	int zero = out->demand_mcps == 0 && out->recv_mcps == 0;
	int was_zero = d->sent_mcps == 0 && d->sent_recv == 0;

	if(zero)
		return !was_zero;
	return was_zero || moved(out->demand_mcps, d->sent_mcps)
		   || moved(out->recv_mcps, d->sent_recv) || now_ms < d->sent_ms
		   || now_ms - d->sent_ms >= v->refresh_ms;
}

/* is the destination called here or, lately, at a member? */
static int in_use(const struct rg_demand *d, const struct rg_cview *v,
		uint64_t now_ms)
{
	const struct rg_peer_demand *p;
	int k;

	if(d->demand_mcps != 0)
		return 1;
	for(k = 0; k < v->n; k++) {
		p = &d->peer[v->place[k] % RG_PEERS_MAX];
		if(p->demand_mcps != 0 && fresh(p, v->fresh_ms, now_ms))
			return 1;
	}
	return 0;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * Grant `g` goes to the peer: the largest grant it may still use, over
 * windows of half a lease (this one and the two before cover at least a
 * lease back), so a grant cut stays kept until the old one lapsed there.
 */
static uint32_t window(struct rg_peer_demand *p, uint32_t g, uint32_t lease_ms,
		uint64_t now_ms)
{
	uint64_t half = lease_ms / 2 ? lease_ms / 2 : 1, steps;
	uint32_t m;

	if(p->win_ms == 0 || now_ms < p->win_ms) {
		/* no window yet: only what is in force */
		p->win[0] = p->sent_mcps;
		p->win[1] = p->win[2] = 0;
		p->win_ms = now_ms;
	}
	steps = (now_ms - p->win_ms) / half;
	if(steps >= 3) {
		p->win[2] = p->win[1] = p->win[0] = 0;
	} else if(steps == 2) {
		p->win[2] = p->win[0];
		p->win[1] = p->win[0] = 0;
	} else if(steps == 1) {
		p->win[2] = p->win[1];
		p->win[1] = p->win[0];
		p->win[0] = 0;
	}
	p->win_ms += steps * half;
	/* what is in force there is sent this window too */
	if(p->sent_mcps > p->win[0])
		p->win[0] = p->sent_mcps;
	if(g > p->win[0])
		p->win[0] = g;
	m = p->win[0] > p->win[1] ? p->win[0] : p->win[1];
	return m > p->win[2] ? m : p->win[2];
}

/* what this node may admit of `budget`, and its grants into `out` */
static uint32_t split(struct rg_demand *d, uint32_t budget,
		const struct rg_cview *v, uint64_t now_ms, struct rg_demand_out *out)
{
	uint32_t dem[RG_SHARE_NODES_MAX] = {0}, part[RG_SHARE_NODES_MAX];
	uint32_t floor, g, held, r, use;
	uint64_t reserve;
	int n = v->n, members, k;
	struct rg_peer_demand *p;

	if(n > RG_SHARE_NODES_MAX - 1)
		n = RG_SHARE_NODES_MAX - 1;
	members = 1 + n + (int)v->unknown;
	if(members > RG_SHARE_NODES_MAX)
		members = RG_SHARE_NODES_MAX;
	dem[0] = d->demand_mcps;
	for(k = 0; k < n; k++) {
		p = &d->peer[v->place[k] % RG_PEERS_MAX];
		/* a member silent on it is not calling it; in a majority, one
		 * whose lease ran out is cut off and kept its floor (in a
		 * minority, grants stay generous: this node keeps its floor) */
		dem[1 + k] = (v->leased[k] || !v->majority)
							 && fresh(p, v->fresh_ms, now_ms)
							 ? p->demand_mcps
							 : 0;
	}
	rg_share_all(budget, dem, members, v->floor_permille, part);
	floor = (uint32_t)((uint64_t)budget
					   * (v->floor_permille > 1000 ? 1000 : v->floor_permille)
					   / 1000 / (uint64_t)members);
	/* members never heard: their floor kept */
	reserve = (uint64_t)(members - 1 - n) * floor;
	for(k = 0; k < n; k++) {
		p = &d->peer[v->place[k] % RG_PEERS_MAX];
		g = part[1 + k];
		held = window(p, g, v->lease_ms, now_ms);
		if(moved(g, p->sent_mcps))
			d->grants_moved = 1;
		p->sent_mcps = g;
		out->grant[k] = g;
		r = held;
		/* not heard for a lease: it holds no lease on anything sent it
		 * (its lease runs from a heartbeat of its that this node
		 * acknowledged), and keeps only its floor */
		if(now_ms > v->heard_ms[k] + v->lease_ms)
			r = floor;
		reserve += r > floor ? r : floor;
	}
	out->ngrants = n;
	use = reserve < budget ? min32(part[0], (uint32_t)(budget - reserve)) : 0;
	/* and no more than any member with a valid lease grants it (its
	 * floor while that member's grant lapsed); a member without one is
	 * left out only in a majority */
	for(k = 0; k < n; k++) {
		p = &d->peer[v->place[k] % RG_PEERS_MAX];
		if(v->leased[k] && p->grant_ms > now_ms)
			use = min32(use, p->grant_mcps);
		else if(v->leased[k] && p->nobudget && fresh(p, v->fresh_ms, now_ms))
			continue; /* no budget there: it grants nothing, keeps nothing */
		else if(v->leased[k] || !v->majority)
			use = min32(use, floor);
	}
	/* not in a majority: the floor, which every member keeps for it */
	if(!v->majority)
		use = min32(use, floor);
	return use;
}

void rg_demand_tick(struct rg_demand *d, struct rg_throttle *th,
		const struct rg_cview *v, uint64_t now_ms, struct rg_demand_out *out)
{
	uint32_t budget = rg_throttle_rate(th), members, use;
	uint64_t s;

	measure(d, th, now_ms);
	d->heard = 0;
	th->peer_recv_mcps = peers_recv(d, v->fresh_ms, now_ms);
	out->demand_mcps = d->demand_mcps;
	out->recv_mcps = rg_throttle_received(th, now_ms);
	out->ngrants = 0;
	if(budget == 0) {
		/* no budget: a limit set before the next interval starts from
		 * an even part */
		members = 1 + (uint32_t)v->n + v->unknown;
		th->share_ppm = RG_SHARE_WHOLE / members;
		out->send = worth_sending(d, out, v, now_ms);
	} else {
		use = split(d, budget, v, now_ms, out);
		s = (uint64_t)use * RG_SHARE_WHOLE / budget;
		/* share_ppm 0 would mean all of it */
		th->share_ppm = s == 0 ? 1
								: (s >= RG_SHARE_WHOLE ? RG_SHARE_WHOLE
													   : (uint32_t)s);
		out->send = d->grants_moved || worth_sending(d, out, v, now_ms)
					|| (in_use(d, v, now_ms)
							&& (now_ms < d->sent_ms
									|| now_ms - d->sent_ms
											   >= v->grant_refresh_ms));
		if(out->send)
			d->grants_moved = 0;
	}
	if(out->send) {
		d->sent_mcps = out->demand_mcps;
		d->sent_recv = out->recv_mcps;
		d->sent_ms = now_ms;
	}
}

int rg_demand_active(const struct rg_demand *d, const struct rg_throttle *th)
{
	return (uint32_t)__atomic_load_n(&th->offered, __ATOMIC_RELAXED)
				   != d->offered_last
		   || __atomic_load_n(&d->sent_mcps, __ATOMIC_RELAXED) != 0
		   || __atomic_load_n(&d->sent_recv, __ATOMIC_RELAXED) != 0
		   || __atomic_load_n(&d->heard, __ATOMIC_RELAXED) != 0
		   || __atomic_load_n(&th->peer_recv_mcps, __ATOMIC_RELAXED) != 0
		   || __atomic_load_n(&th->lim.mcps, __ATOMIC_RELAXED) != 0
		   || __atomic_load_n(&th->throttled, __ATOMIC_RELAXED) != 0;
}
