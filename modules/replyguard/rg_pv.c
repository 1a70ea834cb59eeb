/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "core/dprint.h"
#include "core/pvar.h"

#include "rg_buf.h"
#include "rg_dst.h"
#include "rg_events.h"
#include "rg_host.h"
#include "rg_ops.h"
#include "rg_pv.h"

/*
 * Name ids: counters first (their enum value), then window counters
 * (RG_PV_WINDOW + counter), the two that are no snapshot field, then the
 * snapshot fields (RG_PV_FIELD + rg_field_pv_id()).
 */
#define RG_PV_WINDOW 100
#define RG_PV_DST 200
#define RG_PV_RETRY_AFTER 201
#define RG_PV_SET 202
#define RG_PV_FIELD 300

int rg_pv_parse_name(pv_spec_t *sp, str *in)
{
	static const str wprefix = str_init("window.");
	int c;

	if(sp == NULL || in == NULL || in->len <= 0)
		return -1;
	if(in->len == 3 && memcmp(in->s, "dst", 3) == 0) {
		c = RG_PV_DST;
		goto done;
	}
	if(in->len == 11 && memcmp(in->s, "retry_after", 11) == 0) {
		c = RG_PV_RETRY_AFTER;
		goto done;
	}
	if(in->len == 3 && memcmp(in->s, "set", 3) == 0) {
		c = RG_PV_SET;
		goto done;
	}
	c = rg_field_pv_id(in->s, (size_t)in->len);
	if(c >= 0) {
		c += RG_PV_FIELD;
		goto done;
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
	struct rg_fval v;
	uint32_t retry_after = 0;
	int id = param->pvn.u.isname.name.n;
	str s;

	if(id == RG_PV_SET) {
		if(rg_events_set() < 0)
			return pv_get_null(msg, param, res);
		return pv_get_sintval(msg, param, res, rg_events_set());
	}
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
	if(rg_op_snapshot(rg_tbl, &dst->ref, rg_now_ms(), &snap) != RG_OK)
		return pv_get_null(msg, param, res);
	if(id < RG_C_COUNT)
		return pv_get_uintval(msg, param, res, (unsigned int)snap.ctr[id]);
	if(id >= RG_PV_WINDOW && id < RG_PV_WINDOW + RG_C_COUNT)
		return pv_get_uintval(
				msg, param, res, (unsigned int)snap.win[id - RG_PV_WINDOW]);
	if(id < RG_PV_FIELD || rg_field_pv_show(id - RG_PV_FIELD, snap.f, &v) < 0)
		return pv_get_null(msg, param, res);
	if(v.type == RG_FV_STR) {
		s.s = (char *)v.str;
		s.len = (int)strlen(v.str);
		return pv_get_strval(msg, param, res, &s);
	}
	if(v.type == RG_FV_INT)
		return pv_get_sintval(msg, param, res, (long)rg_fval_int(&v));
	return pv_get_uintval(msg, param, res, (unsigned int)v.num);
}
