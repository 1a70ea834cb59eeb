/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Limits from a database (modparams db_url, db_table), through Kamailio's
 * DB API (srdb1), so any Kamailio DB driver works. The table:
 *
 *   dst VARCHAR(255) NOT NULL, cps a floating-point number, burst and
 *   max_concurrent integers; NULL = the module's default
 *
 * with its version (1) in Kamailio's version table, checked at start as
 * dispatcher checks its own. Read at start and on replyguard.reload, the
 * same way as the limits file: all rows are checked first, and a bad row
 * (named by its key, with the reason), a key in two rows, a failed query
 * or a database that cannot be reached changes nothing: the limits in
 * force are kept. Only entries the table has no room for are left out
 * of a load (as for the file). A connection is opened for each read and
 * closed after it. When db_url is set it replaces limits_file. This file
 * only reads and checks; rg_limits_loader.c puts the rows in force, one
 * load at a time, and bounds a reload's wait (db_timeout_ms).
 */
#ifndef RG_LIMITS_DB_H
#define RG_LIMITS_DB_H

#include <stddef.h>

/*
 * From mod_init, before the table: the modparams "db_url" (NULL or "":
 * none) and "db_table" (checked by rg_params.c).
 */
void rg_limits_db_set(const char *url, const char *table);

/* db_url set? */
int rg_limits_db_on(void);

/* db_table */
const char *rg_limits_db_table(void);

/* mod_init: bind the driver, check the table's version. 0 or -1
 * (logged). */
int rg_limits_db_init(void);

struct rg_limit;
struct rg_limit_line;

/*
 * Read the table (at most `max_rows` rows, else refused whole) and check
 * every row, with `dflt` for NULL columns; puts
 * nothing in force (the caller applies the rows: rg_limits_loader.c).
 * 0 with the rows in `*lines` (pkg memory for the caller to free, NULL
 * when there is none) and their number in `n`; -1 with the reason in
 * `err`, ending "the limits in force are kept". It waits for the driver
 * as long as the driver waits: call it only where that is allowed (at
 * start, or in the loader process).
 */
int rg_limits_db_read(const struct rg_limit *dflt, int max_rows,
		struct rg_limit_line **lines,
		int *n, char *err, size_t errlen);

#endif
