/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/mod_fix.h"
#include "core/ut.h"

#include "rg_buf.h"
#include "rg_host.h"
#include "rg_limit_admin.h"
#include "rg_limits.h"
#include "rg_update.h"

/* a limits file larger than this is refused, not read */
#define RG_LIMITS_FILE_MAX (16L * 1024 * 1024)

/* shared by all processes: the load counter and a "reload running" flag */
struct rg_limits_shared
{
	uint32_t gen;
	int busy;
};
static struct rg_limits_shared *rg_lsh;

static const char *rg_lfile; /* limits_file, read-only once set */

const char *rg_limits_file(void)
{
	return rg_lfile != NULL && *rg_lfile != '\0' ? rg_lfile : NULL;
}

/* the limit of a destination with none of its own (the modparams) */
static struct rg_limit rg_dflt;

int rg_limit_admin_init(
		const struct rg_limit *dflt, const char *file, int db_on)
{
	char why[256];
	int n;

	rg_lfile = file;
	rg_dflt = *dflt;
	rg_lsh = shm_mallocxz(sizeof(*rg_lsh));
	if(rg_lsh == NULL) {
		LM_ERR("no shared memory\n");
		return -1;
	}
	if(rg_lfile == NULL || *rg_lfile == '\0')
		return 0;
	if(db_on) {
		LM_WARN("db_url is set: limits_file %s is not read\n", rg_lfile);
		return 0;
	}
	if(rg_limits_load(rg_lfile, 1, &n, why, sizeof(why)) < 0) {
		LM_ERR("limits_file: %s\n", why);
		return -1;
	}
	LM_INFO("limits_file: %d destinations from %s\n", n, rg_lfile);
	return 0;
}

/* the limit of `raw` from a rate already in mcps; see rg_limit_set() */
static int set_mcps(const str *raw, uint32_t mcps, int burst,
		int max_concurrent, const char **err, int *code)
{
	struct rg_limit_line l;

	*code = 400;
	if(rg_limits_check_args(raw->s, (size_t)raw->len, mcps, burst,
			   max_concurrent, &rg_dflt, &l, err)
			< 0)
		return -1;
	if(rg_update_set_limit(
			   l.key, l.key_len, &l.lim, RG_LIM_MANUAL, 0, rg_now_ms(), 0)
			!= RG_OK) {
		*code = 503;
		*err = "destination table full";
		return -1;
	}
	return 0;
}

int rg_limit_set(const str *raw, const str *cps, int burst, int max_concurrent,
		const char **err, int *code)
{
	uint32_t mcps;

	if(rg_limits_parse_rate(cps->s, (size_t)cps->len, &mcps) < 0) {
		*code = 400;
		*err = "cps must be a number 0..1000000 with up to 3 decimals";
		return -1;
	}
	return set_mcps(raw, mcps, burst, max_concurrent, err, code);
}

/* the whole file into pkg memory, NUL-terminated; NULL with a reason */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f;
	char *buf = NULL;
	long sz;

	f = fopen(path, "rb");
	if(f == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if(fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0
			|| fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	if(sz > RG_LIMITS_FILE_MAX) {
		snprintf(err, errlen, "%s is larger than %ld bytes", path,
				RG_LIMITS_FILE_MAX);
		goto done;
	}
	buf = pkg_malloc((size_t)sz + 1);
	if(buf == NULL) {
		snprintf(err, errlen, "no private memory for %s (%ld bytes)", path, sz);
		goto done;
	}
	if(fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		snprintf(err, errlen, "cannot read %s: short read", path);
		pkg_free(buf);
		buf = NULL;
		goto done;
	}
	buf[sz] = '\0';
	*len = (size_t)sz;
done:
	fclose(f);
	return buf;
}

struct load_ctx
{
	uint32_t gen;
	int at_start;
	uint64_t now;
};

static int apply_line(void *arg, const struct rg_limit_line *l)
{
	struct load_ctx *c = arg;

	return rg_update_set_limit(l->key, l->key_len, &l->lim, RG_LIM_FILE, c->gen,
				   c->now, c->at_start)
						   == RG_OK
				   ? 0
				   : -1;
}

int rg_limits_begin(char *err, size_t errlen)
{
	if(__atomic_exchange_n(&rg_lsh->busy, 1, __ATOMIC_ACQ_REL)) {
		snprintf(err, errlen, "another reload is running");
		return -1;
	}
	return 0;
}

void rg_limits_end(void)
{
	__atomic_store_n(&rg_lsh->busy, 0, __ATOMIC_RELEASE);
}

int rg_limits_load(
		const char *path, int at_start, int *n, char *err, size_t errlen)
{
	struct load_ctx c;
	const char *why = NULL;
	size_t len = 0;
	char *buf;
	int failed = 0, line = 0, rc = -1;

	*n = 0;
	if(rg_limits_begin(err, errlen) < 0)
		return -1;
	buf = read_file(path, &len, err, errlen);
	if(buf == NULL)
		goto done;
	c.gen = __atomic_add_fetch(&rg_lsh->gen, 1, __ATOMIC_ACQ_REL);
	c.at_start = at_start;
	c.now = rg_now_ms();
	*n = rg_limits_parse(
			buf, len, &rg_dflt, apply_line, &c, &failed, &line, &why);
	pkg_free(buf);
	if(*n < 0) {
		*n = 0;
		snprintf(err, errlen, "%s line %d: %s; the limits in force are kept",
				path, line, why);
		goto done;
	}
	if(failed > 0) {
		/* what was applied stays; the old limits of the rest stay too */
		snprintf(err, errlen,
				"%s: %d of %d destinations not applied: table full (raise "
				"max_destinations)",
				path, failed, *n);
		goto done;
	}
	rg_update_limits_sweep(c.gen, at_start);
	rc = 0;
done:
	rg_limits_end();
	return rc;
}

const struct rg_limit *rg_limits_default(void)
{
	return &rg_dflt;
}

int rg_limits_apply_locked(const struct rg_limit_line *lines, int n,
		int at_start, const char *what, char *err, size_t errlen)
{
	struct load_ctx c;
	int i, failed = 0;

	c.gen = __atomic_add_fetch(&rg_lsh->gen, 1, __ATOMIC_ACQ_REL);
	c.at_start = at_start;
	c.now = rg_now_ms();
	for(i = 0; i < n; i++)
		failed += apply_line(&c, &lines[i]) < 0;
	if(failed > 0) {
		snprintf(err, errlen,
				"%s: %d of %d destinations not applied: table full (raise "
				"max_destinations)",
				what, failed, n);
		return -1;
	}
	rg_update_limits_sweep(c.gen, at_start);
	return 0;
}

/* script: rg_set_limit(dst, cps[, burst[, max_concurrent]]) */
int fixup_rg_set_limit(void **param, int param_no)
{
	return fixup_spve_all(param, param_no);
}

int fixup_free_rg_set_limit(void **param, int param_no)
{
	return fixup_free_spve_all(param, param_no);
}

static int int_param(struct sip_msg *msg, char *p, int *v, const char *what)
{
	str s;

	*v = -1;
	if(p == NULL)
		return 0;
	if(fixup_get_svalue(msg, (gparam_t *)p, &s) < 0 || str2sint(&s, v) < 0
			|| *v < 0) {
		LM_ERR("rg_set_limit: %s must be a whole number >= 0\n", what);
		return -1;
	}
	return 0;
}

/* 1, or -1 with one error line naming the destination */
static int log_result(const str *dst, int rc, const char *err)
{
	if(rc < 0) {
		LM_ERR("rg_set_limit [%s]: %s\n", rg_log_safe(dst->s, dst->len), err);
		return -1;
	}
	return 1;
}

int w_rg_set_limit(
		struct sip_msg *msg, char *dst, char *cps, char *burst, char *maxc)
{
	const char *err = NULL;
	str d, c;
	int b, m, code;

	if(fixup_get_svalue(msg, (gparam_t *)dst, &d) < 0
			|| fixup_get_svalue(msg, (gparam_t *)cps, &c) < 0) {
		LM_ERR("rg_set_limit: cannot evaluate the parameters\n");
		return -1;
	}
	if(int_param(msg, burst, &b, "burst") < 0
			|| int_param(msg, maxc, &m, "max_concurrent") < 0)
		return -1;
	return log_result(&d, rg_limit_set(&d, &c, b, m, &err, &code), err);
}

int ki_rg_set_limit_all(
		struct sip_msg *msg, str *dst, int cps, int burst, int maxc)
{
	const char *err = "cps must be 0..1000000";
	int code, rc = -1;

	if(cps >= 0 && cps <= (int)RG_LIMIT_MAX)
		rc = set_mcps(dst, (uint32_t)cps * 1000, burst, maxc, &err, &code);
	return log_result(dst, rc, err);
}

int ki_rg_set_limit(struct sip_msg *msg, str *dst, int cps)
{
	return ki_rg_set_limit_all(msg, dst, cps, -1, -1);
}

int ki_rg_set_limit_burst(struct sip_msg *msg, str *dst, int cps, int burst)
{
	return ki_rg_set_limit_all(msg, dst, cps, burst, -1);
}
