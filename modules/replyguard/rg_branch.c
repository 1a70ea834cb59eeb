/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <string.h>

#include "core/dprint.h"
#include "core/dset.h"
#include "core/route.h"
#include "core/xavp.h"
#include "modules/tm/h_table.h"
#include "modules/tm/t_lookup.h"

#include "replyguard_mod.h"
#include "rg_branch.h"

/* one xavp per branch, its value the packed record below */
static str rg_branch_xname = str_init("_replyguard_branch");

/* the record as stored: fixed part, then key bytes */
struct rg_branch_packed
{
	int32_t index;
	uint32_t flags;
	uint64_t t0_ms;
	uint32_t slot;
	uint32_t gen;
	uint32_t key_len;
};

int rg_branch_next_index(struct sip_msg *msg)
{
	struct cell *t;
	tm_ctx_t *tcx;

	if(is_route_type(BRANCH_ROUTE)) {
		tcx = rg_tmb.tm_ctx_get();
		return tcx ? tcx->branch_index : -1;
	}
	t = rg_tmb.t_gett();
	if(t != NULL && t != T_UNDEFINED)
		return (int)t->nr_of_outgoings + (int)nr_branches;
	return (int)nr_branches;
}

int rg_branch_reply_index(void)
{
	tm_ctx_t *tcx = rg_tmb.tm_ctx_get();

	return tcx ? tcx->branch_index : -1;
}

static sr_xavp_t *find_xavp(int index)
{
	sr_xavp_t *x;
	struct rg_branch_packed p;

	for(x = xavp_get(&rg_branch_xname, NULL); x; x = xavp_get_next(x)) {
		if(x->val.type != SR_XTYPE_STR
				|| (size_t)x->val.v.s.len < sizeof(p))
			continue;
		memcpy(&p, x->val.v.s.s, sizeof(p));
		if(p.index == index)
			return x;
	}
	return NULL;
}

int rg_branch_save(const struct rg_branch *br)
{
	char buf[sizeof(struct rg_branch_packed) + RG_KEY_MAX];
	struct rg_branch_packed p;
	sr_xavp_t *old;
	sr_xval_t val;

	p.index = br->index;
	p.flags = br->flags;
	p.t0_ms = br->t0_ms;
	p.slot = br->dst.ref.slot;
	p.gen = br->dst.ref.gen;
	p.key_len = (uint32_t)br->dst.key_len;
	memcpy(buf, &p, sizeof(p));
	memcpy(buf + sizeof(p), br->dst.key, (size_t)br->dst.key_len);

	/* a branch admitted twice keeps only the last destination */
	old = find_xavp(br->index);
	if(old)
		xavp_rm(old, NULL);

	memset(&val, 0, sizeof(val));
	val.type = SR_XTYPE_STR;
	val.v.s.s = buf;
	val.v.s.len = (int)(sizeof(p) + (size_t)br->dst.key_len);
	if(xavp_add_value(&rg_branch_xname, &val, NULL) == NULL) {
		LM_ERR("no shared memory for the record of branch %d\n", br->index);
		return -1;
	}
	return 0;
}

int rg_branch_find(int index, struct rg_branch *br, void **handle)
{
	struct rg_branch_packed p;
	sr_xavp_t *x;

	x = find_xavp(index);
	if(x == NULL)
		return -1;
	memcpy(&p, x->val.v.s.s, sizeof(p));
	if(p.key_len > RG_KEY_MAX
			|| (size_t)x->val.v.s.len != sizeof(p) + p.key_len)
		return -1;
	br->index = p.index;
	br->flags = p.flags;
	br->t0_ms = p.t0_ms;
	br->dst.ref.slot = p.slot;
	br->dst.ref.gen = p.gen;
	br->dst.key_len = (int)p.key_len;
	memcpy(br->dst.key, x->val.v.s.s + sizeof(p), p.key_len);
	br->dst.key[p.key_len] = '\0';
	*handle = x;
	return 0;
}

void rg_branch_set_flags(void *handle, uint32_t flags)
{
	sr_xavp_t *x = handle;

	memcpy(x->val.v.s.s + offsetof(struct rg_branch_packed, flags), &flags,
			sizeof(flags));
}
