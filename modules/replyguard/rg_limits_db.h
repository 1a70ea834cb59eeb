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
 * of a load (as for the file). One load at a time, from the read to the
 * apply. A connection is opened for each load and closed after it. When
 * db_url is set it replaces limits_file.
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

/* mod_init: bind the driver, check the table's version. 0 or -1. */
int rg_limits_db_init(void);

/*
 * mod_init, after rg_limit_admin_init(): when db_url is set, check the
 * table and load it (a failure stops start-up, as a bad limits_file
 * does). 0 or -1.
 */
int rg_limits_db_start(void);

/*
 * Read the table and put its limits in force: 0 and the number of rows in
 * `n`; -1 with the reason in `err` (nothing changed).
 */
int rg_limits_db_load(int at_start, int *n, char *err, size_t errlen);

#endif
