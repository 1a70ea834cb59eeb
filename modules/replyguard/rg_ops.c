/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>

#include "rg_ops.h"

int rg_op_lookup(struct rg_table *t, const char *key, int len, int create,
		uint64_t now_ms, struct rg_ref *ref)
{
	struct rg_op op = {.kind = RG_OP_NONE};

	return rg_table_apply_key(t, key, len, create, &op, now_ms, ref, NULL);
}

int rg_op_admit(struct rg_table *t, const char *key, int len,
		const struct rg_ext *ext, uint64_t now_ms, struct rg_admission *out,
		struct rg_change *chg)
{
	struct rg_op op = {.kind = RG_OP_ADMIT};

	op.u.admit.ext = ext;
	op.u.admit.out = out;
	return rg_table_apply_key(t, key, len, 1, &op, now_ms, &out->ref, chg);
}

int rg_op_reply(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_reply *r, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op = {.kind = RG_OP_REPLY};

	op.u.reply = r;
	return rg_table_apply(t, ref, &op, now_ms, chg);
}

int rg_op_timeout(struct rg_table *t, const struct rg_ref *ref, int failure,
		int release, uint64_t trial, uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op = {.kind = RG_OP_TIMEOUT};

	op.u.timeout.failure = failure;
	op.u.timeout.release = release;
	op.u.timeout.trial = trial;
	return rg_table_apply(t, ref, &op, now_ms, chg);
}

int rg_op_unadmit(struct rg_table *t, const struct rg_ref *ref,
		uint64_t admitted_ms, int held, uint64_t trial, uint64_t now_ms)
{
	struct rg_op op = {.kind = RG_OP_UNADMIT};

	op.u.unadmit.admitted_ms = admitted_ms;
	op.u.unadmit.held = held;
	op.u.unadmit.trial = trial;
	return rg_table_apply(t, ref, &op, now_ms, NULL);
}

int rg_op_release(struct rg_table *t, const struct rg_ref *ref)
{
	struct rg_op op = {.kind = RG_OP_RELEASE};

	return rg_table_apply(t, ref, &op, 0, NULL);
}

int rg_op_set_limit(struct rg_table *t, const char *key, int len,
		const struct rg_limit *lim, enum rg_limit_src src, uint32_t gen,
		uint64_t now_ms, struct rg_ref *ref, struct rg_change *chg)
{
	struct rg_op op = {.kind = RG_OP_SET_LIMIT};

	op.u.limit.lim = lim;
	op.u.limit.src = src;
	op.u.limit.gen = gen;
	return rg_table_apply_key(t, key, len, 1, &op, now_ms, ref, chg);
}

unsigned int rg_op_limits_sweep(struct rg_table *t, uint32_t gen)
{
	struct rg_op op = {.kind = RG_OP_SWEEP_LIMITS};

	op.u.sweep_gen = gen;
	return rg_table_walk(t, &op, 0, 0);
}

int rg_op_block(struct rg_table *t, const struct rg_ref *ref, uint32_t seconds,
		uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op = {.kind = RG_OP_BLOCK};

	op.u.block_s = seconds;
	return rg_table_apply(t, ref, &op, now_ms, chg);
}

int rg_op_unblock(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_change *chg)
{
	struct rg_op op = {.kind = RG_OP_UNBLOCK};

	return rg_table_apply(t, ref, &op, now_ms, chg);
}

int rg_op_tick_slot(struct rg_table *t, unsigned int slot, uint64_t now_ms,
		struct rg_change *chg)
{
	struct rg_op op = {.kind = RG_OP_TICK};

	if(rg_table_apply_slot(t, slot, &op, now_ms, NULL, chg) != RG_OK)
		return 0;
	return chg->ev != RG_EV_NONE || chg->tev != RG_TEV_NONE;
}

int rg_op_snapshot(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, struct rg_snapshot *snap)
{
	struct rg_op op = {.kind = RG_OP_SNAPSHOT};

	op.u.snap = snap;
	return rg_table_apply(t, ref, &op, now_ms, NULL);
}

int rg_op_snapshot_slot(struct rg_table *t, unsigned int slot,
		uint64_t now_ms, struct rg_snapshot *snap)
{
	struct rg_op op = {.kind = RG_OP_SNAPSHOT};

	op.u.snap = snap;
	return rg_table_apply_slot(t, slot, &op, now_ms, NULL, NULL);
}

int rg_op_min_blocked(
		struct rg_table *t, int tag, uint64_t now_ms, uint32_t *secs)
{
	struct rg_op op = {.kind = RG_OP_MIN_BLOCKED};
	unsigned int slot, cap = rg_table_capacity(t);

	op.u.blocked.tag = tag;
	op.u.blocked.n = 0;
	op.u.blocked.secs = 0;
	for(slot = 0; slot < cap; slot++)
		rg_table_apply_slot(t, slot, &op, now_ms, NULL, NULL);
	*secs = op.u.blocked.secs;
	return op.u.blocked.n;
}

int rg_op_reset(struct rg_table *t, const struct rg_ref *ref)
{
	struct rg_op op = {.kind = RG_OP_RESET};

	if(ref != NULL)
		return rg_table_apply(t, ref, &op, 0, NULL);
	rg_table_walk(t, &op, 0, 0);
	return RG_OK;
}

unsigned int rg_op_expire(struct rg_table *t, uint64_t now_ms)
{
	struct rg_op op = {.kind = RG_OP_EXPIRE};

	return rg_table_walk(t, &op, now_ms, 1);
}

int rg_op_ext_mark(struct rg_table *t, const struct rg_ref *ref,
		const struct rg_snapshot *s)
{
	struct rg_op op = {.kind = RG_OP_EXT_MARK};

	op.u.mark = s;
	return rg_table_apply(t, ref, &op, 0, NULL);
}

int rg_op_ext_pending_slot(
		struct rg_table *t, unsigned int slot, struct rg_ref *ref)
{
	struct rg_op op = {.kind = RG_OP_EXT_PENDING};

	return rg_table_apply_slot(t, slot, &op, 0, ref, NULL) == 1;
}

int rg_op_warn_due(struct rg_table *t, const struct rg_ref *ref,
		uint64_t now_ms, uint64_t interval_ms)
{
	struct rg_op op = {.kind = RG_OP_WARN};

	op.u.warn_interval_ms = interval_ms;
	return rg_table_apply(t, ref, &op, now_ms, NULL) == 1;
}
