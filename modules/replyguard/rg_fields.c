/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_fields.h"
#include "rg_health.h"
#include "rg_throttle.h"

static const struct
{
	enum rg_fkind kind;
	enum rg_fgroup group;
	const char *name;
	const char *milli; /* a rate's thousandths in RPC and $rg */
	const char *pct;   /* a ratio in RPC and JSON */
	const char *pm;	   /* a ratio in $rg */
	const char *prom;
	const char *help;
} rg_fields[RG_F_COUNT] = {
#define RG_X_INFO(id, kind, group, name, prom, help) \
	{kind, group, name, name "_milli", name "_pct", name "_pm", prom, help},
		RG_FIELD_LIST(RG_X_INFO)
#undef RG_X_INFO
};

const char *rg_field_name(enum rg_field f)
{
	if((unsigned int)f >= RG_F_COUNT)
		return NULL;
	return rg_fields[f].kind == RG_FK_RATIO ? rg_fields[f].pct
											: rg_fields[f].name;
}

const char *rg_field_prom_name(enum rg_field f)
{
	return (unsigned int)f < RG_F_COUNT ? rg_fields[f].prom : NULL;
}

const char *rg_field_help(enum rg_field f)
{
	return (unsigned int)f < RG_F_COUNT ? rg_fields[f].help : NULL;
}

enum rg_fgroup rg_field_group(enum rg_field f)
{
	return (unsigned int)f < RG_F_COUNT ? rg_fields[f].group : RG_FG_HEALTH;
}

int rg_field_in_prom(enum rg_field f)
{
	return (unsigned int)f < RG_F_COUNT && rg_fields[f].kind != RG_FK_MS_OPT;
}

/* the gauge of a state: 0 up, 1 probing, 2 down (worse is higher) */
static uint64_t state_gauge(uint64_t v)
{
	if(v == RG_PROBING)
		return 1;
	return v == RG_DOWN ? 2 : 0;
}

static void set(struct rg_fval *o, const char *name, enum rg_fval_type type,
		uint64_t num, const char *str)
{
	o->name = name;
	o->type = type;
	o->num = num;
	o->str = str;
}

int rg_field_show(
		enum rg_field f, uint64_t v, enum rg_out out, struct rg_fval vals[2])
{
	const char *name;
	uint64_t whole;

	if((unsigned int)f >= RG_F_COUNT)
		return 0;
	name = out == RG_OUT_PROM ? rg_fields[f].prom : rg_fields[f].name;
	switch(rg_fields[f].kind) {
		case RG_FK_RATIO:
			if(out == RG_OUT_PROM) {
				if(v == RG_FIELD_ABSENT)
					return 0; /* no series while it is not known */
				set(vals, name, RG_FV_MILLI, v, NULL); /* 0..1 */
				return 1;
			}
			name = out == RG_OUT_PV ? rg_fields[f].pm : rg_fields[f].pct;
			if(v == RG_FIELD_ABSENT)
				set(vals, name, RG_FV_INT, (uint64_t)(int64_t)-1, NULL);
			else
				set(vals, name, out == RG_OUT_PV ? RG_FV_INT : RG_FV_TENTH, v,
						NULL);
			return 1;
		case RG_FK_MS_OPT:
			if(out == RG_OUT_PROM)
				return 0; /* the histogram's */
			set(vals, name, RG_FV_INT,
					v == RG_FIELD_ABSENT ? (uint64_t)(int64_t)-1 : v, NULL);
			return 1;
		case RG_FK_MS_MEAN:
			if(out != RG_OUT_PROM)
				set(vals, name, RG_FV_INT,
						v == RG_FIELD_ABSENT ? (uint64_t)(int64_t)-1 : v, NULL);
			else if(v == RG_FIELD_ABSENT)
				return 0; /* no series while it is not known */
			else
				set(vals, name, RG_FV_MILLI, v, NULL); /* seconds */
			return 1;
		case RG_FK_STATE:
			if(out == RG_OUT_PROM)
				set(vals, name, RG_FV_MILLI, state_gauge(v) * 1000, NULL);
			else
				set(vals, name, RG_FV_STR, v, rg_state_name((enum rg_state)v));
			return 1;
		case RG_FK_LIMIT_SRC:
			if(out == RG_OUT_PROM)
				set(vals, name, RG_FV_MILLI, v * 1000, NULL);
			else
				set(vals, name, RG_FV_STR, v,
						rg_limit_src_name((enum rg_limit_src)v));
			return 1;
		case RG_FK_BOOL:
			if(out == RG_OUT_PROM)
				set(vals, name, RG_FV_MILLI, v ? 1000 : 0, NULL);
			else
				set(vals, name, out == RG_OUT_JSON ? RG_FV_BOOL : RG_FV_UINT,
						v != 0, NULL);
			return 1;
		case RG_FK_MS:
			/* Prometheus wants seconds: ms are its thousandths */
			set(vals, name, out == RG_OUT_PROM ? RG_FV_MILLI : RG_FV_UINT, v,
					NULL);
			return 1;
		case RG_FK_MCPS:
		case RG_FK_MCPS_SEEN:
			if(out == RG_OUT_PROM || out == RG_OUT_JSON) {
				set(vals, name, RG_FV_MILLI, v, NULL);
				return 1;
			}
			whole = v / 1000;
			if(whole == 0 && v != 0 && rg_fields[f].kind == RG_FK_MCPS)
				whole = 1; /* limited is never shown as "no limit" */
			set(&vals[0], name, RG_FV_UINT, whole, NULL);
			set(&vals[1], rg_fields[f].milli, RG_FV_UINT, v, NULL);
			return 2;
		case RG_FK_COUNT:
		case RG_FK_SECS:
		default:
			if(out == RG_OUT_PROM)
				set(vals, name, RG_FV_MILLI, v * 1000, NULL);
			else
				set(vals, name, RG_FV_UINT, v, NULL);
			return 1;
	}
}

/* $rg ids: field * 2, plus 1 for a rate's thousandths */
int rg_field_pv_id(const char *name, size_t len)
{
	int f;

	for(f = 0; f < RG_F_COUNT; f++) {
		if(rg_fields[f].kind == RG_FK_RATIO) {
			if(strlen(rg_fields[f].pm) == len
					&& memcmp(rg_fields[f].pm, name, len) == 0)
				return f * 2;
			continue;
		}
		if(strlen(rg_fields[f].name) == len
				&& memcmp(rg_fields[f].name, name, len) == 0)
			return f * 2;
		if((rg_fields[f].kind == RG_FK_MCPS
				   || rg_fields[f].kind == RG_FK_MCPS_SEEN)
				&& strlen(rg_fields[f].milli) == len
				&& memcmp(rg_fields[f].milli, name, len) == 0)
			return f * 2 + 1;
	}
	return -1;
}

int rg_field_pv_show(int id, const uint64_t v[RG_F_COUNT], struct rg_fval *val)
{
	struct rg_fval vals[2];
	int f = id / 2, n;

	if(id < 0 || f >= RG_F_COUNT)
		return -1;
	n = rg_field_show((enum rg_field)f, v[f], RG_OUT_PV, vals);
	if(id % 2 >= n)
		return -1;
	*val = vals[id % 2];
	return 0;
}
