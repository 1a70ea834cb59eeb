/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every change the glue makes to a destination, one function per
 * operation. Each runs its operation on the table (rg_ops.h) and then,
 * with no lock held, applies what changed: dispatcher is told
 * (rg_dispatcher.c), the event route runs (rg_events.c) and the webhook
 * is queued (rg_webhook.c). This file is the one place changes are
 * applied; no caller has to remember to.
 */
#ifndef RG_UPDATE_H
#define RG_UPDATE_H

#include "rg_ops.h"

/*
 * From mod_init: room for `later_size` changes that wait for no
 * transaction to be current (rg_later.h). 0 or -1.
 */
int rg_update_init(unsigned int later_size);

/* See rg_op_admit_h(); the verdict, or RG_EFULL. */
int rg_update_admit(const char *key, int len, uint32_t hash,
		const struct rg_ext *ext, uint32_t ext_fp,
		uint64_t now_ms, struct rg_admission *adm);

int rg_update_reply(
		const struct rg_ref *ref, const struct rg_reply *r, uint64_t now_ms);

int rg_update_timeout(const struct rg_ref *ref, int failure, int release,
		uint64_t trial, uint64_t now_ms);

/* These change no state that anything outside is told of. */
int rg_update_unadmit(const struct rg_ref *ref, uint64_t admitted_ms, int held,
		uint64_t trial);
int rg_update_release(const struct rg_ref *ref);
/* A measured call's dialog ended (rg_op_call_end). */
int rg_update_call_end(const struct rg_ref *ref, uint64_t ms, int counted,
		int release, uint64_t now_ms);

/* With `quiet` (at start-up, before any worker runs) nothing is applied. */
int rg_update_set_limit(const char *key, int len, const struct rg_limit *lim,
		enum rg_limit_src src, uint32_t gen, uint64_t now_ms, int quiet);

/*
 * After limits-file load `gen`, limits of earlier loads go back to the
 * defaults; how many did. With `quiet`, nothing is applied.
 */
unsigned int rg_update_limits_sweep(uint32_t gen, int quiet);

/* By hand (RPC, script). */
int rg_update_block(const struct rg_ref *ref, uint32_t seconds);
int rg_update_unblock(const struct rg_ref *ref);

/* The timer's transitions of every entry (blocks ended, back-off steps). */
void rg_update_tick_all(void);

/*
 * What node `origin` of the cluster wrote, version `ver`: applied here
 * when newer than what this node holds (rg_repl.h), never sent back out;
 * what it changes is reported as `origin`'s (the webhook's "origin").
 */
int rg_update_peer_block(const char *key, int len, uint64_t left_ms,
		int reason, uint32_t ra_s, const struct rg_ver *ver,
		const char *origin);
int rg_update_peer_unblock(const char *key, int len, const struct rg_ver *ver,
		uint64_t keep_ms, const char *origin);
int rg_update_peer_limit(const char *key, int len, const struct rg_limit *lim,
		const struct rg_ver *ver, const char *origin);
int rg_update_peer_cut(const char *key, int len, uint32_t cur_mcps,
		uint32_t ceil_mcps, const struct rg_ver *ver, const char *origin);

#endif
