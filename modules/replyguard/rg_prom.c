/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "rg_prom.h"

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
	struct rg_fval v[2];
	char name[64];
	unsigned int i;
	int c, f;

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
	/* every snapshot field is a gauge, its value in thousandths */
	for(f = 0; f < RG_F_COUNT; f++) {
		head(b, rg_field_prom_name((enum rg_field)f), "gauge",
				rg_field_help((enum rg_field)f));
		for(i = 0; i < n; i++) {
			rg_field_show((enum rg_field)f, snaps[i].f[f], RG_OUT_PROM, v);
			sample_start(b, v[0].name, &snaps[i]);
			rg_buf_milli(b, v[0].num);
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
	total(b, "unheld_release_total", "counter",
			"Releases of a call that held no place in flight (defects).",
			t->unheld_release);
	total(b, "guard_untracked_total", "counter",
			"Set memberships the set guard had no room for.",
			t->guard_untracked);
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
