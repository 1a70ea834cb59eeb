/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "lib/srdb1/db.h"

#include "rg_buf.h"
#include "rg_limits.h"
#include "rg_limits_db.h"

#define RG_DB_TABLE_VERSION 1

static const char *rg_db_url;	/* read-only once set */
static const char *rg_db_table; /* read-only once set */

static db_func_t rg_dbf;
static str rg_url, rg_table;

void rg_limits_db_set(const char *url, const char *table)
{
	rg_db_url = url;
	rg_db_table = table;
}

const char *rg_limits_db_table(void)
{
	return rg_db_table;
}

int rg_limits_db_on(void)
{
	return rg_db_url != NULL && *rg_db_url != '\0';
}

/* a connection and its table, or NULL with the reason in `err` */
static db1_con_t *open_db(char *err, size_t errlen)
{
	db1_con_t *h = rg_dbf.init(&rg_url);

	if(h == NULL) {
		snprintf(err, errlen, "cannot connect to the database of db_url");
		return NULL;
	}
	if(rg_dbf.use_table(h, &rg_table) < 0) {
		snprintf(err, errlen, "cannot use table %.*s", rg_table.len,
				rg_table.s);
		rg_dbf.close(h);
		return NULL;
	}
	return h;
}

int rg_limits_db_init(void)
{
	char err[128];
	db1_con_t *h;
	int v;

	if(!rg_limits_db_on())
		return 0;
	rg_url.s = (char *)rg_db_url;
	rg_url.len = (int)strlen(rg_db_url);
	rg_table.s = (char *)rg_db_table;
	rg_table.len = (int)strlen(rg_db_table);
	if(db_bind_mod(&rg_url, &rg_dbf) < 0) {
		LM_ERR("db_url: no database driver for it (load the db_* module "
			   "before replyguard)\n");
		return -1;
	}
	if(!DB_CAPABILITY(rg_dbf, DB_CAP_QUERY)) {
		LM_ERR("db_url: the driver cannot query\n");
		return -1;
	}
	h = open_db(err, sizeof(err));
	if(h == NULL) {
		LM_ERR("db_url: %s\n", err);
		return -1;
	}
	v = db_table_version(&rg_dbf, h, &rg_table);
	rg_dbf.close(h);
	if(v <= 0) {
		LM_ERR("db_table %s: no version in the version table (create the "
			   "table with the schema in doc/schema/)\n",
				rg_db_table);
		return -1;
	}
	if(v != RG_DB_TABLE_VERSION) {
		LM_ERR("db_table %s: version %d, this module needs %d\n", rg_db_table,
				v, RG_DB_TABLE_VERSION);
		return -1;
	}
	return 0;
}

/* a text column: 0 and `out` (not empty), or -1 */
static int text_of(db_val_t *v, str *out)
{
	if(VAL_NULL(v))
		return -1;
	if(VAL_TYPE(v) == DB1_STR) {
		*out = VAL_STR(v);
	} else if(VAL_TYPE(v) == DB1_STRING) {
		out->s = (char *)VAL_STRING(v);
		out->len = out->s ? (int)strlen(out->s) : 0;
	} else {
		return -1;
	}
	return out->s && out->len > 0 ? 0 : -1;
}

/*
 * A number column as a finite double (NaN would pass every range
 * check): 0 and *null when NULL, -1 when it is not one.
 */
static int num_of(db_val_t *v, double *out, int *null)
{
	char buf[64], *end;
	str s;

	*null = VAL_NULL(v);
	if(*null)
		return 0;
	switch(VAL_TYPE(v)) {
		case DB1_INT:
			*out = VAL_INT(v);
			return 0;
		case DB1_UINT:
			*out = VAL_UINT(v);
			return 0;
		case DB1_BIGINT:
			*out = (double)VAL_BIGINT(v);
			return 0;
		case DB1_UBIGINT:
			*out = (double)VAL_UBIGINT(v);
			return 0;
		case DB1_DOUBLE:
			*out = VAL_DOUBLE(v);
			return isfinite(*out) ? 0 : -1;
		case DB1_STRING:
		case DB1_STR:
			if(text_of(v, &s) < 0 || s.len >= (int)sizeof(buf))
				return -1;
			memcpy(buf, s.s, (size_t)s.len);
			buf[s.len] = '\0';
			*out = strtod(buf, &end);
			return (*end == '\0' && isfinite(*out)) ? 0 : -1;
		default:
			return -1;
	}
}

/*
 * A whole-number column in lo..RG_LIMIT_MAX into `out`, -1 when NULL
 * (the default): NULL, or the reason it is bad.
 */
static const char *whole_of(db_val_t *v, double lo, double *out,
		const char *not_whole, const char *out_of_range)
{
	int null;

	if(num_of(v, out, &null) < 0 || (!null && *out != floor(*out)))
		return not_whole;
	if(null)
		*out = -1;
	else if(!(*out >= lo && *out <= RG_LIMIT_MAX))
		return out_of_range;
	return NULL;
}

/* one row into `l`: NULL, or the reason it is bad */
static const char *row_of(db_row_t *row, const struct rg_limit *dflt,
		struct rg_limit_line *l, str *key)
{
	db_val_t *v = ROW_VALUES(row);
	double cps = 0, burst, maxc;
	int null;
	const char *why = NULL;

	if(text_of(&v[0], key) < 0)
		return "dst is NULL or not text";
	if(num_of(&v[1], &cps, &null) < 0)
		return "cps is not a number";
	if(null)
		cps = (double)dflt->mcps / 1000;
	if(!(cps >= 0 && cps <= RG_LIMIT_MAX))
		return "cps is out of range (0..1000000)";
	if(fabs(cps * 1000 - floor(cps * 1000 + 0.5)) > 1e-6)
		return "cps has more than 3 decimals";
	if((why = whole_of(&v[2], 1, &burst, "burst is not a whole number",
				"burst is out of range (1..1000000)"))
			!= NULL)
		return why;
	if((why = whole_of(&v[3], 0, &maxc, "max_concurrent is not a whole number",
				"max_concurrent is out of range (0..1000000)"))
			!= NULL)
		return why;
	if(rg_limits_check_args(key->s, (size_t)key->len,
			   (uint32_t)floor(cps * 1000 + 0.5), (long)burst, (long)maxc, dflt,
			   l, &why)
			< 0)
		return why;
	return NULL;
}

static int by_key(const void *a, const void *b)
{
	const struct rg_limit_line *x = a, *y = b;

	if(x->key_len != y->key_len)
		return x->key_len - y->key_len;
	return memcmp(x->key, y->key, (size_t)x->key_len);
}

/* a key two rows give (once normalised), or NULL; sorts `lines` */
static const char *duplicate(struct rg_limit_line *lines, int n)
{
	int i;

	if(n > 1)
		qsort(lines, (size_t)n, sizeof(*lines), by_key);
	for(i = 1; i < n; i++) {
		if(by_key(&lines[i - 1], &lines[i]) == 0)
			return rg_log_safe(lines[i].key, lines[i].key_len);
	}
	return NULL;
}

int rg_limits_db_read(const struct rg_limit *dflt, int max_rows,
		struct rg_limit_line **out,
		int *n, char *err, size_t errlen)
{
	db_key_t cols[4];
	str cnames[4] = {str_init("dst"), str_init("cps"), str_init("burst"),
			str_init("max_concurrent")};
	struct rg_limit_line *lines = NULL;
	db1_res_t *res = NULL;
	db1_con_t *h;
	const char *why;
	str key;
	int i, rows = 0, rc = -1;

	*out = NULL;
	*n = 0;
	for(i = 0; i < 4; i++)
		cols[i] = &cnames[i];
	h = open_db(err, errlen);
	if(h == NULL)
		goto keep;
	if(rg_dbf.query(h, 0, 0, 0, cols, 0, 4, 0, &res) < 0 || res == NULL) {
		snprintf(err, errlen, "query of table %s failed", rg_db_table);
		goto keep;
	}
	rows = RES_ROW_N(res);
	/* more rows than the table holds could never all be in force: refused
	 * whole before a byte is copied */
	if(rows > max_rows) {
		snprintf(err, errlen,
				"table %s has %d rows, more than max_destinations (%d)",
				rg_db_table, rows, max_rows);
		goto keep;
	}
	if(rows > 0) {
		lines = pkg_malloc(sizeof(*lines) * (size_t)rows);
		if(lines == NULL) {
			snprintf(err, errlen, "no pkg memory for %d rows", rows);
			goto keep;
		}
	}
	/* every row checked before anything is handed over */
	for(i = 0; i < rows; i++) {
		key.s = NULL;
		key.len = 0;
		why = row_of(&RES_ROWS(res)[i], dflt, &lines[i], &key);
		if(why != NULL) {
			snprintf(err, errlen, "table %s, row of dst [%s]: %s; the limits "
								  "in force are kept",
					rg_db_table,
					key.s ? rg_log_safe(key.s, key.len) : "NULL", why);
			goto keep;
		}
	}
	if((why = duplicate(lines, rows)) != NULL) {
		snprintf(err, errlen, "table %s: dst [%s] is in two rows (as "
							  "spelled or once normalised); the limits in "
							  "force are kept",
				rg_db_table, why);
		goto keep;
	}
	*out = lines;
	*n = rows;
	lines = NULL;
	rc = 0;
	goto done;
keep:
	if(strstr(err, "kept") == NULL) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, "; the limits in force are kept");
	}
done:
	if(lines)
		pkg_free(lines);
	if(res)
		rg_dbf.free_result(h, res);
	if(h)
		rg_dbf.close(h);
	return rc;
}
