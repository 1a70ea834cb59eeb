/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <time.h>

#include "rg_notice.h"

static const char *const rg_notice_names[] = {
		"dst-down", "dst-up", "dst-throttled", "dst-unthrottled"};

const char *rg_notice_event(enum rg_notice_kind k)
{
	if((unsigned int)k >= sizeof(rg_notice_names) / sizeof(*rg_notice_names))
		return "unknown";
	return rg_notice_names[k];
}

static void set_name(char *dst, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if(n >= RG_STATE_NAME_MAX)
		n = RG_STATE_NAME_MAX - 1;
	if(n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static void fill(struct rg_notice *n, enum rg_notice_kind kind,
		const char *from, const char *to, const struct rg_change *chg,
		uint64_t time_ms)
{
	n->kind = kind;
	set_name(n->old_state, from);
	set_name(n->new_state, to);
	n->code = chg->code;
	n->retry_after = chg->retry_after;
	n->time_ms = time_ms;
	n->snap = chg->snap;
}

int rg_notice_from_change(
		const struct rg_change *chg, uint64_t time_ms, struct rg_notice out[2])
{
	int k = 0;

	if(chg->ev == RG_EV_DOWN || chg->ev == RG_EV_UP) {
		fill(&out[k++], chg->ev == RG_EV_DOWN ? RG_N_DOWN : RG_N_UP,
				chg->old_state, chg->snap.state, chg, time_ms);
	}
	if(chg->tev == RG_TEV_THROTTLED)
		fill(&out[k++], RG_N_THROTTLED, "unthrottled", "throttled", chg,
				time_ms);
	else if(chg->tev == RG_TEV_UNTHROTTLED)
		fill(&out[k++], RG_N_UNTHROTTLED, "throttled", "unthrottled", chg,
				time_ms);
	return k;
}

static void add_counters(
		struct rg_buf *b, const char *name, const uint64_t ctr[RG_C_COUNT])
{
	int c;

	rg_buf_printf(b, ",\"%s\":{", name);
	for(c = 0; c < RG_C_COUNT; c++)
		rg_buf_printf(b, "%s\"%s\":%llu", c ? "," : "",
				rg_counter_name((enum rg_counter)c),
				(unsigned long long)ctr[c]);
	rg_buf_puts(b, "}");
}

static void add_time(struct rg_buf *b, uint64_t time_ms)
{
	time_t secs = (time_t)(time_ms / 1000);
	struct tm tm;
	char iso[32];

	if(gmtime_r(&secs, &tm) == NULL
			|| strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		iso[0] = '\0';
	rg_buf_printf(b, ",\"time\":\"%s.%03uZ\",\"timestamp_ms\":%llu", iso,
			(unsigned int)(time_ms % 1000), (unsigned long long)time_ms);
}

static void add_throttle(struct rg_buf *b, const struct rg_snapshot *s)
{
	rg_buf_printf(b, ",\"throttle\":{\"throttled\":%s,\"cps_limit\":",
			s->throttled ? "true" : "false");
	rg_buf_milli(b, s->cps_limit_mcps);
	rg_buf_puts(b, ",\"cps_configured\":");
	rg_buf_milli(b, s->cps_configured);
	rg_buf_puts(b, ",\"cps_received\":");
	rg_buf_milli(b, s->cps_received);
	rg_buf_printf(b,
			",\"cps_burst\":%u,\"concurrent\":%u,\"max_concurrent\":%u,"
			"\"limit_source\":\"%s\"}",
			s->cps_burst, s->concurrent, s->max_concurrent,
			s->limit_src ? s->limit_src : "default");
}

int rg_notice_json(
		const struct rg_notice *n, const char *node, struct rg_buf *b)
{
	const struct rg_snapshot *s = &n->snap;

	rg_buf_printf(b, "{\"event\":\"%s\",\"dst\":\"", rg_notice_event(n->kind));
	rg_buf_json_str(b, s->key, (size_t)s->key_len);
	rg_buf_puts(b, "\"");
	/* the host's name for it: the first pair's */
	if(s->ext_npairs > 0) {
		const char *name = s->ext_names[s->ext_pairs[0].name];

		rg_buf_puts(b, ",\"name\":\"");
		rg_buf_json_str(b, name, strlen(name));
		rg_buf_puts(b, "\"");
	}
	rg_buf_printf(b, ",\"old_state\":\"%s\",\"new_state\":\"%s\"", n->old_state,
			n->new_state);
	rg_buf_printf(b, ",\"state\":\"%s\"", s->state ? s->state : "");
	rg_buf_printf(b, ",\"reason\":{\"code\":%d,\"retry_after\":", n->code);
	if(n->retry_after >= 0)
		rg_buf_printf(b, "%lld}", (long long)n->retry_after);
	else
		rg_buf_puts(b, "null}");
	rg_buf_printf(b,
			",\"blocked_for\":%u,\"pdd_avg_ms\":%llu,"
			"\"pdd_max_ms\":%llu",
			s->blocked_for, (unsigned long long)s->pdd_avg_ms,
			(unsigned long long)s->pdd_max_ms);
	add_throttle(b, s);
	add_counters(b, "counters", s->ctr);
	add_counters(b, "window", s->win);
	add_time(b, n->time_ms);
	rg_buf_puts(b, ",\"node\":\"");
	rg_buf_json_str(b, node, strlen(node));
	rg_buf_puts(b, "\"}");
	return b->full ? -1 : 0;
}
