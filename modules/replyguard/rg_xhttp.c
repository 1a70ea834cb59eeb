/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/sr_module.h"
#include "modules/xhttp/api.h"

#include "rg_host.h"
#include "rg_ops.h"
#include "rg_page_cache.h"
#include "rg_prom.h"
#include "rg_status.h"
#include "rg_webhook.h"
#include "rg_xhttp.h"

static int rg_prom_max_dst; /* read-only once set */
static int rg_page_cache_ms;

/* the last page of each kind (metrics, status HTML, status JSON) */
#define RG_PAGE_KINDS 3
static struct rg_page_cache *rg_page_caches[RG_PAGE_KINDS];

static xhttp_api_t rg_xhttp;
static int rg_xhttp_bound = 0;

static str rg_ctype = str_init("text/plain; version=0.0.4; charset=utf-8");
static str rg_ctype_html = str_init("text/html; charset=utf-8");
static str rg_ctype_json = str_init("application/json");

/* rg_status_page(): the HTML page reloads itself this often */
#define RG_STATUS_REFRESH_S 5

int rg_xhttp_init(int prom_max_dst, int cache_ms)
{
	int i;

	rg_prom_max_dst = prom_max_dst;
	rg_page_cache_ms = cache_ms;
	if(find_export("bind_xhttp", 0, 0) == NULL)
		return 0; /* rg_prometheus() says so when called */
	if(xhttp_load_api(&rg_xhttp) < 0)
		return -1;
	for(i = 0; i < RG_PAGE_KINDS; i++) {
		rg_page_caches[i] = rg_page_cache_new();
		if(rg_page_caches[i] == NULL) {
			LM_ERR("no shared memory for the pages' cache\n");
			return -1;
		}
	}
	rg_xhttp_bound = 1;
	return 0;
}

void rg_xhttp_page_stats(struct rg_page_cache_stats *st)
{
	int i;

	st->builds = st->hits = 0;
	for(i = 0; i < RG_PAGE_KINDS; i++)
		rg_page_cache_stats(rg_page_caches[i], st);
}

static int reply_as(struct sip_msg *msg, int code, const char *reason,
		str *ctype, const char *text, size_t len)
{
	str r, body;

	r.s = (char *)reason;
	r.len = (int)strlen(reason);
	body.s = (char *)text;
	body.len = (int)len;
	return rg_xhttp.reply(msg, code, &r, ctype, &body) < 0 ? -1 : 1;
}

/* an error answer, as plain text */
static int reply(struct sip_msg *msg, int code, const char *reason,
		const char *text, size_t len)
{
	return reply_as(msg, code, reason, &rg_ctype, text, len);
}

/*
 * Snapshots of up to `max` destinations into shared memory (pkg is small
 * and xhttp needs it for two copies of the page); `*omitted` counts the
 * rest. NULL with *n == 0 when there are none.
 */
static struct rg_snapshot *take_snapshots(
		unsigned int max, unsigned int *n, unsigned int *omitted, int *err)
{
	struct rg_summary s;
	struct rg_snapshot *snaps;
	unsigned int slot, cap = rg_table_capacity(rg_tbl), want;
	uint64_t now = rg_now_ms();

	*n = 0;
	*omitted = 0;
	*err = 0;
	rg_table_summary(rg_tbl, &s);
	/* entries added after the count are seen by the loop: allow a few */
	want = s.tracked + 16 < max ? s.tracked + 16 : max;
	if(want == 0) { /* prometheus_max_destinations 0: every one omitted */
		*omitted = s.tracked;
		return NULL;
	}
	snaps = shm_malloc(sizeof(*snaps) * want);
	if(snaps == NULL) {
		*err = 1;
		return NULL;
	}
	for(slot = 0; slot < cap && *n < want; slot++) {
		if(rg_op_snapshot_slot(rg_tbl, slot, now, &snaps[*n]) == RG_OK)
			(*n)++;
	}
	/* the rest are counted, not copied */
	rg_table_summary(rg_tbl, &s);
	*omitted = s.tracked > *n ? s.tracked - *n : 0;
	return snaps;
}

/* a generous bound of the page without destinations, and per destination:
 * its samples (the counters, the fields, the histograms it has: buckets,
 * sum and count, and its 503 causes) */
static const size_t rg_families = RG_C_COUNT + RG_F_COUNT + 3;

static size_t page_base(void)
{
	return 8192 + (rg_families + RG_CAUSE_SLOTS) * 200;
}

static size_t page_per_dst(const struct rg_snapshot *s)
{
	size_t label = (size_t)s->key_len, samples = RG_C_COUNT + RG_F_COUNT;
	int i;

	/* the label as escaped: a backslash, quote or line feed takes two */
	for(i = 0; i < s->key_len; i++)
		label += s->key[i] == '\\' || s->key[i] == '"' || s->key[i] == '\n';
	if(s->srd.count)
		samples += RG_HIST_BUCKETS + 2;
	if(s->srd2.count)
		samples += RG_HIST_BUCKETS + 2;
	for(i = 0; i < RG_CAUSE_SLOTS && s->causes.slot[i].proto; i++)
		samples++;
	samples += s->causes.other != 0;
	/* per sample: name <= 48, braces/quotes/value/le <= 40, the label */
	return samples * (88 + label);
}

/*
 * How many of the `n` snapshots fit a page that xhttp can send: it copies
 * the body into pkg twice (the reply lump, then the reply buffer), so the
 * page may take at most a quarter of the pkg memory free now. The rest
 * are omitted, counted in the page, and logged at most once a minute.
 */
static unsigned int fit_pkg(const struct rg_snapshot *snaps, unsigned int n,
		size_t *cap, size_t base, size_t (*per_dst)(const struct rg_snapshot *))
{
	static uint64_t warned_ms;
	size_t budget = pkg_available() / 4, sz = base, add;
	unsigned int i;
	uint64_t now;

	for(i = 0; i < n; i++) {
		add = per_dst(&snaps[i]);
		if(sz + add > budget)
			break;
		sz += add;
	}
	*cap = sz;
	if(i < n) {
		now = rg_now_ms();
		if(warned_ms == 0 || now - warned_ms >= 60000) {
			LM_WARN("metrics or status page: %u of %u destinations fit this "
					"process's free pkg memory (%lu bytes); the rest are "
					"counted as omitted: raise -M or lower "
					"prometheus_max_destinations\n",
					i, n, (unsigned long)pkg_available());
			warned_ms = now;
		}
	}
	return i;
}

/* what every page shows besides its destinations */
struct page_totals
{
	struct rg_summary table;
	struct rg_webhook_stats wh;
	unsigned int omitted;
};

/* one kind of page: its bound, its writer and its content type */
struct page_kind
{
	int id;			  /* its cache: rg_page_caches[id] */
	const char *what; /* for log lines */
	size_t (*base)(void);
	size_t (*per_dst)(const struct rg_snapshot *s);
	int (*write)(const struct rg_snapshot *snaps, unsigned int n,
			const struct page_totals *t, struct rg_buf *b);
	str *ctype;
};

/*
 * Build a page of `kind` into shm (`*page`, `*len`): snapshots of up to
 * prometheus_max_destinations destinations in shm, as many as fit a
 * quarter of free pkg (xhttp copies the body twice), the rest counted.
 * 0, or -1 with the error already logged.
 */
static int build(const struct page_kind *kind, char **page, size_t *len)
{
	struct rg_snapshot *snaps;
	struct page_totals tot;
	struct rg_buf b;
	unsigned int n, fit;
	size_t cap;
	int err, rc = 0;

	snaps = take_snapshots(
			(unsigned int)rg_prom_max_dst, &n, &tot.omitted, &err);
	if(err) {
		LM_ERR("no shared memory for %d destination snapshots: lower "
			   "prometheus_max_destinations or raise -m\n",
				rg_prom_max_dst);
		return -1;
	}
	fit = fit_pkg(snaps, n, &cap, kind->base(), kind->per_dst);
	tot.omitted += n - fit;
	n = fit;
	rg_table_summary(rg_tbl, &tot.table);
	rg_webhook_get_stats(&tot.wh);
	*page = shm_malloc(cap);
	if(*page == NULL) {
		LM_ERR("no shared memory for a %lu byte %s page: lower "
			   "prometheus_max_destinations or raise -m\n",
				(unsigned long)cap, kind->what);
		rc = -1;
	} else {
		rg_buf_init(&b, *page, cap);
		if(kind->write(snaps, n, &tot, &b) < 0) {
			LM_ERR("%s page larger than its %lu byte bound\n", kind->what,
					(unsigned long)cap);
			shm_free(*page);
			*page = NULL;
			rc = -1;
		} else
			*len = b.len;
	}
	if(snaps)
		shm_free(snaps);
	return rc;
}

/*
 * Answer `msg` with a page of `kind`: the one built less than
 * page_cache_ms ago, or a new one. It is built under the cache's lock:
 * a storm of requests costs one walk of the table.
 */
static int serve(struct sip_msg *msg, const struct page_kind *kind)
{
	struct rg_page_cache *c = rg_page_caches[kind->id];
	const struct rg_page *p;
	size_t len = 0;
	char *page = NULL;
	int rc;

	if(c == NULL)
		return reply(msg, 500, "Server Error", "no memory\n", 10);
	p = rg_page_cache_get(c, rg_now_ms(), (uint64_t)rg_page_cache_ms);
	if(p == NULL) { /* locked: build it */
		if(build(kind, &page, &len) < 0)
			page = NULL;
		p = rg_page_cache_put(c, page, len, rg_now_ms());
		if(p == NULL)
			return reply(msg, 500, "Server Error", "no page\n", 8);
	}
	rc = reply_as(msg, 200, "OK", kind->ctype, p->body, p->len);
	rg_page_cache_release(c, p);
	return rc;
}

static int write_prom(const struct rg_snapshot *snaps, unsigned int n,
		const struct page_totals *t, struct rg_buf *b)
{
	struct rg_prom_totals pt;

	pt.table = t->table;
	pt.webhook_sent = t->wh.sent;
	pt.webhook_failed = t->wh.failed;
	pt.webhook_dropped = t->wh.dropped;
	pt.webhook_replaced = t->wh.replaced;
	pt.webhook_queued = t->wh.queued;
	pt.omitted = t->omitted;
	return rg_prom_write(snaps, n, &pt, b);
}

static void status_totals(
		const struct page_totals *t, struct rg_status_totals *st)
{
	st->table = t->table;
	st->webhook_sent = t->wh.sent;
	st->webhook_failed = t->wh.failed;
	st->webhook_dropped = t->wh.dropped;
	st->webhook_retries = t->wh.retries;
	st->webhook_queued = t->wh.queued;
	st->omitted = t->omitted;
	st->window_s = (unsigned int)rg_window_s;
	st->refresh_s = RG_STATUS_REFRESH_S;
	st->node = rg_node();
}

static int write_html(const struct rg_snapshot *snaps, unsigned int n,
		const struct page_totals *t, struct rg_buf *b)
{
	struct rg_status_totals st;

	status_totals(t, &st);
	return rg_status_html(snaps, n, &st, b);
}

static int write_json(const struct rg_snapshot *snaps, unsigned int n,
		const struct page_totals *t, struct rg_buf *b)
{
	struct rg_status_totals st;

	status_totals(t, &st);
	return rg_status_json(snaps, n, &st, b);
}

static const struct page_kind rg_page_metrics = {
		0, "metrics", page_base, page_per_dst, write_prom, &rg_ctype};
static const struct page_kind rg_page_html = {1, "status", rg_status_base,
		rg_status_per_dst, write_html, &rg_ctype_html};
static const struct page_kind rg_page_json = {2, "status", rg_status_base,
		rg_status_per_dst, write_json, &rg_ctype_json};

int ki_rg_prometheus(struct sip_msg *msg)
{
	if(!rg_xhttp_bound) {
		LM_ERR("rg_prometheus() needs the xhttp module: load xhttp.so\n");
		return -1;
	}
	return serve(msg, &rg_page_metrics);
}

int w_rg_prometheus(struct sip_msg *msg, char *p1, char *p2)
{
	return ki_rg_prometheus(msg);
}

/* does the request's query ask for format=json? */
static int wants_json(struct sip_msg *msg)
{
	const char *q, *end, *p;
	str u;

	if(msg->first_line.type != SIP_REQUEST)
		return 0;
	u = msg->first_line.u.request.uri;
	if(u.s == NULL || u.len <= 0)
		return 0;
	q = memchr(u.s, '?', (size_t)u.len);
	if(q == NULL)
		return 0;
	end = u.s + u.len;
	for(p = q + 1; p + 11 <= end; p++) {
		if((p == q + 1 || p[-1] == '&') && memcmp(p, "format=json", 11) == 0
				&& (p + 11 == end || p[11] == '&'))
			return 1;
	}
	return 0;
}

int ki_rg_status_page(struct sip_msg *msg)
{
	if(!rg_xhttp_bound) {
		LM_ERR("rg_status_page() needs the xhttp module: load xhttp.so\n");
		return -1;
	}
	return serve(msg, wants_json(msg) ? &rg_page_json : &rg_page_html);
}

int w_rg_status_page(struct sip_msg *msg, char *p1, char *p2)
{
	return ki_rg_status_page(msg);
}
