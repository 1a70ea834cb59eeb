/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one place every module parameter is checked (rg_params.h): each
 * bad value gives one line that names the parameter, its range and what
 * it was. Nothing here allocates.
 */
#include <string.h>
#include <strings.h>

#include "core/dprint.h"

#include "rg_buf.h"
#include "rg_codes.h"
#include "rg_limits.h"
#include "rg_params.h"
#include "rg_peers.h"
#include "rg_reason.h"

#define RG_YEAR_S 31536000 /* 365 days, in seconds */

/* the throttle's parameters, into `t` */
static int throttle(const struct rg_params *p, struct rg_throttle_cfg *t)
{
	const int max = (int)RG_LIMIT_MAX;
	uint32_t f = 0;

	if(p->cps_limit < 0 || p->cps_limit > max || p->cps_burst < 1
			|| p->cps_burst > max || p->max_concurrent < 0
			|| p->max_concurrent > max) {
		LM_ERR("need cps_limit 0..%d, cps_burst 1..%d, max_concurrent 0..%d; "
			   "not %d, %d, %d\n",
				max, max, max, p->cps_limit, p->cps_burst, p->max_concurrent);
		return -1;
	}
	if(p->backoff_factor == NULL
			|| rg_limits_parse_rate(
					   p->backoff_factor, strlen(p->backoff_factor), &f)
					   < 0
			|| f == 0 || f >= 1000) {
		LM_ERR("backoff_factor must be a number between 0 and 1 (at most 3 "
			   "decimals), not [%s]\n",
				p->backoff_factor ? p->backoff_factor : "");
		return -1;
	}
	if(p->cps_min < 1 || p->cps_min > max || p->backoff_interval < 1
			|| p->backoff_interval > 3600 || p->recovery_step < 1
			|| p->recovery_step > max) {
		LM_ERR("need cps_min 1..%d, backoff_interval 1..3600 s, "
			   "recovery_step 1..%d; not %d, %d, %d\n",
				max, max, p->cps_min, p->backoff_interval, p->recovery_step);
		return -1;
	}
	if(p->adaptive != 0 && p->adaptive != 1) {
		LM_ERR("adaptive must be 0 or 1, not %d\n", p->adaptive);
		return -1;
	}
	if(p->ramp_start_pct < 1 || p->ramp_start_pct > 100 || p->ramp_seconds < 0
			|| p->ramp_seconds > 86400) {
		LM_ERR("need ramp_start_percent 1..100 and ramp_seconds 0..86400; "
			   "not %d, %d\n",
				p->ramp_start_pct, p->ramp_seconds);
		return -1;
	}
	t->dflt.mcps = (uint32_t)p->cps_limit * 1000;
	t->dflt.burst = (uint32_t)p->cps_burst;
	t->dflt.max_concurrent = (uint32_t)p->max_concurrent;
	t->adaptive = (uint32_t)p->adaptive;
	t->backoff_permille = f;
	t->min_mcps = (uint32_t)p->cps_min * 1000;
	t->interval_ms = (uint32_t)p->backoff_interval * 1000;
	t->step_mcps = (uint32_t)p->recovery_step * 1000;
	t->ramp_start_pm = (uint32_t)p->ramp_start_pct * 10;
	t->ramp_ms = (uint32_t)p->ramp_seconds * 1000;
	return 0;
}

/* the table's own: its size, window, health and figures */
static int table(const struct rg_params *p)
{
	if(p->max_destinations < 1 || p->max_destinations > (1 << 24)) {
		LM_ERR("max_destinations must be 1..16777216, not %d\n",
				p->max_destinations);
		return -1;
	}
	if(p->window_s < 1 || p->window_s > 86400) {
		LM_ERR("window must be 1..86400 seconds, not %d\n", p->window_s);
		return -1;
	}
	if(p->kpi_min_samples < 1) {
		LM_ERR("kpi_min_samples must be >= 1, not %d\n", p->kpi_min_samples);
		return -1;
	}
	if(p->short_call_s < 1 || p->short_call_s > 3600) {
		LM_ERR("short_call_seconds must be 1..3600, not %d\n", p->short_call_s);
		return -1;
	}
	if(p->min_asr < 0 || p->min_asr > 100 || p->max_isa < 0 || p->max_isa > 100
			|| p->near_limit_pct < 0 || p->near_limit_pct > 100
			|| p->max_srd_p95 < 0 || p->max_srd_p95 >= 30000) {
		LM_ERR("need min_asr, max_isa and near_limit_percent 0..100 (percent) "
			   "and max_srd_p95 0..29999 (ms: the delay histogram's last "
			   "bound is 30 s), 0 = off; not %d, %d, %d, %d\n",
				p->min_asr, p->max_isa, p->near_limit_pct, p->max_srd_p95);
		return -1;
	}
	if(p->idle_timeout < 0) {
		LM_ERR("idle_timeout must be >= 0 seconds, not %d\n", p->idle_timeout);
		return -1;
	}
	/* a block and a replicated fact are kept at most a year: past it the
	 * cluster's markers (RG_REPL_KEEP_MAX_MS) would not outlive a block */
	if(p->ra_min < 1 || p->ra_max < p->ra_min || p->ra_max > RG_YEAR_S) {
		LM_ERR("need 1 <= retry_after_min <= retry_after_max <= %d (a "
			   "year), not %d and %d\n",
				RG_YEAR_S, p->ra_min, p->ra_max);
		return -1;
	}
	if(p->up_threshold < 1 || p->up_threshold > 1000) {
		LM_ERR("up_threshold must be 1..1000, not %d\n", p->up_threshold);
		return -1;
	}
	if(p->failure_ratio < 0 || p->failure_ratio > 100
			|| p->failure_min_calls < 1 || p->failure_min_calls > 1000000) {
		LM_ERR("need failure_ratio 0..100 (percent) and failure_min_calls "
			   "1..1000000; not %d, %d\n",
				p->failure_ratio, p->failure_min_calls);
		return -1;
	}
	if(p->max_blocked_pct < 1 || p->max_blocked_pct > 100) {
		LM_ERR("max_blocked_percent must be 1..100 (100: no guard), not "
			   "%d\n",
				p->max_blocked_pct);
		return -1;
	}
	if(p->state_interval < 1 || p->state_interval > 86400) {
		LM_ERR("state_save_interval must be 1..86400 seconds, not %d\n",
				p->state_interval);
		return -1;
	}
	if(p->ds_seed != 0 && p->ds_seed != 1) {
		LM_ERR("ds_seed must be 0 or 1, not %d\n", p->ds_seed);
		return -1;
	}
	if(p->ra_jitter_pct < 0 || p->ra_jitter_pct > 100) {
		LM_ERR("retry_after_jitter must be 0..100 (percent), not %d\n",
				p->ra_jitter_pct);
		return -1;
	}
	if(p->down_threshold < 1 || p->down_time < 1 || p->probe_timeout < 1
			|| p->down_time > RG_YEAR_S) {
		LM_ERR("down_threshold, down_time and probe_timeout must be >= 1, "
			   "down_time at most a year (%d, %d, %d)\n",
				p->down_threshold, p->down_time, p->probe_timeout);
		return -1;
	}
	return 0;
}

/* the table's codes and 503 causes: parsed into `cfg` */
static int codes(const struct rg_params *p, struct rg_table_cfg *cfg)
{
	if(rg_codes_parse(p->failure_codes, &cfg->fail.codes) < 0) {
		LM_ERR("failure_codes: [%s] is not a list of final codes %d..%d\n",
				p->failure_codes ? p->failure_codes : "", RG_CODES_MIN,
				RG_CODES_MAX);
		return -1;
	}
	if(rg_cause_q850_parse(p->call_causes, &cfg->kpi.call_causes) < 0) {
		LM_ERR("call_specific_causes: [%s] is not a list of Q.850 causes "
			   "0..%d (numbers and ranges such as 1-31)\n",
				p->call_causes ? p->call_causes : "", RG_Q850_MAX);
		return -1;
	}
	if(rg_codes_parse(p->call_sip_causes, &cfg->kpi.call_causes.sip) < 0) {
		LM_ERR("call_specific_sip_causes: [%s] is not a list of final codes "
			   "%d..%d\n",
				p->call_sip_causes ? p->call_sip_causes : "", RG_CODES_MIN,
				RG_CODES_MAX);
		return -1;
	}
	return 0;
}

/* the cluster's numbers (its secrets are read by rg_cluster.c) */
static int cluster(const struct rg_params *p)
{
	if(!p->cluster_on)
		return 0;
	if(p->cluster_interval < 50 || p->cluster_interval > 60000) {
		LM_ERR("cluster_interval must be 50..60000 ms, not %d\n",
				p->cluster_interval);
		return -1;
	}
	if(p->cluster_share_floor < 0 || p->cluster_share_floor > 100) {
		LM_ERR("cluster_share_floor must be 0..100 (percent), not %d\n",
				p->cluster_share_floor);
		return -1;
	}
	if(p->cluster_nodes < 0 || p->cluster_nodes > RG_PEERS_MAX + 1) {
		LM_ERR("cluster_nodes must be 0 (learned) or 1..%d, not %d\n",
				RG_PEERS_MAX + 1, p->cluster_nodes);
		return -1;
	}
	if(p->cluster_max_skew < 1 || p->cluster_max_skew > 3600) {
		LM_ERR("cluster_max_skew must be 1..3600 (seconds), not %d\n",
				p->cluster_max_skew);
		return -1;
	}
	if(p->cluster_secret == NULL || *p->cluster_secret == '\0') {
		LM_ERR("cluster 1 needs cluster_secret: the same secret on every "
			   "node, which signs and checks every cluster message (make "
			   "one with: openssl rand -hex 32)\n");
		return -1;
	}
	return 0;
}

/* the webhook's, the pages', the RPC's, the database's, the branches' */
static int reporting(const struct rg_params *p)
{
	if(p->webhook_url == NULL || *p->webhook_url == '\0') {
		/* no webhook: its other settings are not read */
	} else if(strncasecmp(p->webhook_url, "http://", 7) != 0
			  && strncasecmp(p->webhook_url, "https://", 8) != 0) {
		LM_ERR("webhook_url must be an http:// or https:// URL\n");
		return -1;
	} else if(p->webhook_timeout_ms < 1 || p->webhook_timeout_ms > 600000
			|| p->webhook_queue < 1 || p->webhook_queue > 1000000
			|| p->webhook_retries < 0 || p->webhook_retries > 20) {
		LM_ERR("need webhook_timeout_ms 1..600000, webhook_queue 1..1000000, "
			   "webhook_retries 0..20; not %d, %d, %d\n",
				p->webhook_timeout_ms, p->webhook_queue, p->webhook_retries);
		return -1;
	}
	if(p->prom_max_dst < 0) {
		LM_ERR("prometheus_max_destinations must be >= 0, not %d\n",
				p->prom_max_dst);
		return -1;
	}
	if(p->page_cache_ms < 0 || p->page_cache_ms > 60000) {
		LM_ERR("page_cache_ms must be 0..60000, not %d\n", p->page_cache_ms);
		return -1;
	}
	if(p->rpc_list_max < 1 || p->rpc_list_max > 1000000) {
		LM_ERR("rpc_list_max must be 1..1000000, not %d\n", p->rpc_list_max);
		return -1;
	}
	if(p->db_url != NULL && *p->db_url != '\0'
			&& (p->db_table == NULL
					|| !rg_limits_table_ok(p->db_table, strlen(p->db_table)))) {
		LM_ERR("db_table [%s] is not a table name: letters, digits and _, "
			   "not starting with a digit, at most 63, optionally "
			   "schema.table\n",
				p->db_table ? rg_log_safe(p->db_table, (int)strlen(p->db_table))
							: "");
		return -1;
	}
	if(p->db_timeout_ms < 1 || p->db_timeout_ms > 600000) {
		LM_ERR("db_timeout_ms must be 1..600000, not %d\n", p->db_timeout_ms);
		return -1;
	}
	if(p->reply_callbacks != 0 && p->reply_callbacks != 1) {
		LM_ERR("reply_callbacks must be 0 or 1, not %d\n", p->reply_callbacks);
		return -1;
	}
	if(p->txn_slots < 0 || p->txn_slots > 1048576) {
		LM_ERR("txn_slots must be 0..1048576, not %d\n", p->txn_slots);
		return -1;
	}
	return 0;
}

int rg_params_check(const struct rg_params *p, struct rg_table_cfg *cfg,
		struct rg_codes *failover)
{
	memset(cfg, 0, sizeof(*cfg));
	if(table(p) < 0 || throttle(p, &cfg->throttle) < 0 || codes(p, cfg) < 0
			|| cluster(p) < 0 || reporting(p) < 0)
		return -1;
	if(rg_codes_parse(p->failover_codes, failover) < 0) {
		LM_ERR("failover_codes: [%s] is not a list of final codes %d..%d\n",
				p->failover_codes ? p->failover_codes : "", RG_CODES_MIN,
				RG_CODES_MAX);
		return -1;
	}

	cfg->capacity = (unsigned int)p->max_destinations;
	cfg->window_s = (unsigned int)p->window_s;
	cfg->idle_s = (unsigned int)p->idle_timeout;
	cfg->health.ra_min = (uint32_t)p->ra_min;
	cfg->health.ra_max = (uint32_t)p->ra_max;
	cfg->health.down_threshold = (uint32_t)p->down_threshold;
	cfg->health.down_time = (uint32_t)p->down_time;
	cfg->health.probe_timeout = (uint32_t)p->probe_timeout;
	cfg->health.up_threshold = (uint32_t)p->up_threshold;
	cfg->kpi.min_samples = (uint32_t)p->kpi_min_samples;
	cfg->kpi.min_asr_pm = (uint32_t)p->min_asr * 10;
	cfg->kpi.max_isa_pm = (uint32_t)p->max_isa * 10;
	cfg->kpi.max_srd_p95_ms = (uint32_t)p->max_srd_p95;
	cfg->kpi.near_pm = (uint32_t)p->near_limit_pct * 10;
	cfg->kpi.short_ms = (uint32_t)p->short_call_s * 1000;
	cfg->fail.ratio_pct = (uint32_t)p->failure_ratio;
	cfg->fail.min_calls = (uint32_t)p->failure_min_calls;
	cfg->max_blocked_pct = (unsigned int)p->max_blocked_pct;
	/* cluster: a replicated fact is compared for an hour after it was
   * written, or for as long as a block may run */
	cfg->retain_ms = (uint64_t)(p->ra_max > 3600 ? p->ra_max : 3600) * 1000;
	return 0;
}
