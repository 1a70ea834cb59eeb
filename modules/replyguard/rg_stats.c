/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "core/dprint.h"

#include "rg_host.h"
#include "rg_stats.h"
#include "rg_webhook.h"

stat_var *rg_st_attempts = NULL;
stat_var *rg_st_rej_blocked = NULL;
stat_var *rg_st_rej_throttled = NULL;
stat_var *rg_st_replies_183 = NULL;
stat_var *rg_st_replies_503 = NULL;

static counter_val_t st_destinations(void)
{
	struct rg_summary s;

	if(rg_tbl == NULL)
		return 0;
	rg_table_summary(rg_tbl, &s);
	return (counter_val_t)s.tracked;
}

static counter_val_t st_webhook_dropped(void)
{
	struct rg_webhook_stats w;

	rg_webhook_get_stats(&w);
	return (counter_val_t)w.dropped;
}

/* clang-format off */
static stat_export_t rg_stats[] = {
	{"attempts", 0, &rg_st_attempts},
	{"rejected_blocked", 0, &rg_st_rej_blocked},
	{"rejected_throttled", 0, &rg_st_rej_throttled},
	{"replies_183", 0, &rg_st_replies_183},
	{"replies_503", 0, &rg_st_replies_503},
	{"destinations", STAT_IS_FUNC | STAT_NO_RESET,
		(stat_var **)st_destinations},
	{"webhook_dropped", STAT_IS_FUNC | STAT_NO_RESET,
		(stat_var **)st_webhook_dropped},
	{0, 0, 0}
};
/* clang-format on */

int rg_stats_init(void)
{
	if(register_module_stats("replyguard", rg_stats) != 0) {
		LM_ERR("cannot register the replyguard statistics\n");
		return -1;
	}
	return 0;
}
