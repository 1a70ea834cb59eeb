/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Setting throttle limits from outside the core: rg_set_limit() in
 * script, and the limits file (read at start-up and by
 * replyguard.reload). The RPC commands call these too.
 */
#ifndef RG_LIMIT_ADMIN_H
#define RG_LIMIT_ADMIN_H

#include "core/parser/msg_parser.h"
#include "core/str.h"

#include "rg_throttle.h"

/*
 * From mod_init, after the table exists: remember the default limit
 * (what a limits-file line or rg_set_limit leaves out), take the shared
 * reload state, and load `file` (modparam "limits_file"; NULL or "": none)
 * when set, unless `db_on` (db_url is set and replaces it). 0, or -1
 * (logged).
 */
int rg_limit_admin_init(
		const struct rg_limit *dflt, const char *file, int db_on);

/* limits_file: NULL when there is none */
const char *rg_limits_file(void);

/*
 * Set the limit of `raw`: `cps` as text ("20", "2.5"; "0" = none),
 * `burst` and `max_concurrent` < 0 for the defaults. 0, or -1 with a
 * reason in `err` (and a 400/503 style code in `code`).
 */
int rg_limit_set(const str *raw, const str *cps, int burst, int max_concurrent,
		const char **err, int *code);

/*
 * (Re)load the limits file. 0 and the number of entries in `n`; -1 with a
 * message in `err` (line number and reason) when the file cannot be read
 * or has a bad line, in which case the limits in force stay as they were.
 * `at_start` skips event routes (no worker is running yet).
 */
int rg_limits_load(
		const char *path, int at_start, int *n, char *err, size_t errlen);

/*
 * A load of the limits source is one at a time: rg_limits_begin() takes
 * the load (0, or -1 with "another reload is running" in `err`) before
 * the source is read, rg_limits_end() gives it back.
 */
int rg_limits_begin(char *err, size_t errlen);
void rg_limits_end(void);

/*
 * Between them: put `n` checked limits in force as one load (the same as
 * a file's: limits of earlier loads that are not in it go back to the
 * defaults). 0, or -1 with a message in `err` when entries found no room
 * in the table (what fits is applied, as for the file).
 */
struct rg_limit_line;
int rg_limits_apply_locked(const struct rg_limit_line *lines, int n,
		int at_start, const char *what, char *err, size_t errlen);

/* the default limit (the modparams), for a loader's rows */
const struct rg_limit *rg_limits_default(void);

/* rg_set_limit(dst, cps[, burst[, max_concurrent]]) */
int w_rg_set_limit(
		struct sip_msg *msg, char *dst, char *cps, char *burst, char *maxc);
int ki_rg_set_limit(struct sip_msg *msg, str *dst, int cps);
int ki_rg_set_limit_burst(struct sip_msg *msg, str *dst, int cps, int burst);
int ki_rg_set_limit_all(
		struct sip_msg *msg, str *dst, int cps, int burst, int maxc);
int fixup_rg_set_limit(void **param, int param_no);
int fixup_free_rg_set_limit(void **param, int param_no);

#endif
