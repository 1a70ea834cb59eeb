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
extern unsigned int rg_window_s; /* modparam "window", seconds */

/* Monotonic milliseconds: the only clock the module reads. */
uint64_t rg_now_ms(void);

/*
 * From mod_init: the window's length in seconds ("window"), and this
 * node's name ("node_name"; NULL or "": the host name).
 */
void rg_host_init(int window_s, const char *node_name);

/* This node's name: node_name or the host name, printable, no spaces,
 * at most RG_NODE_MAX bytes (webhook documents, cluster messages). */
const char *rg_node(void);

#endif
