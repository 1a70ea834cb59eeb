/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Module-wide aggregates in Kamailio's statistics framework, group
 * "replyguard": attempts, rejected_blocked, rejected_throttled,
 * replies_183, replies_503 (counters, per process, no lock), destinations
 * and webhook_dropped (read when asked). See `kamcmd
 * stats.get_statistics replyguard:`.
 */
#ifndef RG_STATS_H
#define RG_STATS_H

#include "core/counters.h"

extern stat_var *rg_st_attempts;
extern stat_var *rg_st_rej_blocked;
extern stat_var *rg_st_rej_throttled;
extern stat_var *rg_st_replies_183;
extern stat_var *rg_st_replies_503;

/* Register them; from mod_init, before fork. 0 or -1. */
int rg_stats_init(void);

/* Count an rg_allow() verdict (1, -1 or -2). */
static inline void rg_stats_verdict(int rc)
{
	if(rc == 1)
		update_stat(rg_st_attempts, 1);
	else if(rc == -1)
		update_stat(rg_st_rej_blocked, 1);
	else if(rc == -2)
		update_stat(rg_st_rej_throttled, 1);
}

/* Take back a counted attempt whose call was never sent. */
static inline void rg_stats_unadmit(void)
{
	update_stat(rg_st_attempts, -1);
}

#endif
