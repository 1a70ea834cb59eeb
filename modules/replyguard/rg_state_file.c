/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/dprint.h"
#include "core/timer_proc.h"

#include "rg_buf.h"
#include "rg_host.h"
#include "rg_ops.h"
#include "rg_state_file.h"

/* a state file larger than this is refused, not read */
#define RG_STATE_FILE_MAX (256L * 1024 * 1024)

char *rg_state_path = NULL;
int rg_state_interval = 10;

/* the file was read (or found missing): saving may replace it */
static int rg_state_loaded;
/* the last save failed: log the next failure only after a success */
static int rg_state_failing;

struct restored
{
	unsigned int n, blocks, limits, backoffs, full;
	int64_t wall_ms;
	uint64_t now_ms;
};

/* the wall clock minus the module's clock, in ms */
static int64_t wall_offset(uint64_t now_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - (int64_t)now_ms;
}

static void restore_one(const struct rg_saved *s, void *arg)
{
	struct restored *r = arg;
	struct rg_change chg;
	struct rg_saved rec = *s;

	if(rg_op_restore(rg_tbl, &rec, r->wall_ms, r->now_ms, &chg) != RG_OK) {
		r->full++;
		return;
	}
	r->n++;
	r->blocks += chg.ev == RG_EV_DOWN;
	r->limits += s->has_limit != 0;
	r->backoffs += chg.tev == RG_TEV_THROTTLED;
}

/* the whole file into a malloc'ed buffer: its length, or -1 (errno) */
static long slurp(const char *path, char **out)
{
	struct stat st;
	FILE *f = fopen(path, "r");
	long n;

	*out = NULL;
	if(f == NULL)
		return -1;
	if(fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)
			|| st.st_size > RG_STATE_FILE_MAX) {
		fclose(f);
		errno = EFBIG;
		return -1;
	}
	*out = malloc((size_t)st.st_size + 1);
	if(*out == NULL) {
		fclose(f);
		errno = ENOMEM;
		return -1;
	}
	n = (long)fread(*out, 1, (size_t)st.st_size, f);
	fclose(f);
	return n;
}

static void load(void)
{
	struct restored r;
	struct rg_state_err err;
	char *buf;
	long len = slurp(rg_state_path, &buf);

	if(len < 0) {
		if(errno == ENOENT)
			LM_INFO("state_file %s: none yet, starting afresh\n",
					rg_log_safe(rg_state_path, (int)strlen(rg_state_path)));
		else
			LM_WARN("state_file %s: not read (%s), starting afresh\n",
					rg_log_safe(rg_state_path, (int)strlen(rg_state_path)),
					strerror(errno));
		free(buf);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.now_ms = rg_now_ms();
	r.wall_ms = wall_offset(r.now_ms);
	if(rg_state_parse(buf, (size_t)len, restore_one, &r, &err) < 0) {
		LM_WARN("state_file %s: ignored, line %d: %s\n",
				rg_log_safe(rg_state_path, (int)strlen(rg_state_path)),
				err.line, err.what);
	} else {
		LM_INFO("state_file: %u destinations back (%u blocks, %u limits, %u "
				"back-offs), %u not tracked: table full\n",
				r.n, r.blocks, r.limits, r.backoffs, r.full);
	}
	free(buf);
}

static void rg_state_timer(unsigned int ticks, void *param)
{
	(void)ticks;
	(void)param;
	rg_state_file_save();
}

int rg_state_file_init(void)
{
	if(rg_state_path == NULL || *rg_state_path == '\0')
		return 0;
	load();
	rg_state_loaded = 1;
	if(register_timer(rg_state_timer, NULL, (unsigned int)rg_state_interval)
			< 0) {
		LM_ERR("cannot register the state_file timer\n");
		return -1;
	}
	return 0;
}

/* every record, then the end line; 0 or -1 */
static int write_all(FILE *f)
{
	struct rg_saved rec;
	char line[RG_STATE_LINE_MAX];
	unsigned int slot, n = 0, cap = rg_table_capacity(rg_tbl);
	uint64_t now = rg_now_ms();
	int64_t wall = wall_offset(now);
	int len;

	if(fputs(RG_STATE_MAGIC "\n", f) == EOF)
		return -1;
	for(slot = 0; slot < cap; slot++) {
		if(!rg_op_save_slot(rg_tbl, slot, wall, now, &rec))
			continue;
		len = rg_state_format(&rec, line, sizeof(line));
		if(len < 0 || fwrite(line, 1, (size_t)len, f) != (size_t)len)
			return -1;
		n++;
	}
	len = rg_state_format_end(n, line, sizeof(line));
	if(len < 0 || fwrite(line, 1, (size_t)len, f) != (size_t)len)
		return -1;
	return 0;
}

void rg_state_file_save(void)
{
	char tmp[1024];
	FILE *f;
	int ok;

	if(!rg_state_loaded || rg_tbl == NULL)
		return;
	/* per process: the timer and shutdown never write the same temp file */
	if(snprintf(tmp, sizeof(tmp), "%s.tmp.%d", rg_state_path, (int)getpid())
			>= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	f = fopen(tmp, "w");
	if(f == NULL)
		goto fail;
	ok = write_all(f) == 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if(fclose(f) != 0)
		ok = 0;
	if(!ok || rename(tmp, rg_state_path) < 0) {
		ok = errno;
		unlink(tmp);
		errno = ok;
		goto fail;
	}
	if(rg_state_failing)
		LM_NOTICE("state_file %s: written again\n",
				rg_log_safe(rg_state_path, (int)strlen(rg_state_path)));
	rg_state_failing = 0;
	return;

fail:
	if(!rg_state_failing)
		LM_ERR("state_file %s: cannot write (%s); will retry every %d s\n",
				rg_log_safe(rg_state_path, (int)strlen(rg_state_path)),
				strerror(errno), rg_state_interval);
	rg_state_failing = 1;
}
