/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replyguard: per-destination 183/503 statistics for Kamailio.
 *
 * This file holds the exports and the module's life cycle only; each
 * concern lives in the file named after it (rg_script.c, rg_pv.c,
 * rg_rpc.c, rg_table.c, ...).
 */
#include <string.h>

#include "core/dprint.h"
#include "core/kemi.h"
#include "core/mod_fix.h"
#include "core/sr_module.h"
#include "core/timer.h"

#include "rg_branch.h"
#include "rg_cluster.h"
#include "rg_codes.h"
#include "rg_reason.h"
#include "rg_dialog.h"
#include "rg_dispatcher.h"
#include "rg_dst.h"
#include "rg_events.h"
#include "rg_failover.h"
#include "rg_reply.h"
#include "rg_later.h"
#include "rg_reply_in.h"
#include "rg_host.h"
#include "rg_limit_admin.h"
#include "rg_limits_db.h"
#include "rg_limits_loader.h"
#include "rg_limits.h"
#include "rg_pv.h"
#include "rg_rpc.h"
#include "rg_script.h"
#include "rg_stats.h"
#include "rg_state_file.h"
#include "rg_update.h"
#include "rg_webhook.h"
#include "rg_xhttp.h"

MODULE_VERSION

/* how often idle entries are looked for, in seconds */
#define RG_EXPIRE_INTERVAL 10

static int rg_max_destinations = 4096;
static int rg_idle_timeout = 3600;
static int rg_ra_min = 1;
static int rg_ra_max = 300;
static int rg_down_threshold = 3;
static int rg_down_time = 30;
static int rg_probe_timeout = 60;
static int rg_up_threshold = 1;
static char *rg_failure_codes = "500,502,504";
static int rg_failure_ratio = 0;
static int rg_failure_min_calls = 20;
/* carrier figures, and the 503 causes that say the call failed */
static int rg_kpi_min_samples = 20;
static char *rg_call_causes = "1-26,28-30,50-57,63-95";
static char *rg_call_sip_causes = "404,410,480,484,486,600,603,604";
static int rg_short_call_s = 6; /* shorter answered calls: short_calls */
/* quality thresholds (0: off) */
static int rg_min_asr = 0;
static int rg_max_isa = 0;
static int rg_max_srd_p95 = 0;
static int rg_near_limit_pct = 0;
static int rg_max_blocked_pct = 100;
static int rg_dispatcher_sync = 1;
static int rg_ds_seed_on = 1;
static char *rg_failover_codes = "503,408";
/* inspect replies from tm callbacks, with no onreply_route */
static int rg_reply_callbacks = 0;
/* transactions whose branch records are preallocated */
static int rg_txn_slots = 4096;
static str rg_ds_xavp_dst = str_init("_dsdst_");
static str rg_event_callback = STR_NULL;
/* throttling */
static int rg_cps_limit = 0;
static int rg_cps_burst = 1;
static int rg_max_concurrent = 0;
static int rg_adaptive = 1;
static char *rg_backoff_factor = "0.5";
static int rg_cps_min = 1;
static int rg_backoff_interval = 2;
static int rg_recovery_step = 1;
/* back up from a block: start at this share of the rate, whole after */
static int rg_ramp_start_pct = 10;
static int rg_ramp_seconds = 0;

/* the throttle's defaults and adaptive settings, from the modparams */
static struct rg_throttle_cfg rg_tcfg;

static int mod_init(void);
static int child_init(int rank);
static void mod_destroy(void);

static void rg_expire_timer(unsigned int ticks, void *param)
{
	unsigned int n = rg_op_expire(rg_tbl, rg_now_ms());

	if(n > 0)
		LM_DBG("freed %u idle destinations\n", n);
}

/* how often dispatcher is told again what replyguard has, in seconds */
#define RG_DS_REASSERT_INTERVAL 5
/* changes that may wait for no transaction to be current (rg_later.h) */
#define RG_LATER_SIZE 256

/*
 * every second: blocks that ended become probing (and active again), and
 * throttled destinations step their rate back up; now and then dispatcher
 * is set again to what replyguard has
 */
static void rg_health_timer(unsigned int ticks, void *param)
{
	static unsigned int runs;

	rg_later_run(); /* what a transaction kept waiting, at the latest */
	rg_update_tick_all();
	if(++runs % RG_DS_REASSERT_INTERVAL == 0)
		rg_ds_reassert();
}

/* clang-format off */
static cmd_export_t cmds[] = {
	{"rg_allow", (cmd_function)w_rg_allow, 0, 0, 0,
		REQUEST_ROUTE | FAILURE_ROUTE | BRANCH_ROUTE},
	{"rg_allow", (cmd_function)w_rg_allow, 1, fixup_spve_null,
		fixup_free_spve_null, REQUEST_ROUTE | FAILURE_ROUTE | BRANCH_ROUTE},
	{"rg_inspect", (cmd_function)w_rg_inspect, 0, 0, 0, ONREPLY_ROUTE},
	{"rg_failover", (cmd_function)w_rg_failover, 0, 0, 0, FAILURE_ROUTE},
	{"rg_ds_retry_after", (cmd_function)w_rg_ds_retry_after, 1,
		fixup_spve_null, fixup_free_spve_null, ANY_ROUTE},
	{"rg_block", (cmd_function)w_rg_block, 2, fixup_spve_igp,
		fixup_free_spve_igp, ANY_ROUTE},
	{"rg_unblock", (cmd_function)w_rg_unblock, 1, fixup_spve_null,
		fixup_free_spve_null, ANY_ROUTE},
	{"rg_set_limit", (cmd_function)w_rg_set_limit, 2, fixup_rg_set_limit,
		fixup_free_rg_set_limit, ANY_ROUTE},
	{"rg_set_limit", (cmd_function)w_rg_set_limit, 3, fixup_rg_set_limit,
		fixup_free_rg_set_limit, ANY_ROUTE},
	{"rg_set_limit", (cmd_function)w_rg_set_limit, 4, fixup_rg_set_limit,
		fixup_free_rg_set_limit, ANY_ROUTE},
	{"rg_prometheus", (cmd_function)w_rg_prometheus, 0, 0, 0, ANY_ROUTE},
	{"rg_status_page", (cmd_function)w_rg_status_page, 0, 0, 0, ANY_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"max_destinations", PARAM_INT, &rg_max_destinations},
	{"window", PARAM_INT, &rg_window_s},
	{"idle_timeout", PARAM_INT, &rg_idle_timeout},
	{"retry_after_min", PARAM_INT, &rg_ra_min},
	{"retry_after_max", PARAM_INT, &rg_ra_max},
	{"down_threshold", PARAM_INT, &rg_down_threshold},
	{"down_time", PARAM_INT, &rg_down_time},
	{"probe_timeout", PARAM_INT, &rg_probe_timeout},
	{"up_threshold", PARAM_INT, &rg_up_threshold},
	{"failure_codes", PARAM_STRING, &rg_failure_codes},
	{"failure_ratio", PARAM_INT, &rg_failure_ratio},
	{"failure_min_calls", PARAM_INT, &rg_failure_min_calls},
	{"kpi_min_samples", PARAM_INT, &rg_kpi_min_samples},
	{"call_specific_causes", PARAM_STRING, &rg_call_causes},
	{"call_specific_sip_causes", PARAM_STRING, &rg_call_sip_causes},
	{"short_call_seconds", PARAM_INT, &rg_short_call_s},
	{"min_asr", PARAM_INT, &rg_min_asr},
	{"max_isa", PARAM_INT, &rg_max_isa},
	{"max_srd_p95", PARAM_INT, &rg_max_srd_p95},
	{"near_limit_percent", PARAM_INT, &rg_near_limit_pct},
	{"max_blocked_percent", PARAM_INT, &rg_max_blocked_pct},
	{"cluster", PARAM_INT, &rg_cluster_on},
	{"cluster_interval", PARAM_INT, &rg_cluster_interval},
	{"cluster_share_floor", PARAM_INT, &rg_cluster_share_floor},
	{"cluster_max_skew", PARAM_INT, &rg_cluster_max_skew},
	{"cluster_nodes", PARAM_INT, &rg_cluster_nodes},
	{"cluster_secret", PARAM_STRING, &rg_cluster_secret},
	{"cluster_secret_old", PARAM_STRING, &rg_cluster_secret_old},
	{"state_file", PARAM_STRING, &rg_state_path},
	{"state_save_interval", PARAM_INT, &rg_state_interval},
	{"retry_after_jitter", PARAM_INT, &rg_ra_jitter_pct},
	{"dispatcher_sync", PARAM_INT, &rg_dispatcher_sync},
	{"ds_seed", PARAM_INT, &rg_ds_seed_on},
	{"failover_codes", PARAM_STRING, &rg_failover_codes},
	{"ds_xavp_dst", PARAM_STR, &rg_ds_xavp_dst},
	{"event_callback", PARAM_STR, &rg_event_callback},
	{"cps_limit", PARAM_INT, &rg_cps_limit},
	{"cps_burst", PARAM_INT, &rg_cps_burst},
	{"max_concurrent", PARAM_INT, &rg_max_concurrent},
	{"adaptive", PARAM_INT, &rg_adaptive},
	{"backoff_factor", PARAM_STRING, &rg_backoff_factor},
	{"cps_min", PARAM_INT, &rg_cps_min},
	{"backoff_interval", PARAM_INT, &rg_backoff_interval},
	{"recovery_step", PARAM_INT, &rg_recovery_step},
	{"ramp_start_percent", PARAM_INT, &rg_ramp_start_pct},
	{"ramp_seconds", PARAM_INT, &rg_ramp_seconds},
	{"limits_file", PARAM_STRING, &rg_limits_file},
	{"db_url", PARAM_STRING, &rg_db_url},
	{"db_table", PARAM_STRING, &rg_db_table},
	{"db_timeout_ms", PARAM_INT, &rg_db_timeout_ms},
	{"webhook_url", PARAM_STRING, &rg_webhook_url},
	{"webhook_timeout_ms", PARAM_INT, &rg_webhook_timeout_ms},
	{"webhook_queue", PARAM_INT, &rg_webhook_queue},
	{"webhook_secret", PARAM_STRING, &rg_webhook_secret},
	{"webhook_retries", PARAM_INT, &rg_webhook_retries},
	{"node_name", PARAM_STRING, &rg_node_name},
	{"prometheus_max_destinations", PARAM_INT, &rg_prom_max_dst},
	{"page_cache_ms", PARAM_INT, &rg_page_cache_ms},
	{"rpc_list_max", PARAM_INT, &rg_rpc_list_max},
	{"reply_callbacks", PARAM_INT, &rg_reply_callbacks},
	{"txn_slots", PARAM_INT, &rg_txn_slots},
	{0, 0, 0}
};

static pv_export_t mod_pvs[] = {
	{{"rg", sizeof("rg") - 1}, PVT_OTHER, rg_pv_get, 0,
		rg_pv_parse_name, 0, 0, 0},
	{{0, 0}, 0, 0, 0, 0, 0, 0, 0}
};

struct module_exports exports = {
	"replyguard",
	DEFAULT_DLFLAGS,
	cmds,
	params,
	0,          /* RPC: registered in mod_init */
	mod_pvs,
	0,          /* response handling */
	mod_init,
	child_init,
	mod_destroy
};

static sr_kemi_t sr_kemi_replyguard_exports[] = {
	{ str_init("replyguard"), str_init("rg_allow"),
		SR_KEMIP_INT, ki_rg_allow,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_allow_dst"),
		SR_KEMIP_INT, ki_rg_allow_dst,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_inspect"),
		SR_KEMIP_INT, ki_rg_inspect,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_failover"),
		SR_KEMIP_INT, ki_rg_failover,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_ds_retry_after"),
		SR_KEMIP_INT, ki_rg_ds_retry_after,
		{ SR_KEMIP_INT, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_block"),
		SR_KEMIP_INT, ki_rg_block,
		{ SR_KEMIP_STR, SR_KEMIP_INT, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_unblock"),
		SR_KEMIP_INT, ki_rg_unblock,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_set_limit"),
		SR_KEMIP_INT, ki_rg_set_limit,
		{ SR_KEMIP_STR, SR_KEMIP_INT, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_set_limit_burst"),
		SR_KEMIP_INT, ki_rg_set_limit_burst,
		{ SR_KEMIP_STR, SR_KEMIP_INT, SR_KEMIP_INT,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_set_limit_all"),
		SR_KEMIP_INT, ki_rg_set_limit_all,
		{ SR_KEMIP_STR, SR_KEMIP_INT, SR_KEMIP_INT,
			SR_KEMIP_INT, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_prometheus"),
		SR_KEMIP_INT, ki_rg_prometheus,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("replyguard"), str_init("rg_status_page"),
		SR_KEMIP_INT, ki_rg_status_page,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	sr_kemi_modules_add(sr_kemi_replyguard_exports);
	return 0;
}

/* the throttle's modparams, into rg_tcfg */
static int check_throttle_params(void)
{
	const int max = (int)RG_LIMIT_MAX;
	uint32_t f = 0;

	if(rg_cps_limit < 0 || rg_cps_limit > max || rg_cps_burst < 1
			|| rg_cps_burst > max || rg_max_concurrent < 0
			|| rg_max_concurrent > max) {
		LM_ERR("need cps_limit 0..%d, cps_burst 1..%d, max_concurrent 0..%d; "
			   "not %d, %d, %d\n",
				max, max, max, rg_cps_limit, rg_cps_burst, rg_max_concurrent);
		return -1;
	}
	if(rg_backoff_factor == NULL
			|| rg_limits_parse_rate(rg_backoff_factor,
					   strlen(rg_backoff_factor), &f)
					   < 0
			|| f == 0 || f >= 1000) {
		LM_ERR("backoff_factor must be a number between 0 and 1 (at most 3 "
			   "decimals), not [%s]\n",
				rg_backoff_factor ? rg_backoff_factor : "");
		return -1;
	}
	if(rg_cps_min < 1 || rg_cps_min > max || rg_backoff_interval < 1
			|| rg_backoff_interval > 3600 || rg_recovery_step < 1
			|| rg_recovery_step > max) {
		LM_ERR("need cps_min 1..%d, backoff_interval 1..3600 s, "
			   "recovery_step 1..%d; not %d, %d, %d\n",
				max, max, rg_cps_min, rg_backoff_interval, rg_recovery_step);
		return -1;
	}
	if(rg_adaptive != 0 && rg_adaptive != 1) {
		LM_ERR("adaptive must be 0 or 1, not %d\n", rg_adaptive);
		return -1;
	}
	if(rg_ramp_start_pct < 1 || rg_ramp_start_pct > 100 || rg_ramp_seconds < 0
			|| rg_ramp_seconds > 86400) {
		LM_ERR("need ramp_start_percent 1..100 and ramp_seconds 0..86400; "
			   "not %d, %d\n",
				rg_ramp_start_pct, rg_ramp_seconds);
		return -1;
	}
	rg_tcfg.dflt.mcps = (uint32_t)rg_cps_limit * 1000;
	rg_tcfg.dflt.burst = (uint32_t)rg_cps_burst;
	rg_tcfg.dflt.max_concurrent = (uint32_t)rg_max_concurrent;
	rg_tcfg.adaptive = (uint32_t)rg_adaptive;
	rg_tcfg.backoff_permille = f;
	rg_tcfg.min_mcps = (uint32_t)rg_cps_min * 1000;
	rg_tcfg.interval_ms = (uint32_t)rg_backoff_interval * 1000;
	rg_tcfg.step_mcps = (uint32_t)rg_recovery_step * 1000;
	rg_tcfg.ramp_start_pm = (uint32_t)rg_ramp_start_pct * 10;
	rg_tcfg.ramp_ms = (uint32_t)rg_ramp_seconds * 1000;
	return 0;
}

static int check_params(void)
{
	if(rg_max_destinations < 1 || rg_max_destinations > (1 << 24)) {
		LM_ERR("max_destinations must be 1..16777216, not %d\n",
				rg_max_destinations);
		return -1;
	}
	if(rg_window_s < 1 || rg_window_s > 86400) {
		LM_ERR("window must be 1..86400 seconds, not %d\n", rg_window_s);
		return -1;
	}
	if(rg_kpi_min_samples < 1) {
		LM_ERR("kpi_min_samples must be >= 1, not %d\n", rg_kpi_min_samples);
		return -1;
	}
	if(rg_short_call_s < 1 || rg_short_call_s > 3600) {
		LM_ERR("short_call_seconds must be 1..3600, not %d\n",
				rg_short_call_s);
		return -1;
	}
	if(rg_min_asr < 0 || rg_min_asr > 100 || rg_max_isa < 0 || rg_max_isa > 100
			|| rg_near_limit_pct < 0 || rg_near_limit_pct > 100
			|| rg_max_srd_p95 < 0 || rg_max_srd_p95 >= 30000) {
		LM_ERR("need min_asr, max_isa and near_limit_percent 0..100 (percent) "
			   "and max_srd_p95 0..29999 (ms: the delay histogram's last "
			   "bound is 30 s), 0 = off; not %d, %d, %d, %d\n",
				rg_min_asr, rg_max_isa, rg_near_limit_pct, rg_max_srd_p95);
		return -1;
	}
	if(rg_idle_timeout < 0) {
		LM_ERR("idle_timeout must be >= 0 seconds, not %d\n",
				rg_idle_timeout);
		return -1;
	}
	if(rg_ra_min < 1 || rg_ra_max < rg_ra_min) {
		LM_ERR("need 1 <= retry_after_min <= retry_after_max, not %d and "
			   "%d\n",
				rg_ra_min, rg_ra_max);
		return -1;
	}
	if(rg_up_threshold < 1 || rg_up_threshold > 1000) {
		LM_ERR("up_threshold must be 1..1000, not %d\n", rg_up_threshold);
		return -1;
	}
	if(rg_failure_ratio < 0 || rg_failure_ratio > 100
			|| rg_failure_min_calls < 1 || rg_failure_min_calls > 1000000) {
		LM_ERR("need failure_ratio 0..100 (percent) and failure_min_calls "
			   "1..1000000; not %d, %d\n",
				rg_failure_ratio, rg_failure_min_calls);
		return -1;
	}
	if(rg_max_blocked_pct < 1 || rg_max_blocked_pct > 100) {
		LM_ERR("max_blocked_percent must be 1..100 (100: no guard), not "
			   "%d\n",
				rg_max_blocked_pct);
		return -1;
	}
	if(rg_state_interval < 1 || rg_state_interval > 86400) {
		LM_ERR("state_save_interval must be 1..86400 seconds, not %d\n",
				rg_state_interval);
		return -1;
	}
	if(rg_ds_seed_on != 0 && rg_ds_seed_on != 1) {
		LM_ERR("ds_seed must be 0 or 1, not %d\n", rg_ds_seed_on);
		return -1;
	}
	if(rg_ra_jitter_pct < 0 || rg_ra_jitter_pct > 100) {
		LM_ERR("retry_after_jitter must be 0..100 (percent), not %d\n",
				rg_ra_jitter_pct);
		return -1;
	}
	if(rg_down_threshold < 1 || rg_down_time < 1 || rg_probe_timeout < 1) {
		LM_ERR("down_threshold, down_time and probe_timeout must be >= 1 "
			   "(%d, %d, %d)\n",
				rg_down_threshold, rg_down_time, rg_probe_timeout);
		return -1;
	}
	return check_throttle_params();
}

/*
 * Modules are initialised in load order, and the script callbacks they
 * register run newest first. replyguard's end-of-script check must run
 * before tm's, which drops the transaction: tm must be loaded first.
 */
static int check_tm_first(void)
{
	struct sr_module *m;

	/* the list starts with the module loaded last */
	for(m = get_loaded_modules(); m != NULL; m = m->next) {
		if(strcmp(m->exports.name, "replyguard") == 0)
			return 0;
		if(strcmp(m->exports.name, "tm") == 0) {
			LM_ERR("tm is loaded after replyguard: load tm.so first, or "
				   "replyguard cannot tell which calls were relayed\n");
			return -1;
		}
	}
	return 0;
}

static int mod_init(void)
{
	struct rg_table_cfg cfg;

	if(check_params() < 0 || check_tm_first() < 0)
		goto err;
	if(load_tm_api(&rg_tmb) < 0) {
		LM_ERR("the tm module is required: load tm before replyguard\n");
		goto err;
	}
	cfg.capacity = (unsigned int)rg_max_destinations;
	cfg.window_s = (unsigned int)rg_window_s;
	cfg.idle_s = (unsigned int)rg_idle_timeout;
	cfg.health.ra_min = (uint32_t)rg_ra_min;
	cfg.health.ra_max = (uint32_t)rg_ra_max;
	cfg.health.down_threshold = (uint32_t)rg_down_threshold;
	cfg.health.down_time = (uint32_t)rg_down_time;
	cfg.health.probe_timeout = (uint32_t)rg_probe_timeout;
	cfg.health.up_threshold = (uint32_t)rg_up_threshold;
	cfg.throttle = rg_tcfg;
	if(rg_codes_parse(rg_failure_codes, &cfg.fail.codes) < 0) {
		LM_ERR("failure_codes: [%s] is not a list of final codes %d..%d\n",
				rg_failure_codes ? rg_failure_codes : "", RG_CODES_MIN,
				RG_CODES_MAX);
		goto err;
	}
	if(rg_cause_q850_parse(rg_call_causes, &cfg.kpi.call_causes) < 0) {
		LM_ERR("call_specific_causes: [%s] is not a list of Q.850 causes "
			   "0..%d (numbers and ranges such as 1-31)\n",
				rg_call_causes ? rg_call_causes : "", RG_Q850_MAX);
		goto err;
	}
	if(rg_codes_parse(rg_call_sip_causes, &cfg.kpi.call_causes.sip) < 0) {
		LM_ERR("call_specific_sip_causes: [%s] is not a list of final codes "
			   "%d..%d\n",
				rg_call_sip_causes ? rg_call_sip_causes : "", RG_CODES_MIN,
				RG_CODES_MAX);
		goto err;
	}
	cfg.kpi.min_samples = (uint32_t)rg_kpi_min_samples;
	cfg.kpi.min_asr_pm = (uint32_t)rg_min_asr * 10;
	cfg.kpi.max_isa_pm = (uint32_t)rg_max_isa * 10;
	cfg.kpi.max_srd_p95_ms = (uint32_t)rg_max_srd_p95;
	cfg.kpi.near_pm = (uint32_t)rg_near_limit_pct * 10;
	cfg.kpi.short_ms = (uint32_t)rg_short_call_s * 1000;
	cfg.fail.ratio_pct = (uint32_t)rg_failure_ratio;
	cfg.fail.min_calls = (uint32_t)rg_failure_min_calls;
	cfg.max_blocked_pct = (unsigned int)rg_max_blocked_pct;
	/* cluster: a replicated fact is compared for an hour after it was
	 * written, or for as long as a block may run */
	cfg.retain_ms = (uint64_t)(rg_ra_max > 3600 ? rg_ra_max : 3600) * 1000;
	cfg.hlc = rg_cluster_prepare(cfg.retain_ms);
	if(rg_cluster_on && cfg.hlc == NULL)
		goto err;
	if(rg_max_blocked_pct < 100
			&& (!module_loaded("dispatcher") || !rg_ds_seed_on))
		LM_WARN("max_blocked_percent: a set's members are the destinations "
				"known to be in it; without dispatcher and ds_seed only those "
				"called through it so far count\n");
	if(rg_failover_init(rg_failover_codes) < 0)
		goto err;
	if(rg_ds_init(rg_dispatcher_sync, &rg_ds_xavp_dst) < 0)
		goto err;
	if(rg_events_init(&rg_event_callback) < 0)
		goto err;
	if(rg_stats_init() < 0 || rg_xhttp_init() < 0)
		goto err;
	rg_tbl = rg_table_new(&cfg);
	if(rg_tbl == NULL) {
		LM_ERR("no shared memory for %d destinations: raise -m or lower "
			   "max_destinations\n",
				rg_max_destinations);
		goto err;
	}
	rg_cluster_start_share();
	if(rg_reply_callbacks != 0 && rg_reply_callbacks != 1) {
		LM_ERR("reply_callbacks must be 0 or 1, not %d\n", rg_reply_callbacks);
		goto err_table;
	}
	if(rg_txn_slots < 0 || rg_txn_slots > 1048576) {
		LM_ERR("txn_slots must be 0..1048576, not %d\n", rg_txn_slots);
		goto err_table;
	}
	if(rg_rpc_init() < 0 || rg_update_init(RG_LATER_SIZE) < 0
			|| rg_branch_init((unsigned int)rg_txn_slots, rg_reply_callbacks,
					   &rg_reply_in_hooks)
					   < 0
			|| rg_limit_admin_init(&rg_tcfg.dflt, rg_limits_db_on()) < 0
			|| rg_limits_loader_init() < 0)
		goto err_table;
	/* after the limits file, which must never find the table full */
	if(rg_ds_seed_on)
		rg_ds_seed();
	/* after both: what was set by hand wins over the files */
	if(rg_state_file_init() < 0 || rg_cluster_init() < 0)
		goto err_table;
	rg_dialog_init();
	if(rg_idle_timeout > 0
			&& register_timer(rg_expire_timer, NULL, RG_EXPIRE_INTERVAL)
					   < 0) {
		LM_ERR("cannot register the expiry timer\n");
		goto err_table;
	}
	if(register_timer(rg_health_timer, NULL, 1) < 0) {
		LM_ERR("cannot register the health timer\n");
		goto err_table;
	}
	if(rg_webhook_init() < 0)
		goto err_table;
	return 0;

err_table:
	rg_table_free(rg_tbl);
	rg_tbl = NULL;
err:
	return -1;
}

static int child_init(int rank)
{
	if(rg_state_file_child_init(rank) < 0 || rg_cluster_child_init(rank) < 0
			|| rg_limits_loader_child_init(rank) < 0)
		return -1;
	return rg_webhook_child_init(rank);
}

static void mod_destroy(void)
{
	rg_branch_stop();
	rg_webhook_destroy();
	rg_ds_destroy();
	rg_state_file_save(1);
	/* the table stays: a module destroyed after this one (dialog) may
	 * still end calls through it; shared memory goes with the process */
}
