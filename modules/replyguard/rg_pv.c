/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/pvar.h"

#include "replyguard_mod.h"
#include "rg_buf.h"
#include "rg_dst.h"
#include "rg_pv.h"

/*
 * Field ids: counters first (their enum value), then window counters
 * (RG_PV_WINDOW + counter), then the fields below.
 */
#define RG_PV_WINDOW 100
enum
{
	RG_PV_DST = 200,
	RG_PV_STATE,
	RG_PV_RETRY_AFTER,
	RG_PV_CPS_LIMIT,
	RG_PV_BLOCKED_FOR,
	RG_PV_RETRY_AFTER_LAST,
	RG_PV_PDD_AVG,
	RG_PV_PDD_MAX,
	RG_PV_CONCURRENT,
	RG_PV_MAX_CONCURRENT,
	RG_PV_THROTTLED,
};

static const struct
{
	const char *name;
	int id;
} rg_pv_fields[] = {
		{"dst", RG_PV_DST},
		{"state", RG_PV_STATE},
		{"retry_after", RG_PV_RETRY_AFTER},
		{"cps_limit", RG_PV_CPS_LIMIT},
		{"blocked_for", RG_PV_BLOCKED_FOR},
		{"retry_after_last", RG_PV_RETRY_AFTER_LAST},
		{"pdd_avg_ms", RG_PV_PDD_AVG},
		{"pdd_max_ms", RG_PV_PDD_MAX},
		{"concurrent", RG_PV_CONCURRENT},
		{"max_concurrent", RG_PV_MAX_CONCURRENT},
		{"throttled", RG_PV_THROTTLED},
};

int rg_pv_parse_name(pv_spec_t *sp, str *in)
{
	static const str wprefix = str_init("window.");
	unsigned int i;
	int c;

	if(sp == NULL || in == NULL || in->len <= 0)
		return -1;
	for(i = 0; i < sizeof(rg_pv_fields) / sizeof(rg_pv_fields[0]); i++) {
		if(strlen(rg_pv_fields[i].name) == (size_t)in->len
				&& memcmp(rg_pv_fields[i].name, in->s, in->len) == 0) {
			c = rg_pv_fields[i].id;
			goto done;
		}
	}
	c = rg_counter_by_name(in->s, (size_t)in->len);
	if(c >= 0)
		goto done;
	if(in->len > wprefix.len
			&& memcmp(in->s, wprefix.s, (size_t)wprefix.len) == 0) {
		c = rg_counter_by_name(
				in->s + wprefix.len, (size_t)(in->len - wprefix.len));
		if(c >= 0) {
			c += RG_PV_WINDOW;
			goto done;
		}
	}
	LM_ERR("unknown $rg field [%s]\n", rg_log_safe(in->s, in->len));
	return -1;

done:
	sp->pvp.pvn.type = PV_NAME_INTSTR;
	sp->pvp.pvn.u.isname.type = 0;
	sp->pvp.pvn.u.isname.name.n = c;
	return 0;
}

int rg_pv_get(struct sip_msg *msg, pv_param_t *param, pv_value_t *res)
{
	const struct rg_dst *dst;
	struct rg_snapshot snap;
	uint32_t retry_after = 0;
	int id = param->pvn.u.isname.name.n;
	str s;

	dst = rg_dst_current(msg, &retry_after);
	if(dst == NULL)
		return pv_get_null(msg, param, res);
	if(id == RG_PV_DST) {
		if(dst->key_len == 0)
			return pv_get_null(msg, param, res);
		s.s = (char *)dst->key;
		s.len = dst->key_len;
		return pv_get_strval(msg, param, res, &s);
	}
	if(id == RG_PV_RETRY_AFTER)
		return pv_get_uintval(msg, param, res, retry_after);
	if(rg_table_snapshot(rg_tbl, &dst->ref, rg_now_ms(), &snap) != RG_OK)
		return pv_get_null(msg, param, res);
	if(id < RG_C_COUNT)
		return pv_get_uintval(msg, param, res, (unsigned int)snap.ctr[id]);
	if(id >= RG_PV_WINDOW && id < RG_PV_WINDOW + RG_C_COUNT)
		return pv_get_uintval(
				msg, param, res, (unsigned int)snap.win[id - RG_PV_WINDOW]);
	switch(id) {
		case RG_PV_STATE:
			s.s = (char *)snap.state;
			s.len = (int)strlen(snap.state);
			return pv_get_strval(msg, param, res, &s);
		case RG_PV_CPS_LIMIT:
			return pv_get_uintval(msg, param, res, snap.cps_limit);
		case RG_PV_BLOCKED_FOR:
			return pv_get_uintval(msg, param, res, snap.blocked_for);
		case RG_PV_RETRY_AFTER_LAST:
			return pv_get_uintval(msg, param, res, snap.retry_after_last);
		case RG_PV_PDD_AVG:
			return pv_get_uintval(
					msg, param, res, (unsigned int)snap.pdd_avg_ms);
		case RG_PV_PDD_MAX:
			return pv_get_uintval(
					msg, param, res, (unsigned int)snap.pdd_max_ms);
		case RG_PV_CONCURRENT:
			return pv_get_uintval(msg, param, res, snap.concurrent);
		case RG_PV_MAX_CONCURRENT:
			return pv_get_uintval(msg, param, res, snap.max_concurrent);
		case RG_PV_THROTTLED:
			return pv_get_uintval(msg, param, res, (unsigned int)snap.throttled);
	}
	return pv_get_null(msg, param, res);
}
