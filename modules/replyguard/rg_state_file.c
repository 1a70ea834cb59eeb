/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/dprint.h"
#include "core/sr_module.h"
#include "core/timer_proc.h"

#include "rg_buf.h"
#include "rg_entry_keep.h"
#include "rg_host.h"
#include "rg_ops.h"
#include "rg_state_file.h"

/* a state file larger than this is refused, not read */
#define RG_STATE_FILE_MAX (256L * 1024 * 1024)

static const char *rg_state_path; /* read-only once set */
static int rg_state_interval;

/* the file was read, found missing, or set aside: saving may replace it */
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

	/* nothing left of it: no entry for it */
	if(!rg_saved_in_force(s, r->wall_ms, r->now_ms))
		return;
	if(rg_op_restore(rg_tbl, &rec, r->wall_ms, r->now_ms, &chg) != RG_OK) {
		r->full++;
		return;
	}
	r->n++;
	r->blocks += chg.ev == RG_EV_DOWN;
	r->limits += s->has_limit != 0;
	r->backoffs += chg.tev == RG_TEV_THROTTLED;
}

static const char *safe_path(void)
{
	return rg_log_safe(rg_state_path, (int)strlen(rg_state_path));
}

/* the whole file into a malloc'ed buffer: its length, or -1 with `why` */
static long slurp(const char *path, char **out, const char **why)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	long n = 0;
	ssize_t r;

	*out = NULL;
	*why = NULL;
	if(fd < 0)
		return -1;
	if(fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		goto err;
	}
	if(st.st_size > RG_STATE_FILE_MAX) {
		*why = "larger than 256 MiB";
		goto err;
	}
	*out = malloc((size_t)st.st_size + 1);
	if(*out == NULL) {
		*why = "out of memory";
		goto err;
	}
	while(n < (long)st.st_size) {
		r = read(fd, *out + n, (size_t)(st.st_size - n));
		if(r < 0 && errno == EINTR)
			continue;
		if(r <= 0)
			break; /* shorter than it said: the parser will tell */
		n += r;
	}
	close(fd);
	return n;

err:
	close(fd);
	free(*out);
	*out = NULL;
	return -1;
}

/* a file that cannot be taken is kept for the operator, not overwritten */
static void set_aside(void)
{
	char bad[1024];

	if(snprintf(bad, sizeof(bad), "%s.bad", rg_state_path)
					< (int)sizeof(bad)
			&& rename(rg_state_path, bad) == 0)
		return;
	LM_WARN("state_file %s: cannot set it aside as .bad (%s): it will be "
			"replaced\n",
			safe_path(), strerror(errno));
}

/* temporary files of writers that died before their rename */
static void remove_stale_temps(void)
{
	char pat[1024];
	glob_t gl;
	size_t i;

	if(snprintf(pat, sizeof(pat), "%s.tmp.??????", rg_state_path)
			>= (int)sizeof(pat))
		return;
	if(glob(pat, GLOB_NOSORT, NULL, &gl) != 0)
		return;
	for(i = 0; i < gl.gl_pathc; i++)
		unlink(gl.gl_pathv[i]);
	globfree(&gl);
}

/* 1: the file may be written from now on */
static int load(void)
{
	struct restored r;
	struct rg_state_err err;
	const char *why;
	char *buf;
	long len = slurp(rg_state_path, &buf, &why);

	if(len < 0) {
		if(why == NULL && errno == ENOENT) {
			LM_INFO("state_file %s: none yet, starting afresh\n",
					safe_path());
			return 1;
		}
		LM_WARN("state_file %s: not read (%s), starting afresh; it is "
				"not written either until a restart reads it\n",
				safe_path(), why ? why : strerror(errno));
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.now_ms = rg_now_ms();
	r.wall_ms = wall_offset(r.now_ms);
	if(rg_state_parse(buf, (size_t)len, restore_one, &r, &err) < 0) {
		LM_WARN("state_file %s: ignored, line %d: %s (kept as .bad)\n",
				safe_path(), err.line, err.what);
		set_aside();
	} else {
		LM_INFO("state_file: %u destinations back (%u blocks, %u limits, %u "
				"back-offs), %u not tracked: table full\n",
				r.n, r.blocks, r.limits, r.backoffs, r.full);
	}
	free(buf);
	return 1;
}

static void rg_state_timer(unsigned int ticks, void *param)
{
	(void)ticks;
	(void)param;
	rg_state_file_save(0);
}

int rg_state_file_init(const char *path, int interval_s)
{
	rg_state_path = path;
	rg_state_interval = interval_s;
	if(rg_state_path == NULL || *rg_state_path == '\0')
		return 0;
	remove_stale_temps();
	rg_state_loaded = load();
	/* a process of its own: an fsync never holds up tm's timers */
	if(register_basic_timers(1) < 0) {
		LM_ERR("cannot register the state_file process\n");
		return -1;
	}
	return 0;
}

int rg_state_file_child_init(int rank)
{
	if(rank != PROC_MAIN || rg_state_path == NULL || *rg_state_path == '\0')
		return 0;
	if(fork_basic_timer(PROC_TIMER, "replyguard state_file", 1,
			   rg_state_timer, NULL, (unsigned int)rg_state_interval)
			< 0) {
		LM_ERR("cannot start the state_file process\n");
		return -1;
	}
	return 0;
}

/* every record, then the end line; 0 or -1 */
static int write_all(FILE *f, int nolock)
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
		if(!rg_op_save_slot(rg_tbl, slot, wall, now, &rec, nolock))
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

/* the rename is durable once the directory is synced */
static void sync_dir(void)
{
	char dir[1024];
	int fd;

	if(snprintf(dir, sizeof(dir), "%s", rg_state_path) >= (int)sizeof(dir))
		return;
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if(fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

void rg_state_file_save(int at_exit)
{
	char tmp[1024];
	FILE *f;
	int fd, ok, e;

	if(!rg_state_loaded || rg_tbl == NULL)
		return;
	/* a new name each time, created by us alone (O_EXCL), mode 0600 */
	if(snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", rg_state_path)
			>= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	fd = mkstemp(tmp);
	if(fd < 0)
		goto fail;
	f = fdopen(fd, "w");
	if(f == NULL) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		goto fail;
	}
	ok = write_all(f, at_exit) == 0 && fflush(f) == 0 && fsync(fd) == 0;
	e = errno;
	if(fclose(f) != 0 && ok) {
		ok = 0;
		e = errno;
	}
	if(ok && rename(tmp, rg_state_path) < 0) {
		ok = 0;
		e = errno;
	}
	if(!ok) {
		unlink(tmp);
		errno = e;
		goto fail;
	}
	sync_dir();
	if(rg_state_failing)
		LM_NOTICE("state_file %s: written again\n", safe_path());
	rg_state_failing = 0;
	return;

fail:
	if(!rg_state_failing)
		LM_ERR("state_file %s: cannot write (%s); will retry every %d s\n",
				safe_path(), strerror(errno), rg_state_interval);
	rg_state_failing = 1;
}
