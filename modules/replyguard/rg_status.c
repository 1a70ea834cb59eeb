/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_status.h"

#define CHART_W 8 /* px per window slot */
#define CHART_H 24

size_t rg_status_base(void)
{
	return 8192;
}

size_t rg_status_per_dst(const struct rg_snapshot *s)
{
	/* the key twice (text and attribute), 8 bytes out per byte in at
	 * most (&#xFFFD;); cells and chart: 24 bars of <= 90 bytes, and
	 * the JSON's fields and counters (<= 64 bytes each, twice) */
	return (size_t)s->key_len * 16 + (size_t)2 * RG_WIN_SLOTS * 90
		   + ((size_t)2 * RG_F_COUNT + (size_t)2 * RG_C_COUNT) * 64 + 1024;
}

static void summary_line(struct rg_buf *b, const struct rg_status_totals *t)
{
	rg_buf_printf(b,
			"<p class=\"sum\">%u destinations of %u &middot; webhook: %llu "
			"sent, %llu failed, %llu dropped &middot; window %u s",
			t->table.tracked, t->table.capacity,
			(unsigned long long)t->webhook_sent,
			(unsigned long long)t->webhook_failed,
			(unsigned long long)t->webhook_dropped, t->window_s);
	if(t->omitted)
		rg_buf_printf(b, " &middot; <b>%u not shown</b> (page bounded)",
				t->omitted);
	rg_buf_puts(b, "</p>\n");
}

/* the window's 183s and 503s, slot by slot, as bars */
static void chart(struct rg_buf *b, const struct rg_snapshot *s)
{
	uint32_t max = 1;
	unsigned int i;
	int h;

	for(i = 0; i < RG_WIN_SLOTS; i++) {
		if(s->series_183[i] > max)
			max = s->series_183[i];
		if(s->series_503[i] > max)
			max = s->series_503[i];
	}
	rg_buf_printf(b,
			"<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
			"%d\" data-183=\"",
			RG_WIN_SLOTS * CHART_W, CHART_H, RG_WIN_SLOTS * CHART_W, CHART_H);
	for(i = 0; i < RG_WIN_SLOTS; i++)
		rg_buf_printf(b, "%s%u", i ? "," : "", s->series_183[i]);
	rg_buf_puts(b, "\" data-503=\"");
	for(i = 0; i < RG_WIN_SLOTS; i++)
		rg_buf_printf(b, "%s%u", i ? "," : "", s->series_503[i]);
	rg_buf_puts(b, "\"><title>183 (green) and 503 (red) per window slot, "
				   "oldest first</title>");
	for(i = 0; i < RG_WIN_SLOTS; i++) {
		h = (int)((uint64_t)s->series_183[i] * CHART_H / max);
		if(h > 0)
			rg_buf_printf(b,
					"<rect class=\"b183\" x=\"%u\" y=\"%d\" width=\"%d\" "
					"height=\"%d\"/>",
					i * CHART_W, CHART_H - h, CHART_W / 2, h);
		h = (int)((uint64_t)s->series_503[i] * CHART_H / max);
		if(h > 0)
			rg_buf_printf(b,
					"<rect class=\"b503\" x=\"%u\" y=\"%d\" width=\"%d\" "
					"height=\"%d\"/>",
					i * CHART_W + CHART_W / 2, CHART_H - h, CHART_W / 2, h);
	}
	rg_buf_puts(b, "</svg>");
}

static void row(struct rg_buf *b, const struct rg_snapshot *s)
{
	const char *state = rg_state_name((enum rg_state)s->f[RG_F_STATE]);

	rg_buf_printf(b, "<tr class=\"%s%s\" data-state=\"%s\" data-dst=\"", state,
			s->f[RG_F_DEGRADED] ? " degraded" : "", state);
	rg_buf_html_str(b, s->key, (size_t)s->key_len);
	rg_buf_puts(b, "\"><td class=\"dst\">");
	rg_buf_html_str(b, s->key, (size_t)s->key_len);
	rg_buf_printf(b, "</td><td class=\"state\">%s</td>", state);
	if(s->f[RG_F_BLOCKED_FOR])
		rg_buf_printf(b, "<td class=\"blocked\">%llu s</td>",
				(unsigned long long)s->f[RG_F_BLOCKED_FOR]);
	else
		rg_buf_puts(b, "<td class=\"blocked\"></td>");
	rg_buf_puts(b, "<td class=\"cps\">");
	if(s->f[RG_F_CPS_LIMIT]) {
		rg_buf_milli(b, s->f[RG_F_CPS_LIMIT]);
		rg_buf_puts(b, " / ");
		if(s->f[RG_F_CPS_CONF])
			rg_buf_milli(b, s->f[RG_F_CPS_CONF]);
		else
			rg_buf_puts(b, "none");
		if(s->f[RG_F_THROTTLED])
			rg_buf_puts(b, " <b>back-off</b>");
	} else {
		rg_buf_puts(b, "none");
	}
	rg_buf_puts(b, "</td>");
	rg_buf_printf(b,
			"<td class=\"inflight\">%llu</td><td class=\"n\">%llu</td>"
			"<td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
			"<td class=\"n\">%llu</td><td class=\"pdd\">%llu / %llu ms</td>",
			(unsigned long long)s->f[RG_F_CONCURRENT],
			(unsigned long long)s->ctr[RG_C_R183],
			(unsigned long long)s->ctr[RG_C_R183_SDP],
			(unsigned long long)s->ctr[RG_C_R503],
			(unsigned long long)s->ctr[RG_C_R503_RA],
			(unsigned long long)s->f[RG_F_PDD_AVG],
			(unsigned long long)s->f[RG_F_PDD_MAX]);
	/* the ratio and the delay: blank while not known */
	rg_buf_puts(b, "<td class=\"asr\">");
	if(s->f[RG_F_ASR] != RG_FIELD_ABSENT) {
		rg_buf_tenth(b, s->f[RG_F_ASR]);
		rg_buf_puts(b, " %");
	}
	rg_buf_puts(b, "</td><td class=\"srd\">");
	if(s->f[RG_F_SRD_P95] != RG_FIELD_ABSENT)
		rg_buf_printf(
				b, "%llu ms", (unsigned long long)s->f[RG_F_SRD_P95]);
	rg_buf_puts(b, "</td><td>");
	chart(b, s);
	rg_buf_puts(b, "</td></tr>\n");
}

int rg_status_html(const struct rg_snapshot *snaps, unsigned int n,
		const struct rg_status_totals *tot, struct rg_buf *b)
{
	unsigned int i;

	rg_buf_printf(b,
			"<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
			"charset=\"utf-8\">\n<meta http-equiv=\"refresh\" content=\"%u\">\n"
			"<title>replyguard: ",
			tot->refresh_s);
	rg_buf_html_str(b, tot->node, strlen(tot->node));
	rg_buf_puts(b,
			"</title>\n<style>\n"
			"body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}\n"
			"h1{font-size:1.3em}\ntable{border-collapse:collapse}\n"
			"th,td{padding:3px 8px;border-bottom:1px solid #ddd;"
			"text-align:left;white-space:nowrap}\n"
			"td.n,td.inflight{text-align:right}\n"
			"tr.up td.state{background:#c8f0c8}\n"
			"tr.probing td.state{background:#fbe7a1}\n"
			"tr.down td.state{background:#f5b5b5}\n"
			"tr.degraded td.asr,tr.degraded td.srd,tr.degraded td.dst"
			"{background:#f8d39a}\n"
			".b183{fill:#3a9a3a}.b503{fill:#c83232}\n"
			"svg.chart{background:#f4f4f4;vertical-align:middle}\n"
			"p.sum{color:#555}\n</style></head><body>\n<h1>replyguard on ");
	rg_buf_html_str(b, tot->node, strlen(tot->node));
	rg_buf_puts(b, "</h1>\n");
	summary_line(b, tot);
	rg_buf_printf(b,
			"<table id=\"destinations\"><thead><tr><th>destination</th>"
			"<th>state</th><th>blocked for</th><th>CPS in force / "
			"configured</th><th>in flight</th><th>183</th><th>183 with "
			"SDP</th><th>503</th><th>503 with Retry-After</th><th>PDD mean / "
			"max</th><th>ASR</th><th>PDD p95</th><th>last %u s: 183, "
			"503</th></tr></thead>\n<tbody>\n",
			tot->window_s);
	for(i = 0; i < n; i++)
		row(b, &snaps[i]);
	rg_buf_puts(b, "</tbody></table>\n");
	if(n == 0)
		rg_buf_puts(b, "<p class=\"none\">No destination yet.</p>\n");
	rg_buf_puts(b, "<p class=\"sum\">JSON: add ?format=json</p>\n"
				   "</body></html>\n");
	return b->full ? -1 : 0;
}

static void json_u64(struct rg_buf *b, const char *name, uint64_t v, int first)
{
	rg_buf_printf(b, "%s\"%s\":%llu", first ? "" : ",", name,
			(unsigned long long)v);
}

static void json_counters(struct rg_buf *b, const uint64_t ctr[RG_C_COUNT])
{
	int c;

	for(c = 0; c < RG_C_COUNT; c++)
		json_u64(b, rg_counter_name((enum rg_counter)c), ctr[c], 0);
}

/* a destination as replyguard.get shows it */
static void json_dst(struct rg_buf *b, const struct rg_snapshot *s,
		unsigned int window_s)
{
	struct rg_fval v[2];
	int f, i, k;

	rg_buf_puts(b, "{\"dst\":\"");
	rg_buf_json_str(b, s->key, (size_t)s->key_len);
	rg_buf_puts(b, "\"");
	for(f = 0; f < RG_F_COUNT; f++) {
		k = rg_field_show((enum rg_field)f, s->f[f], RG_OUT_RPC, v);
		for(i = 0; i < k; i++) {
			rg_buf_printf(b, ",\"%s\":", v[i].name);
			rg_buf_fval_json(b, &v[i]);
		}
	}
	json_counters(b, s->ctr);
	rg_buf_printf(b, ",\"window\":{\"seconds\":%u", window_s);
	json_counters(b, s->win);
	rg_buf_puts(b, "}}");
}

int rg_status_json(const struct rg_snapshot *snaps, unsigned int n,
		const struct rg_status_totals *t, struct rg_buf *b)
{
	unsigned int i;

	rg_buf_puts(b, "{\"summary\":{");
	json_u64(b, "destinations", t->table.tracked, 1);
	json_u64(b, "capacity", t->table.capacity, 0);
	json_u64(b, "evictions", t->table.evictions, 0);
	json_u64(b, "refused_full", t->table.refused_full, 0);
	json_u64(b, "refused_bad_key", t->table.refused_key, 0);
	json_u64(b, "stale_refs", t->table.stale_refs, 0);
	json_u64(b, "unheld_release", t->table.unheld_release, 0);
	json_u64(b, "guard_untracked", t->table.guard_untracked, 0);
	json_u64(b, "webhook_sent", t->webhook_sent, 0);
	json_u64(b, "webhook_failed", t->webhook_failed, 0);
	json_u64(b, "webhook_dropped", t->webhook_dropped, 0);
	json_u64(b, "webhook_retries", t->webhook_retries, 0);
	json_u64(b, "webhook_queued", t->webhook_queued, 0);
	json_u64(b, "omitted", t->omitted, 0);
	rg_buf_puts(b, "},\"destinations\":[");
	for(i = 0; i < n; i++) {
		if(i)
			rg_buf_puts(b, ",");
		json_dst(b, &snaps[i], t->window_s);
	}
	rg_buf_puts(b, "]}\n");
	return b->full ? -1 : 0;
}
