/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the glue files share: the table, tm's API, the clock and the
 * window length. Defined here, below every glue file, and set up by
 * replyguard_mod.c in mod_init; nothing here calls back up.
 */
#ifndef RG_HOST_H
#define RG_HOST_H

#include <stdint.h>

#include "modules/tm/tm_load.h"

#include "rg_table.h"

extern struct rg_table *rg_tbl;
extern struct tm_binds rg_tmb;
extern int rg_window_s; /* modparam "window", seconds */

/* Monotonic milliseconds: the only clock the module reads. */
uint64_t rg_now_ms(void);

#endif
