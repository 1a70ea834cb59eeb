/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "rg_prom.h"

static void head(
		struct rg_buf *b, const char *name, const char *type, const char *help)
{
	rg_buf_printf(b, "# HELP replyguard_%s %s\n# TYPE replyguard_%s %s\n", name,
			help, name, type);
}

/* a sample's name and its dst label, the braces left open */
static void sample_open(
		struct rg_buf *b, const char *name, const struct rg_snapshot *s)
{
	rg_buf_printf(b, "replyguard_%s{dst=\"", name);
	rg_buf_prom_label(b, s->key, (size_t)s->key_len);
	rg_buf_puts(b, "\"");
}

static void sample_start(
		struct rg_buf *b, const char *name, const struct rg_snapshot *s)
{
	sample_open(b, name, s);
	rg_buf_puts(b, "} ");
}

/* a delay histogram of each destination, as Prometheus' histogram type */
static void histogram(const struct rg_snapshot *snaps, unsigned int n,
		struct rg_buf *b, const char *name, const char *help, size_t at)
{
	const struct rg_hist_view *h;
	uint64_t cum;
	unsigned int i, k;

	head(b, name, "histogram", help);
	for(i = 0; i < n; i++) {
		h = (const struct rg_hist_view *)((const char *)&snaps[i] + at);
		if(h->count == 0)
			continue; /* no delay measured yet: no series */
		for(k = 0, cum = 0; k < RG_HIST_BUCKETS; k++) {
			cum += h->life[k];
			rg_buf_printf(b, "replyguard_%s_bucket{dst=\"", name);
			rg_buf_prom_label(b, snaps[i].key, (size_t)snaps[i].key_len);
			rg_buf_puts(b, "\",le=\"");
			if(k == RG_HIST_BUCKETS - 1)
				rg_buf_puts(b, "+Inf");
			else
				rg_buf_milli(b, rg_hist_le_ms[k]);
			rg_buf_printf(b, "\"} %llu\n", (unsigned long long)cum);
		}
		rg_buf_printf(b, "replyguard_%s_sum{dst=\"", name);
		rg_buf_prom_label(b, snaps[i].key, (size_t)snaps[i].key_len);
		rg_buf_puts(b, "\"} ");
		rg_buf_milli(b, h->sum_ms);
		rg_buf_printf(b, "\nreplyguard_%s_count{dst=\"", name);
		rg_buf_prom_label(b, snaps[i].key, (size_t)snaps[i].key_len);
		rg_buf_printf(b, "\"} %llu\n", (unsigned long long)h->count);
	}
}

/* the 503s of each destination by the cause in their Reason header */
static void causes(
		const struct rg_snapshot *snaps, unsigned int n, struct rg_buf *b)
{
	const struct rg_cause_counts *cc;
	unsigned int i, k;

	head(b, "replies_503_cause_total", "counter",
			"503 replies by the cause of their Reason header (RFC 3326); "
			"cause=\"other\": causes beyond the first few seen.");
	for(i = 0; i < n; i++) {
		cc = &snaps[i].causes;
		for(k = 0; k < RG_CAUSE_SLOTS && cc->slot[k].proto != RG_CAUSE_NONE;
				k++) {
			sample_open(b, "replies_503_cause_total", &snaps[i]);
			rg_buf_printf(b, ",protocol=\"%s\",cause=\"%u\"} %u\n",
					cc->slot[k].proto == RG_CAUSE_Q850 ? "q850" : "sip",
					(unsigned int)cc->slot[k].num, (unsigned int)cc->slot[k].n);
		}
		if(cc->other != 0) {
			sample_open(b, "replies_503_cause_total", &snaps[i]);
			rg_buf_printf(b, ",protocol=\"\",cause=\"other\"} %u\n",
					(unsigned int)cc->other);
		}
	}
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
		if(!rg_field_in_prom((enum rg_field)f))
			continue;
		head(b, rg_field_prom_name((enum rg_field)f), "gauge",
				rg_field_help((enum rg_field)f));
		for(i = 0; i < n; i++) {
			/* a ratio not known yet has no sample */
			if(rg_field_show((enum rg_field)f, snaps[i].f[f], RG_OUT_PROM, v)
					== 0)
				continue;
			sample_start(b, v[0].name, &snaps[i]);
			rg_buf_milli(b, v[0].num);
			rg_buf_puts(b, "\n");
		}
	}
	histogram(snaps, n, b, "srd_seconds",
			"Delay from the INVITE sent to the first 180/183 (RFC 6076 SRD).",
			offsetof(struct rg_snapshot, srd));
	histogram(snaps, n, b, "srd_2xx_seconds",
			"Delay from the INVITE sent to the 2xx.",
			offsetof(struct rg_snapshot, srd2));
	causes(snaps, n, b);
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
			"Webhook events the receiver refused (4xx), or too big.",
			tot->webhook_failed);
	total(b, "webhook_dropped_total", "counter",
			"Webhook events dropped: queue full of each destination's last "
			"word.",
			tot->webhook_dropped);
	total(b, "webhook_replaced_total", "counter",
			"Queued webhook events replaced by a later one of the same "
			"destination and state: queue full.",
			tot->webhook_replaced);
	total(b, "webhook_queued", "gauge", "Webhook events waiting.",
			tot->webhook_queued);
	total(b, "exposition_omitted", "gauge",
			"Destinations left out of this page (prometheus_max_destinations).",
			tot->omitted);
	return b->full ? -1 : 0;
}
