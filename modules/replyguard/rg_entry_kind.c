/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each kind of operation may touch, and what can be told of an
 * entry without its lock: one switch over the kinds per question, each
 * listing every kind (no default), so -Wswitch names a forgotten one.
 */
#include "rg_entry.h"

/* can `kind` change an entry's sets or its state (read-only ops never
 * take the guard's lock: the shutdown's unlocked walk relies on it) */
int rg_entry_moves_guard(enum rg_op_kind kind)
{
	switch(kind) {
		case RG_OP_ADMIT:
		case RG_OP_REPLY:
		case RG_OP_TIMEOUT:
		case RG_OP_BLOCK:
		case RG_OP_UNBLOCK:
		case RG_OP_TICK:
		case RG_OP_EXT_MARK:
		case RG_OP_SEED:
		case RG_OP_RESTORE:
		case RG_OP_PEER_BLOCK:
		case RG_OP_PEER_UP:
			return 1;
		case RG_OP_NONE:
		case RG_OP_UNADMIT:
		case RG_OP_RELEASE:
		case RG_OP_CALL_END:
		case RG_OP_SET_LIMIT:
		case RG_OP_EXT_PENDING:
		case RG_OP_RESET:
		case RG_OP_WARN:
		case RG_OP_SNAPSHOT:
		case RG_OP_MIN_BLOCKED:
		case RG_OP_SWEEP_LIMITS:
		case RG_OP_EXPIRE:
		case RG_OP_SAVE:
		case RG_OP_PEER_CUT:
		case RG_OP_PEER_DEMAND:
		case RG_OP_CLUSTER_TICK:
			return 0;
	}
	return 0; /* (not a kind: -Wswitch names a forgotten one) */
}

#define PEEK(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* quality is judged (q_epoch set), something was counted in or after
 * the slot it was last judged in, and the clock is in a later slot */
static int quality_due(const struct rg_entry *e, const struct rg_entry_cfg *cfg,
		uint64_t now_ms)
{
	uint32_t q = PEEK(e->q_epoch);

	return q != 0 && (int32_t)(PEEK(e->tally.epoch) - q) >= 0
		   && (int32_t)((uint32_t)(now_ms / cfg->slot_ms) - q) > 0;
}

int rg_entry_peek(const struct rg_entry *e, const struct rg_entry_cfg *cfg,
		enum rg_op_kind kind, uint64_t now_ms)
{
	switch(kind) {
		case RG_OP_TICK:
			/* most entries are up, unthrottled and fine: nothing to do */
			return PEEK(e->health.state) == RG_DOWN || PEEK(e->thr.throttled)
				   || PEEK(e->quality) != 0 || quality_due(e, cfg, now_ms);
		case RG_OP_MIN_BLOCKED:
			return PEEK(e->health.state) == RG_DOWN;
		case RG_OP_CLUSTER_TICK:
			return rg_demand_active(&e->cold->dm, &e->thr);
		case RG_OP_SWEEP_LIMITS:
			return PEEK(e->thr.src) == RG_LIM_FILE;
		case RG_OP_SAVE:
			return PEEK(e->health.state) == RG_DOWN || PEEK(e->thr.throttled)
				   || PEEK(e->thr.src) == RG_LIM_MANUAL
				   || rg_repl_written(&e->cold->repl);
		case RG_OP_EXT_PENDING:
			return PEEK(e->cold->ext.npairs) != 0
				   && (PEEK(e->health.state) == RG_DOWN
						   || PEEK(e->cold->ext.ninactive) != 0);
		case RG_OP_NONE: /* the rest have no cheap answer: take the lock */
		case RG_OP_ADMIT:
		case RG_OP_REPLY:
		case RG_OP_TIMEOUT:
		case RG_OP_UNADMIT:
		case RG_OP_RELEASE:
		case RG_OP_CALL_END:
		case RG_OP_SET_LIMIT:
		case RG_OP_BLOCK:
		case RG_OP_UNBLOCK:
		case RG_OP_EXT_MARK:
		case RG_OP_RESET:
		case RG_OP_WARN:
		case RG_OP_SNAPSHOT:
		case RG_OP_EXPIRE:
		case RG_OP_SEED:
		case RG_OP_RESTORE:
		case RG_OP_PEER_BLOCK:
		case RG_OP_PEER_CUT:
		case RG_OP_PEER_UP:
		case RG_OP_PEER_DEMAND:
			return 1;
	}
	return 1; /* (not a kind: -Wswitch names a forgotten one) */
}
