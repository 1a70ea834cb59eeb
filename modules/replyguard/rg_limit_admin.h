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

/* the module's defaults and adaptive settings (replyguard_mod.c) */
extern struct rg_throttle_cfg rg_tcfg;

/* Shared state for reloads; from mod_init, before the first load. */
int rg_limit_admin_init(void);

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
