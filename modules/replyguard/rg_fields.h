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
	RG_FK_RATIO,	 /* per-mille, or RG_FIELD_ABSENT: too few samples.
						The list names its stem ("asr"): RPC and JSON show
						<stem>_pct (a percentage, one decimal, or -1), $rg
						<stem>_pm (per-mille, or -1), Prometheus its own
						name (0..1, the series left out while absent) */
	RG_FK_MS_OPT,	 /* milliseconds, or RG_FIELD_ABSENT (-1 in RPC, $rg and
						JSON); not on the Prometheus page (a histogram
						gives it there) */
	RG_FK_MS_MEAN,	 /* milliseconds, or RG_FIELD_ABSENT: too few samples
						(-1 in RPC, $rg and JSON; Prometheus: seconds,
						the series left out while absent) */
};

/* a value that is not known (yet): shown as -1, or left out */
#define RG_FIELD_ABSENT UINT64_MAX

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
	X(CPS_RAMP, RG_FK_MCPS, RG_FG_THROTTLE, "cps_ramp", "cps_ramp",      \
		"While back up from a block: the ramp's cap on cps_limit now "        \
		"(0: no ramp).")                                                      \
	X(NEAR_LIMIT, RG_FK_BOOL, RG_FG_THROTTLE, "near_limit", "near_limit",     \
		"1 while admitting near_limit_percent of the rate or more.")          \
	X(CPS_BURST, RG_FK_COUNT, RG_FG_THROTTLE, "cps_burst", "cps_burst",       \
		"Calls that may come back to back.")                                  \
	X(CONCURRENT, RG_FK_COUNT, RG_FG_THROTTLE, "concurrent", "concurrent",    \
		"Calls in flight (counted when capped).")                             \
	X(MAX_CONCURRENT, RG_FK_COUNT, RG_FG_THROTTLE, "max_concurrent",          \
		"max_concurrent", "Cap on calls in flight (0: none).")                \
	X(LIMIT_SRC, RG_FK_LIMIT_SRC, RG_FG_THROTTLE, "limit_source",             \
		"limit_source", "Where the limit comes from: 0 default, 1 file, "     \
		"2 manual.")                                                          \
	X(DEGRADED, RG_FK_BOOL, RG_FG_HEALTH, "degraded", "degraded",             \
		"1 while below min_asr, above max_isa or above max_srd_p95.")         \
	X(ASR, RG_FK_RATIO, RG_FG_HEALTH, "asr", "asr_ratio",                     \
		"Answer-seizure ratio over the window (ITU-T E.411).")                \
	X(NER, RG_FK_RATIO, RG_FG_HEALTH, "ner", "ner_ratio",                     \
		"Network effectiveness ratio over the window (ITU-T E.425).")         \
	X(SER, RG_FK_RATIO, RG_FG_HEALTH, "ser", "ser_ratio",                     \
		"Session establishment ratio over the window (RFC 6076).")            \
	X(SEER, RG_FK_RATIO, RG_FG_HEALTH, "seer", "seer_ratio",                  \
		"Session establishment effectiveness ratio over the window "          \
		"(RFC 6076).")                                                        \
	X(ISA, RG_FK_RATIO, RG_FG_HEALTH, "isa", "isa_ratio",                     \
		"Ineffective session attempts over the window (RFC 6076).")           \
	X(SHORT, RG_FK_RATIO, RG_FG_HEALTH, "short_calls", "short_calls_ratio",   \
		"Share of ended answered calls under short_call_seconds over the "    \
		"window (dialog module).")                                            \
	X(ACD, RG_FK_MS_MEAN, RG_FG_HEALTH, "acd_ms", "acd_seconds",              \
		"Mean duration of the answered calls that ended over the window "     \
		"(dialog module).")                                                   \
	X(SRD_P50, RG_FK_MS_OPT, RG_FG_HEALTH, "srd_p50_ms", "srd_p50_seconds",  \
		"Median delay to the first 180/183 over the window.")                 \
	X(SRD_P95, RG_FK_MS_OPT, RG_FG_HEALTH, "srd_p95_ms", "srd_p95_seconds",  \
		"95th percentile delay to the first 180/183 over the window.")        \
	X(SRD_P99, RG_FK_MS_OPT, RG_FG_HEALTH, "srd_p99_ms", "srd_p99_seconds",  \
		"99th percentile delay to the first 180/183 over the window.")        \
	X(SRD2_P50, RG_FK_MS_OPT, RG_FG_HEALTH, "srd_2xx_p50_ms",                 \
		"srd_2xx_p50_seconds", "Median delay to the 2xx over the window.")    \
	X(SRD2_P95, RG_FK_MS_OPT, RG_FG_HEALTH, "srd_2xx_p95_ms",                 \
		"srd_2xx_p95_seconds",                                                \
		"95th percentile delay to the 2xx over the window.")                  \
	X(SRD2_P99, RG_FK_MS_OPT, RG_FG_HEALTH, "srd_2xx_p99_ms",                 \
		"srd_2xx_p99_seconds",                                                \
		"99th percentile delay to the 2xx over the window.")
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
	RG_FV_INT,	 /* a whole number that may be -1 (num holds an int64_t) */
	RG_FV_TENTH, /* a decimal number with one decimal, in tenths */
};


struct rg_fval
{
	const char *name;
	enum rg_fval_type type;
	uint64_t num;
	const char *str;
};

/* the int64_t an RG_FV_INT holds */
static inline int64_t rg_fval_int(const struct rg_fval *v)
{
	return (int64_t)v->num;
}

/* The field's name in RPC (a ratio: <stem>_pct). */
const char *rg_field_name(enum rg_field f);
const char *rg_field_prom_name(enum rg_field f);
const char *rg_field_help(enum rg_field f);
enum rg_fgroup rg_field_group(enum rg_field f);

/* Has the field a family on the Prometheus page? */
int rg_field_in_prom(enum rg_field f);

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
