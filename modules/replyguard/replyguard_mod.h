/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the glue files share: the table, tm's API and the clock.
 */
#ifndef REPLYGUARD_MOD_H
#define REPLYGUARD_MOD_H

#include <stdint.h>

#include "modules/tm/tm_load.h"

#include "rg_table.h"

extern struct rg_table *rg_tbl;
extern struct tm_binds rg_tmb;
extern int rg_window_s;
extern char *rg_limits_file;

/* Monotonic milliseconds: the only clock the module reads. */
uint64_t rg_now_ms(void);

#endif
