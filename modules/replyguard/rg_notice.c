/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <time.h>

#include "rg_notice.h"
#include "rg_queue.h"

static const char *const rg_notice_names[] = {"dst-down", "dst-up",
		"dst-throttled", "dst-unthrottled", "dst-degraded", "dst-recovered",
		"dst-near-limit", "dst-near-limit-end"};

const char *rg_notice_event(enum rg_notice_kind k)
{
	if((unsigned int)k >= sizeof(rg_notice_names) / sizeof(*rg_notice_names))
		return "unknown";
	return rg_notice_names[k];
}

/* the kinds come in pairs, one state each: its two ends */
_Static_assert(RG_N_UP == RG_N_DOWN + 1 && RG_N_UNTHROTTLED == RG_N_THROTTLED + 1
					   && RG_N_RECOVERED == RG_N_DEGRADED + 1
					   && RG_N_NEAR_LIMIT_END == RG_N_NEAR_LIMIT + 1
					   && RG_N_THROTTLED == 2 && RG_N_DEGRADED == 4
					   && RG_N_NEAR_LIMIT == 6,
		"a notice's state is its kind / 2");

int rg_notice_same(const void *queued, const void *item)
{
	const struct rg_notice *x = queued, *y = item;

	if(x->kind / 2 != y->kind / 2 || x->snap.key_len != y->snap.key_len
			|| memcmp(x->snap.key, y->snap.key, (size_t)x->snap.key_len) != 0)
		return 0;
	/* a change pushed after a later one of its destination (its worker
	 * was preempted between the lock and the push) is not the state now */
	return x->seq != 0 && y->seq != 0 && (int32_t)(y->seq - x->seq) < 0
				   ? RG_QUEUE_STALE
				   : 1;
}

static void fill(struct rg_notice *n, enum rg_notice_kind kind,
		const struct rg_change *chg, uint64_t time_ms)
{
	n->kind = kind;
	n->old_state = chg->old_state;
	n->code = chg->code;
	n->retry_after = chg->retry_after;
	n->time_ms = time_ms;
	memcpy(n->origin, chg->origin, sizeof(n->origin)); /* "": this node */
	n->seq = chg->seq;
	n->snap = chg->snap;
}

int rg_notice_from_change(const struct rg_change *chg, uint64_t time_ms,
		struct rg_notice out[RG_NOTICES_MAX])
{
	int k = 0;

	if(chg->ev == RG_EV_DOWN || chg->ev == RG_EV_UP)
		fill(&out[k++], chg->ev == RG_EV_DOWN ? RG_N_DOWN : RG_N_UP, chg,
				time_ms);
	if(chg->tev == RG_TEV_THROTTLED)
		fill(&out[k++], RG_N_THROTTLED, chg, time_ms);
	else if(chg->tev == RG_TEV_UNTHROTTLED)
		fill(&out[k++], RG_N_UNTHROTTLED, chg, time_ms);
	if(chg->qev & RG_QEV_DEGRADED)
		fill(&out[k++], RG_N_DEGRADED, chg, time_ms);
	else if(chg->qev & RG_QEV_RECOVERED)
		fill(&out[k++], RG_N_RECOVERED, chg, time_ms);
	if(chg->qev & RG_QEV_NEAR)
		fill(&out[k++], RG_N_NEAR_LIMIT, chg, time_ms);
	else if(chg->qev & RG_QEV_NEAR_END)
		fill(&out[k++], RG_N_NEAR_LIMIT_END, chg, time_ms);
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

/* the snapshot fields of `group`, each as `"name":value`, comma first
 * unless `first` */
static void add_fields(struct rg_buf *b, const struct rg_snapshot *s,
		enum rg_fgroup group, int first)
{
	struct rg_fval v[2];
	int f, i, n;

	for(f = 0; f < RG_F_COUNT; f++) {
		if(rg_field_group((enum rg_field)f) != group)
			continue;
		n = rg_field_show((enum rg_field)f, s->f[f], RG_OUT_JSON, v);
		for(i = 0; i < n; i++) {
			rg_buf_printf(b, "%s\"%s\":", first ? "" : ",", v[i].name);
			first = 0;
			rg_buf_fval_json(b, &v[i]);
		}
	}
}

/* the states a notice moves between */
static void transition(const struct rg_notice *n, const char **from,
		const char **to)
{
	*from = *to = "";
	switch(n->kind) {
		case RG_N_THROTTLED:
			*from = "unthrottled";
			*to = "throttled";
			break;
		case RG_N_UNTHROTTLED:
			*from = "throttled";
			*to = "unthrottled";
			break;
		case RG_N_DEGRADED:
			*from = "fine";
			*to = "degraded";
			break;
		case RG_N_RECOVERED:
			*from = "degraded";
			*to = "fine";
			break;
		case RG_N_NEAR_LIMIT:
			*from = "below";
			*to = "near_limit";
			break;
		case RG_N_NEAR_LIMIT_END:
			*from = "near_limit";
			*to = "below";
			break;
		case RG_N_DOWN:
		case RG_N_UP:
			*from = rg_state_name((enum rg_state)n->old_state);
			*to = rg_state_name((enum rg_state)n->snap.f[RG_F_STATE]);
			break;
	}
}

int rg_notice_json(
		const struct rg_notice *n, const char *node, struct rg_buf *b)
{
	const struct rg_snapshot *s = &n->snap;
	const char *from, *to;

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
	transition(n, &from, &to);
	rg_buf_printf(b, ",\"old_state\":\"%s\",\"new_state\":\"%s\"", from, to);
	rg_buf_printf(b, ",\"reason\":{\"code\":%d,\"retry_after\":", n->code);
	if(n->retry_after >= 0)
		rg_buf_printf(b, "%lld}", (long long)n->retry_after);
	else
		rg_buf_puts(b, "null}");
	add_fields(b, s, RG_FG_HEALTH, 0);
	rg_buf_puts(b, ",\"throttle\":{");
	add_fields(b, s, RG_FG_THROTTLE, 1);
	rg_buf_puts(b, "}");
	add_counters(b, "counters", s->ctr);
	add_counters(b, "window", s->win);
	add_time(b, n->time_ms);
	rg_buf_printf(b, ",\"seq\":%u", (unsigned int)n->seq);
	rg_buf_puts(b, ",\"node\":\"");
	rg_buf_json_str(b, node, strlen(node));
	rg_buf_puts(b, "\",\"origin\":\"");
	if(n->origin[0] != '\0')
		node = n->origin;
	rg_buf_json_str(b, node, strnlen(node, sizeof(n->origin)));
	rg_buf_puts(b, "\"}");
	return b->full ? -1 : 0;
}
