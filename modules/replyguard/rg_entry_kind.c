/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each kind of operation may touch (from RG_OP_KINDS, its one
 * list), and what can be told of an entry without its lock: one switch
 * listing every kind (no default), so -Wswitch names a forgotten one.
 */
#include "rg_entry_kind.h"

#define RG_OP_G(kind, g, f) g,
#define RG_OP_F(kind, g, f) f,
static const unsigned char rg_op_guard[] = {RG_OP_KINDS(RG_OP_G)};
static const unsigned char rg_op_foreign[] = {RG_OP_KINDS(RG_OP_F)};
#undef RG_OP_G
#undef RG_OP_F
_Static_assert(sizeof(rg_op_guard) == RG_OP_KINDS_N
					   && sizeof(rg_op_foreign) == RG_OP_KINDS_N,
		"one property of each kind");

int rg_entry_moves_guard(enum rg_op_kind kind)
{
	return (unsigned int)kind < RG_OP_KINDS_N && rg_op_guard[kind];
}

int rg_entry_foreign(enum rg_op_kind kind, int has_ver)
{
	if((unsigned int)kind >= RG_OP_KINDS_N)
		return 0;
	return rg_op_foreign[kind] == RG_OPF_VER ? has_ver != 0
											 : rg_op_foreign[kind];
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
