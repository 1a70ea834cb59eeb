/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-destination counters, in one list.
 *
 * The final replies the carrier figures need (rg_kpi.h) are counted apart
 * from their class: replies_busy (486, 600), replies_reject (404, 410,
 * 484, 604), replies_500_504 (500, 504), replies_challenge (401, 407);
 * timeouts_rang are local timeouts after a provisional reply above 100.
 * With the dialog module, an answered call whose dialog ends with a BYE
 * counts in calls_ended, its duration (rounded to the second) in
 * call_seconds, and in calls_short when under short_call_seconds.
 *
 * Everything that names or iterates counters (the table, the window, RPC,
 * $rg) expands this list, so adding a counter is a one-line change and the
 * names cannot drift between RPC and script.
 */
#ifndef RG_COUNTERS_H
#define RG_COUNTERS_H

#include <stddef.h>

#define RG_COUNTER_LIST(X)               \
	X(ATTEMPTS, "attempts")              \
	X(R180, "replies_180")               \
	X(R183, "replies_183")               \
	X(R183_SDP, "replies_183_sdp")       \
	X(R2XX, "replies_2xx")               \
	X(R3XX, "replies_3xx")               \
	X(R4XX, "replies_4xx")               \
	X(R5XX, "replies_5xx")               \
	X(R503, "replies_503")               \
	X(R503_RA, "replies_503_retry_after") \
	X(R6XX, "replies_6xx")               \
	X(TIMEOUTS, "timeouts")              \
	X(REJ_BLOCKED, "rejected_blocked")   \
	X(REJ_THROTTLED, "rejected_throttled") \
	X(FAILURES, "failures")              \
	X(BLOCKS_SKIPPED, "blocks_skipped")  \
	X(SEIZURES, "seizures")              \
	X(R487, "replies_487")               \
	X(R503_CALL, "replies_503_call")     \
	X(BUSY, "replies_busy")              \
	X(R480, "replies_480")               \
	X(R408, "replies_408")               \
	X(R603, "replies_603")               \
	X(REJECT, "replies_reject")          \
	X(R500_504, "replies_500_504")       \
	X(CHALLENGE, "replies_challenge")    \
	X(RANG_OUT, "timeouts_rang")         \
	X(CALLS_ENDED, "calls_ended")        \
	X(CALLS_SHORT, "calls_short")        \
	X(CALL_SECS, "call_seconds")

enum rg_counter
{
#define RG_X_ENUM(id, name) RG_C_##id,
	RG_COUNTER_LIST(RG_X_ENUM)
#undef RG_X_ENUM
			RG_C_COUNT
};

/*
 * The counters before this one are tallied in the entry's hot part (the
 * ones most calls touch); those from it on are counted straight into the
 * cold part (rg_entry.h).
 */
#define RG_C_TALLIED RG_C_SEIZURES

/*
 * seizures: branches sent. An admission whose branch was never sent is
 * taken back, so it is attempts under the name the carrier figures
 * (rg_kpi.h) use; a snapshot fills it, nothing counts it.
 */

/* The RPC/pseudo-variable name of counter `c`; NULL when out of range. */
const char *rg_counter_name(enum rg_counter c);

/* The counter called `name` (length `len`), or -1 when there is none. */
int rg_counter_by_name(const char *name, size_t len);

#endif
