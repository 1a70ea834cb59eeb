/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Putting the limits of db_url's table in force: synchronously at start,
 * and on replyguard.reload through a process of its own (the loader), so
 * that a database that does not answer costs a reload at most
 * db_timeout_ms, never an RPC process held for as long as the driver
 * waits.
 *
 * The reload posts a numbered request in shared memory and waits for the
 * loader's answer, in small sleeps, until the bound (a monotonic clock,
 * compared by unsigned difference). The loader reads and checks the rows
 * (rg_limits_db_read) and hands them back; the reload applies them. When
 * the bound passes first the reload gives the request up under the slot's
 * lock and fails with one line; rows the loader gets later are thrown
 * away (logged), never applied: an answer is applied only by the reload
 * that waits for it. Until the loader is free again a reload fails at
 * once, saying so. A file of limits (limits_file) is read as before, in
 * the RPC process: it does not wait for anyone.
 */
#ifndef RG_LIMITS_LOADER_H
#define RG_LIMITS_LOADER_H

#include <stddef.h>

/*
 * mod_init, after rg_limit_admin_init(): a reload's bound is `timeout_ms`
 * (modparam "db_timeout_ms"). When db_url is set, bind the driver and check the
 * table, load it (a failure stops start-up, as a bad limits_file does) and set
 * up the loader's slot. 0 or -1 (logged).
 */
int rg_limits_loader_init(int timeout_ms);

/* child_init: fork the loader (PROC_MAIN, when db_url is set). 0 or -1. */
int rg_limits_loader_child_init(int rank);

/*
 * replyguard.reload with db_url: read the table through the loader within
 * db_timeout_ms and put it in force. 0 and the number of rows in `n`; -1
 * with one line in `err` (nothing changed, or, when the table has no room
 * for some rows, what fits applied as for a file).
 */
int rg_limits_loader_reload(int *n, char *err, size_t errlen);

#endif
