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
#include "rg_dialog.h"
#include "rg_dispatcher.h"
#include "rg_dst.h"
#include "rg_events.h"
#include "rg_failover.h"
#include "rg_host.h"
#include "rg_later.h"
#include "rg_limit_admin.h"
#include "rg_limits.h"
#include "rg_limits_db.h"
#include "rg_limits_loader.h"
#include "rg_params.h"
#include "rg_pv.h"
#include "rg_reason.h"
#include "rg_reply.h"
#include "rg_reply_in.h"
#include "rg_rpc.h"
#include "rg_script.h"
#include "rg_state_file.h"
#include "rg_stats.h"
#include "rg_update.h"
#include "rg_webhook.h"
#include "rg_xhttp.h"

MODULE_VERSION

/* how often idle entries are looked for, in seconds */
#define RG_EXPIRE_INTERVAL 10

/* every parameter, with its default (rg_params.h; the table below) */
static struct rg_params rg_p = {
		.max_destinations = 4096,
		.window_s = 60,
		.idle_timeout = 3600,
		.ra_min = 1,
		.ra_max = 300,
		.ra_jitter_pct = 0,
		.down_threshold = 3,
		.down_time = 30,
		.probe_timeout = 60,
		.up_threshold = 1,
		.failure_codes = "500,502,504",
		.failure_ratio = 0,
		.failure_min_calls = 20,
		.max_blocked_pct = 100,
		.kpi_min_samples = 20,
		/* the 503 causes that say the call failed, not the carrier */
		.call_causes = "1-26,28-30,50-57,63-95",
		.call_sip_causes = "404,410,480,484,486,600,603,604",
		.short_call_s = 6, /* shorter answered calls: short_calls */
		.cps_burst = 1,
		.adaptive = 1,
		.backoff_factor = "0.5",
		.cps_min = 1,
		.backoff_interval = 2,
		.recovery_step = 1,
		/* back up from a block: start at this share of the rate */
		.ramp_start_pct = 10,
		.dispatcher_sync = 1,
		.ds_seed = 1,
		.failover_codes = "503,408",
		.ds_xavp_dst = str_init("_dsdst_"),
		.cluster_interval = 200,
		.cluster_share_floor = 25,
		.cluster_max_skew = 30,
		.state_interval = 10,
		.db_table = "replyguard_limits",
		.db_timeout_ms = 3000,
		.webhook_timeout_ms = 2000,
		.webhook_queue = 1024,
		.webhook_retries = 3,
		.prom_max_dst = 1000,
		.page_cache_ms = 1000,
		.rpc_list_max = 1000,
		.txn_slots = 4096, /* transactions whose records are preallocated */
};

/* the table's config, built from them */
static struct rg_table_cfg rg_tcfg;

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
	{"max_destinations", PARAM_INT, &rg_p.max_destinations},
	{"window", PARAM_INT, &rg_p.window_s},
	{"idle_timeout", PARAM_INT, &rg_p.idle_timeout},
	{"retry_after_min", PARAM_INT, &rg_p.ra_min},
	{"retry_after_max", PARAM_INT, &rg_p.ra_max},
	{"down_threshold", PARAM_INT, &rg_p.down_threshold},
	{"down_time", PARAM_INT, &rg_p.down_time},
	{"probe_timeout", PARAM_INT, &rg_p.probe_timeout},
	{"up_threshold", PARAM_INT, &rg_p.up_threshold},
	{"failure_codes", PARAM_STRING, &rg_p.failure_codes},
	{"failure_ratio", PARAM_INT, &rg_p.failure_ratio},
	{"failure_min_calls", PARAM_INT, &rg_p.failure_min_calls},
	{"kpi_min_samples", PARAM_INT, &rg_p.kpi_min_samples},
	{"call_specific_causes", PARAM_STRING, &rg_p.call_causes},
	{"call_specific_sip_causes", PARAM_STRING, &rg_p.call_sip_causes},
	{"short_call_seconds", PARAM_INT, &rg_p.short_call_s},
	{"min_asr", PARAM_INT, &rg_p.min_asr},
	{"max_isa", PARAM_INT, &rg_p.max_isa},
	{"max_srd_p95", PARAM_INT, &rg_p.max_srd_p95},
	{"near_limit_percent", PARAM_INT, &rg_p.near_limit_pct},
	{"max_blocked_percent", PARAM_INT, &rg_p.max_blocked_pct},
	{"cluster", PARAM_INT, &rg_p.cluster_on},
	{"cluster_interval", PARAM_INT, &rg_p.cluster_interval},
	{"cluster_share_floor", PARAM_INT, &rg_p.cluster_share_floor},
	{"cluster_max_skew", PARAM_INT, &rg_p.cluster_max_skew},
	{"cluster_nodes", PARAM_INT, &rg_p.cluster_nodes},
	{"cluster_secret", PARAM_STRING, &rg_p.cluster_secret},
	{"cluster_secret_old", PARAM_STRING, &rg_p.cluster_secret_old},
	{"state_file", PARAM_STRING, &rg_p.state_path},
	{"state_save_interval", PARAM_INT, &rg_p.state_interval},
	{"retry_after_jitter", PARAM_INT, &rg_p.ra_jitter_pct},
	{"dispatcher_sync", PARAM_INT, &rg_p.dispatcher_sync},
	{"ds_seed", PARAM_INT, &rg_p.ds_seed},
	{"failover_codes", PARAM_STRING, &rg_p.failover_codes},
	{"ds_xavp_dst", PARAM_STR, &rg_p.ds_xavp_dst},
	{"event_callback", PARAM_STR, &rg_p.event_callback},
	{"cps_limit", PARAM_INT, &rg_p.cps_limit},
	{"cps_burst", PARAM_INT, &rg_p.cps_burst},
	{"max_concurrent", PARAM_INT, &rg_p.max_concurrent},
	{"adaptive", PARAM_INT, &rg_p.adaptive},
	{"backoff_factor", PARAM_STRING, &rg_p.backoff_factor},
	{"cps_min", PARAM_INT, &rg_p.cps_min},
	{"backoff_interval", PARAM_INT, &rg_p.backoff_interval},
	{"recovery_step", PARAM_INT, &rg_p.recovery_step},
	{"ramp_start_percent", PARAM_INT, &rg_p.ramp_start_pct},
	{"ramp_seconds", PARAM_INT, &rg_p.ramp_seconds},
	{"limits_file", PARAM_STRING, &rg_p.limits_file},
	{"db_url", PARAM_STRING, &rg_p.db_url},
	{"db_table", PARAM_STRING, &rg_p.db_table},
	{"db_timeout_ms", PARAM_INT, &rg_p.db_timeout_ms},
	{"webhook_url", PARAM_STRING, &rg_p.webhook_url},
	{"webhook_timeout_ms", PARAM_INT, &rg_p.webhook_timeout_ms},
	{"webhook_queue", PARAM_INT, &rg_p.webhook_queue},
	{"webhook_secret", PARAM_STRING, &rg_p.webhook_secret},
	{"webhook_retries", PARAM_INT, &rg_p.webhook_retries},
	{"node_name", PARAM_STRING, &rg_p.node_name},
	{"prometheus_max_destinations", PARAM_INT, &rg_p.prom_max_dst},
	{"page_cache_ms", PARAM_INT, &rg_p.page_cache_ms},
	{"rpc_list_max", PARAM_INT, &rg_p.rpc_list_max},
	{"reply_callbacks", PARAM_INT, &rg_p.reply_callbacks},
	{"txn_slots", PARAM_INT, &rg_p.txn_slots},
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
/* the parts' own parameters, from rg_p */
static void hand_out(void)
{
	struct rg_webhook_cfg wh = {.url = rg_p.webhook_url,
			.secret = rg_p.webhook_secret,
			.timeout_ms = rg_p.webhook_timeout_ms,
			.queue = rg_p.webhook_queue,
			.retries = rg_p.webhook_retries};

	rg_host_init(rg_p.window_s, rg_p.node_name);
	rg_dst_init(rg_p.ra_jitter_pct);
	rg_limits_db_set(rg_p.db_url, rg_p.db_table);
	rg_webhook_set(&wh);
}

static int mod_init(void)
{
	struct rg_cluster_cfg cc = {.on = rg_p.cluster_on,
			.interval = rg_p.cluster_interval,
			.share_floor = rg_p.cluster_share_floor,
			.max_skew = rg_p.cluster_max_skew,
			.nodes = rg_p.cluster_nodes,
			.secret = rg_p.cluster_secret,
			.secret_old = rg_p.cluster_secret_old};

	struct rg_codes fo;

	/* every parameter first, before anything is allocated */
	if(rg_params_check(&rg_p, &rg_tcfg, &fo) < 0 || check_tm_first() < 0)
		goto err;
	if(load_tm_api(&rg_tmb) < 0) {
		LM_ERR("the tm module is required: load tm before replyguard\n");
		goto err;
	}
	hand_out();
	rg_tcfg.hlc = rg_cluster_prepare(&cc, rg_tcfg.retain_ms);
	if(rg_p.cluster_on && rg_tcfg.hlc == NULL)
		goto err;
	if(rg_p.max_blocked_pct < 100
			&& (!module_loaded("dispatcher") || !rg_p.ds_seed))
		LM_WARN("max_blocked_percent: a set's members are the destinations "
				"known to be in it; without dispatcher and ds_seed only those "
				"called through it so far count\n");
	rg_failover_init(&fo);
	if(rg_ds_init(rg_p.dispatcher_sync, &rg_p.ds_xavp_dst) < 0)
		goto err;
	if(rg_events_init(&rg_p.event_callback) < 0)
		goto err;
	if(rg_stats_init() < 0
			|| rg_xhttp_init(rg_p.prom_max_dst, rg_p.page_cache_ms) < 0)
		goto err;
	rg_tbl = rg_table_new(&rg_tcfg);
	if(rg_tbl == NULL) {
		LM_ERR("no shared memory for %d destinations: raise -m or lower "
			   "max_destinations\n",
				rg_p.max_destinations);
		goto err;
	}
	rg_cluster_start_share();
	if(rg_rpc_init(rg_p.rpc_list_max) < 0 || rg_update_init(RG_LATER_SIZE) < 0
			|| rg_branch_init((unsigned int)rg_p.txn_slots,
					   rg_p.reply_callbacks, &rg_reply_in_hooks)
					   < 0
			|| rg_limit_admin_init(&rg_tcfg.throttle.dflt, rg_p.limits_file,
					   rg_limits_db_on())
					   < 0
			|| rg_limits_loader_init(rg_p.db_timeout_ms) < 0)
		goto err_table;
	/* after the limits file, which must never find the table full */
	if(rg_p.ds_seed)
		rg_ds_seed();
	/* after both: what was set by hand wins over the files */
	if(rg_state_file_init(rg_p.state_path, rg_p.state_interval) < 0
			|| rg_cluster_init() < 0)
		goto err_table;
	rg_dialog_init();
	if(rg_p.idle_timeout > 0
			&& register_timer(rg_expire_timer, NULL, RG_EXPIRE_INTERVAL) < 0) {
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
