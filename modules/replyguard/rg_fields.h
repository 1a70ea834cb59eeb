/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fields of a destination snapshot, in one list.
 *
 * RPC (replyguard.list/.get), $rg(), the Prometheus page and the webhook
 * JSON all expand this list, so a field added here reaches all four and
 * the names cannot drift. Values travel as numbers (enums for the state
 * and the limit's source); names are made only at the edge, by the
 * functions below.
 *
 * Columns: id, kind, group (JSON nests the throttle group), the name in
 * RPC, $rg and JSON, the Prometheus family (replyguard_<name>), and its
 * HELP text.
 */
#ifndef RG_FIELDS_H
#define RG_FIELDS_H

#include <stddef.h>
#include <stdint.h>

/* how a field's value is kept, and so shown */
enum rg_fkind
{
	RG_FK_COUNT,	 /* a plain number */
	RG_FK_SECS,		 /* seconds */
	RG_FK_MS,		 /* milliseconds (Prometheus: seconds, 3 decimals) */
	RG_FK_MCPS,		 /* a limit, thousandths of a call per second */
	RG_FK_MCPS_SEEN, /* a measured rate, the same unit */
	RG_FK_BOOL,		 /* 0 or 1 */
	RG_FK_STATE,	 /* enum rg_state: "up", "down", "probing" */
	RG_FK_LIMIT_SRC, /* enum rg_limit_src: "default", "file", "manual" */
};

enum rg_fgroup
{
	RG_FG_HEALTH,	/* JSON: at the top level */
	RG_FG_THROTTLE, /* JSON: inside "throttle" */
};

/* clang-format off */
#define RG_FIELD_LIST(X)                                                      \
	X(STATE, RG_FK_STATE, RG_FG_HEALTH, "state", "state",                     \
		"Health state: 0 up, 1 probing, 2 down.")                             \
	X(BLOCKED_FOR, RG_FK_SECS, RG_FG_HEALTH, "blocked_for",                   \
		"blocked_for_seconds", "Seconds left of the current block.")          \
	X(RA_LAST, RG_FK_SECS, RG_FG_HEALTH, "retry_after_last",                  \
		"retry_after_last_seconds", "Last Retry-After applied, seconds.")     \
	X(PDD_AVG, RG_FK_MS, RG_FG_HEALTH, "pdd_avg_ms", "pdd_avg_seconds",       \
		"Mean post-dial delay (INVITE to first 18x).")                        \
	X(PDD_MAX, RG_FK_MS, RG_FG_HEALTH, "pdd_max_ms", "pdd_max_seconds",       \
		"Largest post-dial delay seen.")                                      \
	X(PDD_SAMPLES, RG_FK_COUNT, RG_FG_HEALTH, "pdd_samples", "pdd_samples",   \
		"Calls whose post-dial delay was measured.")                          \
	X(IDLE, RG_FK_SECS, RG_FG_HEALTH, "idle_s", "idle_seconds",               \
		"Seconds since the last call or reply.")                              \
	X(THROTTLED, RG_FK_BOOL, RG_FG_THROTTLE, "throttled", "throttled",        \
		"1 while adaptive back-off is in force.")                             \
	X(CPS_LIMIT, RG_FK_MCPS, RG_FG_THROTTLE, "cps_limit", "cps_limit",        \
		"Calls per second allowed now (0: no limit).")                        \
	X(CPS_CONF, RG_FK_MCPS, RG_FG_THROTTLE, "cps_configured",                 \
		"cps_configured", "Configured calls per second (0: no limit).")       \
	X(CPS_SHARE, RG_FK_MCPS, RG_FG_THROTTLE, "cps_share", "cps_share",        \
		"This node's share of cps_limit (the cluster's budget).")             \
	X(CPS_RECV, RG_FK_MCPS_SEEN, RG_FG_THROTTLE, "cps_received",              \
		"cps_received",                                                       \
		"Calls per second sent over about the last second.")                  \
	X(CPS_BURST, RG_FK_COUNT, RG_FG_THROTTLE, "cps_burst", "cps_burst",       \
		"Calls that may come back to back.")                                  \
	X(CONCURRENT, RG_FK_COUNT, RG_FG_THROTTLE, "concurrent", "concurrent",    \
		"Calls in flight (counted when capped).")                             \
	X(MAX_CONCURRENT, RG_FK_COUNT, RG_FG_THROTTLE, "max_concurrent",          \
		"max_concurrent", "Cap on calls in flight (0: none).")                \
	X(LIMIT_SRC, RG_FK_LIMIT_SRC, RG_FG_THROTTLE, "limit_source",             \
		"limit_source", "Where the limit comes from: 0 default, 1 file, "     \
		"2 manual.")
/* clang-format on */

enum rg_field
{
#define RG_X_ENUM(id, kind, group, name, prom, help) RG_F_##id,
	RG_FIELD_LIST(RG_X_ENUM)
#undef RG_X_ENUM
			RG_F_COUNT
};

/* the four places a snapshot is shown */
enum rg_out
{
	RG_OUT_RPC,
	RG_OUT_PV,
	RG_OUT_PROM,
	RG_OUT_JSON,
	RG_OUT_COUNT
};

/* one value as an output shows it */
enum rg_fval_type
{
	RG_FV_UINT,	 /* a whole number */
	RG_FV_MILLI, /* a decimal number, in thousandths */
	RG_FV_BOOL,	 /* true or false */
	RG_FV_STR,	 /* a name */
};

struct rg_fval
{
	const char *name;
	enum rg_fval_type type;
	uint64_t num;
	const char *str;
};

const char *rg_field_name(enum rg_field f);
const char *rg_field_prom_name(enum rg_field f);
const char *rg_field_help(enum rg_field f);
enum rg_fgroup rg_field_group(enum rg_field f);

/*
 * The values `out` shows for field `f` whose value is `v`: 1, or 2 for
 * a rate in RPC and $rg (whole calls per second under the field's name,
 * and thousandths under name_milli; a limit is never shown as 0, "no
 * limit", while it limits). `vals` holds 2.
 */
int rg_field_show(
		enum rg_field f, uint64_t v, enum rg_out out, struct rg_fval vals[2]);

/*
 * $rg(name): the id of the value `name` shows (a field, or its
 * thousandths), -1 when there is none; rg_field_pv_show() gives it.
 */
int rg_field_pv_id(const char *name, size_t len);
int rg_field_pv_show(int id, const uint64_t v[RG_F_COUNT], struct rg_fval *val);

#endif
