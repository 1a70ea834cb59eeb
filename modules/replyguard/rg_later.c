/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/mem/shm_mem.h"
#include "core/script_cb.h"
#include "modules/tm/h_table.h"

#include "rg_host.h"
#include "rg_later.h"
#include "rg_queue.h"

static struct rg_queue *rg_lq;
static void (*rg_lrun)(const struct rg_change *);

/* shared: how many wait (a hint read without the queue's lock), whether
 * a process is running them, and the last drop's log time */
static struct rg_later_sh
{
	int waiting;
	int running;
	uint64_t deferred;
	uint64_t warned_ms;
} *rg_lsh;

/* how deep this process runs inside tm callbacks (rg_later_hold) */
static int rg_held;

void rg_later_hold(int on)
{
	rg_held += on ? 1 : -1;
}

/* must script code wait: a transaction current (read from tm, never
 * set), or tm's callback running? */
static int must_wait(void)
{
	struct cell *t;

	if(rg_held)
		return 1;
	if(rg_tmb.t_gett == NULL)
		return 0;
	t = rg_tmb.t_gett();
	return t != NULL && t != T_UNDEFINED;
}

static void add(const struct rg_change *chg)
{
	uint64_t now, last;

	/* counted before it is in: a runner never sees fewer than it pops */
	__atomic_add_fetch(&rg_lsh->waiting, 1, __ATOMIC_RELEASE);
	if(rg_queue_push(rg_lq, chg) == 0) {
		__atomic_add_fetch(&rg_lsh->deferred, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_sub_fetch(&rg_lsh->waiting, 1, __ATOMIC_RELEASE);
	now = rg_now_ms();
	last = __atomic_load_n(&rg_lsh->warned_ms, __ATOMIC_RELAXED);
	if(last == 0 || now - last >= 60000) {
		__atomic_store_n(&rg_lsh->warned_ms, now ? now : 1, __ATOMIC_RELAXED);
		LM_WARN("%u changes already wait for their event routes: this one's "
				"event route and dispatcher update are dropped (counted in "
				"replyguard.summary events_dropped; logged once a minute)\n",
				(unsigned int)__atomic_load_n(
						&rg_lsh->waiting, __ATOMIC_RELAXED));
	}
}

void rg_later_apply(const struct rg_change *chg)
{
	if(rg_lsh == NULL)
		return; /* before mod_init: nothing runs script code yet */
	if(must_wait()) {
		add(chg);
		return;
	}
	/* at once when nothing waits and no one runs (it is then the runner:
	 * what others add meanwhile runs after it); else after the others */
	if(__atomic_load_n(&rg_lsh->waiting, __ATOMIC_ACQUIRE) == 0
			&& !__atomic_exchange_n(&rg_lsh->running, 1, __ATOMIC_ACQUIRE)) {
		rg_lrun(chg);
		__atomic_store_n(&rg_lsh->running, 0, __ATOMIC_RELEASE);
	} else
		add(chg);
	rg_later_run();
}

void rg_later_run(void)
{
	static struct rg_change c; /* large: not on the stack */
	int tries;

	if(rg_lsh == NULL || must_wait())
		return;
	/*
	 * A change added while the runner was letting go is not left behind;
	 * one counted but still being copied in is left to the next reply or
	 * the timer, rather than waited for.
	 */
	for(tries = 0;
			tries < 3 && __atomic_load_n(&rg_lsh->waiting, __ATOMIC_ACQUIRE) != 0;
			tries++) {
		if(__atomic_exchange_n(&rg_lsh->running, 1, __ATOMIC_ACQUIRE))
			return; /* another process runs them, in order */
		while(rg_queue_pop(rg_lq, &c) == 1) {
			__atomic_sub_fetch(&rg_lsh->waiting, 1, __ATOMIC_RELEASE);
			rg_lrun(&c);
		}
		__atomic_store_n(&rg_lsh->running, 0, __ATOMIC_RELEASE);
	}
}

/* a reply has been handled (tm has let its transaction go) */
static int after_reply(struct sip_msg *msg, unsigned int flags, void *param)
{
	rg_later_run();
	return 1;
}

int rg_later_init(unsigned int size, void (*run)(const struct rg_change *))
{
	rg_lrun = run;
	rg_lsh = shm_malloc(sizeof(*rg_lsh));
	if(rg_lsh == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(rg_lsh, 0, sizeof(*rg_lsh));
	rg_lq = rg_queue_new(size, sizeof(struct rg_change));
	if(rg_lq == NULL) {
		LM_ERR("no shared memory for %u waiting changes\n", size);
		return -1;
	}
	if(register_script_cb(after_reply, POST_SCRIPT_CB | ONREPLY_CB, NULL)
			< 0) {
		LM_ERR("cannot register the post-reply callback\n");
		return -1;
	}
	return 0;
}

void rg_later_stats(struct rg_later_stats *st)
{
	struct rg_queue_stats qs;

	memset(st, 0, sizeof(*st));
	if(rg_lsh == NULL)
		return;
	rg_queue_stats(rg_lq, &qs);
	st->deferred = __atomic_load_n(&rg_lsh->deferred, __ATOMIC_RELAXED);
	st->dropped = qs.dropped;
	st->waiting = qs.queued;
}
