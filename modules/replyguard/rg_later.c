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

int rg_later_in_txn(void)
{
	struct cell *t;

	if(rg_tmb.t_gett == NULL)
		return 0;
	t = rg_tmb.t_gett();
	return t != NULL && t != T_UNDEFINED;
}

int rg_later_add(const struct rg_change *chg)
{
	uint64_t now;

	if(rg_queue_push(rg_lq, chg) == 0) {
		__atomic_add_fetch(&rg_lsh->waiting, 1, __ATOMIC_RELEASE);
		__atomic_add_fetch(&rg_lsh->deferred, 1, __ATOMIC_RELAXED);
		return 0;
	}
	now = rg_now_ms();
	if(now - __atomic_load_n(&rg_lsh->warned_ms, __ATOMIC_RELAXED) >= 60000
			|| __atomic_load_n(&rg_lsh->warned_ms, __ATOMIC_RELAXED) == 0) {
		__atomic_store_n(&rg_lsh->warned_ms, now ? now : 1, __ATOMIC_RELAXED);
		LM_WARN("%u changes already wait for their event routes: this one's "
				"event route and dispatcher update are dropped (counted in "
				"replyguard.summary events_dropped; logged once a minute)\n",
				(unsigned int)__atomic_load_n(
						&rg_lsh->waiting, __ATOMIC_RELAXED));
	}
	return -1;
}

void rg_later_run(void)
{
	static struct rg_change c; /* large: not on the stack */

	if(rg_lsh == NULL
			|| __atomic_load_n(&rg_lsh->waiting, __ATOMIC_ACQUIRE) == 0
			|| rg_later_in_txn())
		return;
	if(__atomic_exchange_n(&rg_lsh->running, 1, __ATOMIC_ACQUIRE))
		return; /* another process runs them, in order */
	while(rg_queue_pop(rg_lq, &c) == 1) {
		__atomic_sub_fetch(&rg_lsh->waiting, 1, __ATOMIC_RELEASE);
		rg_lrun(&c);
	}
	__atomic_store_n(&rg_lsh->running, 0, __ATOMIC_RELEASE);
}

/* a reply has been handled (tm has let its transaction go) */
static int after_reply(struct sip_msg *msg, unsigned int flags, void *param)
{
	rg_later_run();
	return 1;
}

/* a request comes in: what an earlier timer or script left waits no more */
static int before_request(struct sip_msg *msg, unsigned int flags, void *param)
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
	if(register_script_cb(after_reply, POST_SCRIPT_CB | ONREPLY_CB, NULL) < 0
			|| register_script_cb(
					   before_request, PRE_SCRIPT_CB | REQUEST_CB, NULL)
					   < 0) {
		LM_ERR("cannot register the script callbacks\n");
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
