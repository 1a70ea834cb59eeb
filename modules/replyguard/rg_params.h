/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every module parameter, one list: the values as the script set them.
 * The one instance, with the defaults, is declared in replyguard_mod.c
 * next to Kamailio's parameter table; rg_params_check() is the one place
 * they are checked, from mod_init and before anything is allocated. The
 * parts are then handed read-only configs built from it (the table's,
 * the webhook's, the state file's, the pages', the cluster's, ...), and
 * read no parameter themselves.
 */
#ifndef RG_PARAMS_H
#define RG_PARAMS_H

#include "core/str.h"

#include "rg_codes.h"
#include "rg_table.h"

struct rg_params
{
	/* the table and its window */
	int max_destinations;
	int window_s;
	int idle_timeout;
	/* health: blocks, trials */
	int ra_min;
	int ra_max;
	int ra_jitter_pct;
	int down_threshold;
	int down_time;
	int probe_timeout;
	int up_threshold;
	char *failure_codes;
	int failure_ratio;
	int failure_min_calls;
	int max_blocked_pct;
	/* carrier figures and their thresholds (0: off) */
	int kpi_min_samples;
	char *call_causes;
	char *call_sip_causes;
	int short_call_s;
	int min_asr;
	int max_isa;
	int max_srd_p95;
	int near_limit_pct;
	/* throttling */
	int cps_limit;
	int cps_burst;
	int max_concurrent;
	int adaptive;
	char *backoff_factor;
	int cps_min;
	int backoff_interval;
	int recovery_step;
	int ramp_start_pct;
	int ramp_seconds;
	/* dispatcher and failover */
	int dispatcher_sync;
	int ds_seed;
	char *failover_codes;
	str ds_xavp_dst;
	str event_callback;
	/* the cluster */
	int cluster_on;
	int cluster_interval;
	int cluster_share_floor;
	int cluster_max_skew;
	int cluster_nodes;
	char *cluster_secret;
	char *cluster_secret_old;
	/* files, database, webhook */
	char *state_path;
	int state_interval;
	char *limits_file;
	char *db_url;
	char *db_table;
	int db_timeout_ms;
	char *webhook_url;
	int webhook_timeout_ms;
	int webhook_queue;
	char *webhook_secret;
	int webhook_retries;
	/* reporting and the rest */
	char *node_name;
	int prom_max_dst;
	int page_cache_ms;
	int rpc_list_max;
	int reply_callbacks;
	int txn_slots;
};

/*
 * Every parameter of `p` checked, each bad one logged in one line naming
 * it; the table's config built into `cfg` (all but the cluster's
 * clock), and failover_codes into `failover`. 0, or -1 at the first bad
 * one. Allocates nothing.
 */
int rg_params_check(const struct rg_params *p, struct rg_table_cfg *cfg,
		struct rg_codes *failover);

#endif
