/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "rg_prom.h"

int rg_prom_state_value(const char *state)
{
	if(state == NULL || strcmp(state, "up") == 0)
		return 0;
	return strcmp(state, "probing") == 0 ? 1 : 2;
}

/* the gauges per destination; values in thousandths, printed as decimals */
enum rg_gauge
{
	G_STATE,
	G_BLOCKED_FOR,
	G_RA_LAST,
	G_CPS_LIMIT,
	G_CPS_CONF,
	G_CPS_RECV,
	G_CONCURRENT,
	G_MAX_CONCURRENT,
	G_THROTTLED,
	G_PDD_AVG,
	G_PDD_MAX,
	G_COUNT
};

static const struct
{
	const char *name;
	const char *help;
} rg_gauges[G_COUNT] = {
		{"state", "Health state: 0 up, 1 probing, 2 down."},
		{"blocked_for_seconds", "Seconds left of the current block."},
		{"retry_after_last_seconds", "Last Retry-After applied, seconds."},
		{"cps_limit", "Calls per second allowed now (0: no limit)."},
		{"cps_configured", "Configured calls per second (0: no limit)."},
		{"cps_received", "Calls per second sent over about the last second."},
		{"concurrent", "Calls in flight (counted when capped)."},
		{"max_concurrent", "Cap on calls in flight (0: none)."},
		{"throttled", "1 while adaptive back-off is in force."},
		{"pdd_avg_seconds", "Mean post-dial delay (INVITE to first 18x)."},
		{"pdd_max_seconds", "Largest post-dial delay seen."},
};

static uint64_t gauge_milli(const struct rg_snapshot *s, enum rg_gauge g)
{
	switch(g) {
		case G_STATE:
			return (uint64_t)rg_prom_state_value(s->state) * 1000;
		case G_BLOCKED_FOR:
			return (uint64_t)s->blocked_for * 1000;
		case G_RA_LAST:
			return (uint64_t)s->retry_after_last * 1000;
		case G_CPS_LIMIT:
			return s->cps_limit_mcps;
		case G_CPS_CONF:
			return s->cps_configured;
		case G_CPS_RECV:
			return s->cps_received;
		case G_CONCURRENT:
			return (uint64_t)s->concurrent * 1000;
		case G_MAX_CONCURRENT:
			return (uint64_t)s->max_concurrent * 1000;
		case G_THROTTLED:
			return s->throttled ? 1000 : 0;
		case G_PDD_AVG:
			return s->pdd_avg_ms;
		case G_PDD_MAX:
			return s->pdd_max_ms;
		default:
			return 0;
	}
}

static void head(
		struct rg_buf *b, const char *name, const char *type, const char *help)
{
	rg_buf_printf(b, "# HELP replyguard_%s %s\n# TYPE replyguard_%s %s\n", name,
			help, name, type);
}

static void sample_start(
		struct rg_buf *b, const char *name, const struct rg_snapshot *s)
{
	rg_buf_printf(b, "replyguard_%s{dst=\"", name);
	rg_buf_prom_label(b, s->key, (size_t)s->key_len);
	rg_buf_puts(b, "\"} ");
}

static void per_dst(
		const struct rg_snapshot *snaps, unsigned int n, struct rg_buf *b)
{
	char name[64];
	unsigned int i;
	int c, g;

	for(c = 0; c < RG_C_COUNT; c++) {
		snprintf(name, sizeof(name), "%s_total",
				rg_counter_name((enum rg_counter)c));
		rg_buf_printf(b,
				"# HELP replyguard_%s Lifetime %s per destination.\n"
				"# TYPE replyguard_%s counter\n",
				name, rg_counter_name((enum rg_counter)c), name);
		for(i = 0; i < n; i++) {
			sample_start(b, name, &snaps[i]);
			rg_buf_printf(b, "%llu\n", (unsigned long long)snaps[i].ctr[c]);
		}
	}
	for(g = 0; g < G_COUNT; g++) {
		head(b, rg_gauges[g].name, "gauge", rg_gauges[g].help);
		for(i = 0; i < n; i++) {
			sample_start(b, rg_gauges[g].name, &snaps[i]);
			rg_buf_milli(b, gauge_milli(&snaps[i], (enum rg_gauge)g));
			rg_buf_puts(b, "\n");
		}
	}
}

static void total(struct rg_buf *b, const char *name, const char *type,
		const char *help, uint64_t v)
{
	head(b, name, type, help);
	rg_buf_printf(b, "replyguard_%s %llu\n", name, (unsigned long long)v);
}

int rg_prom_write(const struct rg_snapshot *snaps, unsigned int n,
		const struct rg_prom_totals *tot, struct rg_buf *b)
{
	const struct rg_summary *t = &tot->table;

	per_dst(snaps, n, b);
	total(b, "destinations", "gauge", "Destinations tracked.", t->tracked);
	total(b, "capacity", "gauge", "Destinations the table can hold.",
			t->capacity);
	total(b, "evictions_total", "counter", "Idle destinations freed.",
			t->evictions);
	total(b, "refused_full_total", "counter",
			"New destinations not tracked: table full.", t->refused_full);
	total(b, "refused_bad_key_total", "counter",
			"Destination keys refused as malformed.", t->refused_key);
	total(b, "stale_refs_total", "counter",
			"Replies whose destination had been freed.", t->stale_refs);
	total(b, "webhook_sent_total", "counter", "Webhook posts delivered.",
			tot->webhook_sent);
	total(b, "webhook_failed_total", "counter",
			"Webhook events given up after every retry.", tot->webhook_failed);
	total(b, "webhook_dropped_total", "counter",
			"Webhook events dropped: queue full.", tot->webhook_dropped);
	total(b, "webhook_queued", "gauge", "Webhook events waiting.",
			tot->webhook_queued);
	total(b, "exposition_omitted", "gauge",
			"Destinations left out of this page (prometheus_max_destinations).",
			tot->omitted);
	return b->full ? -1 : 0;
}
