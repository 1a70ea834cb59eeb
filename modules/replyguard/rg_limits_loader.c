/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#include "core/cfg/cfg_struct.h"
#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/pt.h"
#include "core/sr_module.h"
#include "core/ut.h"

#include "rg_host.h"
#include "rg_limit_admin.h"
#include "rg_limits.h"
#include "rg_limits_db.h"
#include "rg_limits_loader.h"

/* how often a waiting reload looks for the answer */
#define RG_LDR_STEP_US 5000

static int rg_db_timeout_ms; /* db_timeout_ms, read-only once set */

/* where the one request stands; every change under the slot's lock */
enum rg_ldr_state
{
	RG_LDR_IDLE,	  /* no request: the loader is free */
	RG_LDR_WAITING,	  /* asked; a reload waits for the answer */
	RG_LDR_ANSWERED,  /* the answer is in the slot, for the reload */
	RG_LDR_ABANDONED, /* asked, and the reload gave up: the loader
                                           still waits for the database */
};

struct rg_ldr_slot
{
	gen_lock_t lock;
	sem_t wake; /* posted with each request; the loader sleeps on it */
	enum rg_ldr_state state;
	uint32_t asked;	   /* number of the last request */
	uint64_t asked_at; /* when it was asked (rg_now_ms) */
	/* the answer: rows in shm for the reload to apply and free */
	int rc, n;
	struct rg_limit_line *lines;
	char err[256];
};
static struct rg_ldr_slot *rg_ldr;

int rg_limits_loader_init(int timeout_ms)
{
	struct rg_limit_line *lines = NULL;
	char err[256];
	int n = 0, rc;

	rg_db_timeout_ms = timeout_ms;
	if(!rg_limits_db_on())
		return 0;
	if(rg_limits_db_init() < 0)
		return -1;
	/* at start nobody waits: read and apply here, as long as it takes */
	if(rg_limits_begin(err, sizeof(err)) < 0) {
		LM_ERR("db_url: %s\n", err);
		return -1;
	}
	rc = rg_limits_db_read(rg_limits_default(),
			(int)rg_table_capacity(rg_tbl), &lines, &n, err, sizeof(err));
	if(rc == 0)
		rc = rg_limits_apply_locked(
				lines, n, 1, rg_limits_db_table(), err, sizeof(err));
	rg_limits_end();
	if(lines)
		pkg_free(lines);
	if(rc < 0) {
		LM_ERR("db_url: %s\n", err);
		return -1;
	}
	LM_INFO("db_url: %d destinations from table %s\n", n, rg_limits_db_table());
	rg_ldr = shm_mallocxz(sizeof(*rg_ldr));
	if(rg_ldr == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	if(lock_init(&rg_ldr->lock) == NULL || sem_init(&rg_ldr->wake, 1, 0) < 0) {
		LM_ERR("cannot set up the db loader's slot\n");
		shm_free(rg_ldr);
		rg_ldr = NULL;
		return -1;
	}
	register_procs(1);
	cfg_register_child(1); /* its own view of runtime cfg.set changes */
	return 0;
}

/* the rows in shm for the slot: 0, or -1 with the reason in `err` */
static int to_shm(const struct rg_limit_line *lines, int n,
		struct rg_limit_line **out, char *err, size_t errlen)
{
	*out = NULL;
	if(n == 0)
		return 0;
	*out = shm_malloc(sizeof(**out) * (size_t)n);
	if(*out == NULL) {
		snprintf(err, errlen,
				"no shared memory for %d rows (raise -m); the "
				"limits in force are kept",
				n);
		return -1;
	}
	memcpy(*out, lines, sizeof(**out) * (size_t)n);
	return 0;
}

/* the loader: one request, from the read to the answer in the slot */
static void serve(void)
{
	struct rg_limit_line *lines = NULL, *sh = NULL;
	char err[256] = "";
	uint32_t id;
	uint64_t late;
	int n = 0, rc;

	lock_get(&rg_ldr->lock);
	id = rg_ldr->asked;
	rc = rg_ldr->state == RG_LDR_WAITING;
	/* given up before this process woke: nobody waits, nothing to read */
	if(rg_ldr->state == RG_LDR_ABANDONED)
		rg_ldr->state = RG_LDR_IDLE;
	lock_release(&rg_ldr->lock);
	if(!rc)
		return;
	rc = rg_limits_db_read(rg_limits_default(),
			(int)rg_table_capacity(rg_tbl), &lines, &n, err, sizeof(err));
	if(rc == 0)
		rc = to_shm(lines, n, &sh, err, sizeof(err));
	if(lines)
		pkg_free(lines);
	lock_get(&rg_ldr->lock);
	if(rg_ldr->state == RG_LDR_ABANDONED) {
		/* nobody waits for these rows: they are never applied */
		rg_ldr->state = RG_LDR_IDLE;
		late = rg_now_ms() - rg_ldr->asked_at;
		lock_release(&rg_ldr->lock);
		if(sh)
			shm_free(sh);
		LM_NOTICE("db_url: reload %u, given up after db_timeout_ms %d, got "
				  "the database's answer %llu ms after it was asked (%s): "
				  "not applied; reload again\n",
				id, rg_db_timeout_ms, (unsigned long long)late,
				rc == 0 ? "rows read" : err);
		return;
	}
	rg_ldr->rc = rc;
	rg_ldr->n = rc == 0 ? n : 0;
	rg_ldr->lines = sh;
	memcpy(rg_ldr->err, err, sizeof(err));
	rg_ldr->state = RG_LDR_ANSWERED;
	lock_release(&rg_ldr->lock);
}

int rg_limits_loader_child_init(int rank)
{
	int pid;

	if(rank != PROC_MAIN || rg_ldr == NULL)
		return 0;
	pid = fork_process(PROC_NOCHLDINIT, "replyguard db loader", 1);
	if(pid < 0) {
		LM_ERR("cannot fork the db loader process\n");
		return -1;
	}
	if(pid == 0) {
		if(cfg_child_init())
			return -1;
		for(;;) {
			if(sem_wait(&rg_ldr->wake) == 0) {
				cfg_update();
				serve();
			}
			else if(errno != EINTR)
				sleep_us(RG_LDR_STEP_US);
		}
	}
	return 0;
}

/*
 * Wait for the answer to the request asked at `t0`, up to the bound:
 * 1 with the answer taken out of the slot (rc, n, lines, err), or 0 when
 * the bound passed and the request is given up.
 */
static int wait_answer(uint64_t t0, int *rc, int *n,
		struct rg_limit_line **lines, char *err, size_t errlen)
{
	int got;

	for(;;) {
		lock_get(&rg_ldr->lock);
		got = rg_ldr->state == RG_LDR_ANSWERED;
		if(!got && rg_now_ms() - t0 >= (uint64_t)rg_db_timeout_ms)
			rg_ldr->state = RG_LDR_ABANDONED;
		if(got || rg_ldr->state == RG_LDR_ABANDONED)
			break;
		lock_release(&rg_ldr->lock);
		sleep_us(RG_LDR_STEP_US);
	}
	if(got) {
		*rc = rg_ldr->rc;
		*n = rg_ldr->n;
		*lines = rg_ldr->lines;
		rg_ldr->lines = NULL;
		snprintf(err, errlen, "%s", rg_ldr->err);
		rg_ldr->state = RG_LDR_IDLE;
	}
	lock_release(&rg_ldr->lock);
	return got;
}

/* a request in the slot at `*t0`: 0, or -1 when the loader is not free */
static int ask(uint64_t *t0, char *err, size_t errlen)
{
	uint64_t since;
	int idle;

	lock_get(&rg_ldr->lock);
	idle = rg_ldr->state == RG_LDR_IDLE;
	*t0 = rg_now_ms();
	since = *t0 - rg_ldr->asked_at;
	if(idle) {
		rg_ldr->state = RG_LDR_WAITING;
		rg_ldr->asked++;
		rg_ldr->asked_at = *t0;
	}
	lock_release(&rg_ldr->lock);
	if(!idle) {
		snprintf(err, errlen,
				"the previous reload is still waiting for the "
				"database (asked %llu ms ago); the limits in "
				"force are kept",
				(unsigned long long)since);
		return -1;
	}
	sem_post(&rg_ldr->wake);
	return 0;
}

int rg_limits_loader_reload(int *n, char *err, size_t errlen)
{
	struct rg_limit_line *lines = NULL;
	uint64_t t0;
	int rc = -1;

	*n = 0;
	if(rg_ldr == NULL) {
		snprintf(err, errlen, "no db loader (db_url is not set)");
		return -1;
	}
	/* one load at a time, from the request to the apply */
	if(rg_limits_begin(err, errlen) < 0)
		return -1;
	if(ask(&t0, err, errlen) < 0)
		goto done;
	if(!wait_answer(t0, &rc, n, &lines, err, errlen)) {
		snprintf(err, errlen,
				"the database did not answer within %d ms "
				"(db_timeout_ms); the limits in force are kept",
				rg_db_timeout_ms);
		rc = -1;
		goto done;
	}
	if(rc == 0)
		rc = rg_limits_apply_locked(
				lines, *n, 0, rg_limits_db_table(), err, errlen);
	if(lines)
		shm_free(lines);
done:
	rg_limits_end();
	if(rc < 0)
		*n = 0;
	return rc;
}
