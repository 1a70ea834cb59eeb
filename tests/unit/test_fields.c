/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot field list (rg_fields.h): every field reaches all four
 * outputs, RPC, $rg, Prometheus and the webhook JSON, under its name and
 * with its value as that output shows it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_notice.h"
#include "rg_prom.h"

/* the list again, read by the test itself */
static const struct
{
	enum rg_field id;
	enum rg_fkind kind;
	enum rg_fgroup group;
	const char *name;
	const char *prom;
} fields[] = {
#define X(id, kind, group, name, prom, help) {RG_F_##id, kind, group, name, prom},
		RG_FIELD_LIST(X)
#undef X
};

#define NF (sizeof(fields) / sizeof(fields[0]))

/* a value of each kind, and how each output must show it */
static uint64_t value_of(enum rg_fkind k)
{
	switch(k) {
		case RG_FK_MS:
			return 1234;
		case RG_FK_MCPS:
		case RG_FK_MCPS_SEEN:
			return 2500;
		case RG_FK_BOOL:
			return 1;
		case RG_FK_STATE:
			return RG_PROBING;
		case RG_FK_LIMIT_SRC:
			return RG_LIM_FILE;
		case RG_FK_RATIO:
			return 455; /* per-mille: 45.5 % */
		case RG_FK_MS_OPT:
		case RG_FK_MS_MEAN:
			return 1234;
		default:
			return 7;
	}
}

/* the name RPC and JSON show (a ratio: its stem and _pct) */
static const char *out_name(unsigned int i, char *buf, size_t n)
{
	if(fields[i].kind != RG_FK_RATIO)
		return fields[i].name;
	snprintf(buf, n, "%s_pct", fields[i].name);
	return buf;
}

static const char *prom_text(enum rg_fkind k)
{
	switch(k) {
		case RG_FK_MS:
		case RG_FK_MS_MEAN:
			return "1.234";
		case RG_FK_RATIO:
			return "0.455";
		case RG_FK_MCPS:
		case RG_FK_MCPS_SEEN:
			return "2.5";
		case RG_FK_BOOL:
		case RG_FK_STATE: /* probing */
		case RG_FK_LIMIT_SRC: /* file */
			return "1";
		default:
			return "7";
	}
}

static const char *json_text(enum rg_fkind k)
{
	switch(k) {
		case RG_FK_MS:
		case RG_FK_MS_OPT:
		case RG_FK_MS_MEAN:
			return "1234";
		case RG_FK_RATIO:
			return "45.5";
		case RG_FK_MCPS:
		case RG_FK_MCPS_SEEN:
			return "2.5";
		case RG_FK_BOOL:
			return "true";
		case RG_FK_STATE:
			return "\"probing\"";
		case RG_FK_LIMIT_SRC:
			return "\"file\"";
		default:
			return "7";
	}
}

static void fill(struct rg_snapshot *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	strcpy(s->key, "k");
	s->key_len = 1;
	for(i = 0; i < NF; i++)
		s->f[fields[i].id] = value_of(fields[i].kind);
}

static void test_list_is_whole(void **state)
{
	unsigned int i, j;
	char buf[64];

	(void)state;
	assert_int_equal(NF, RG_F_COUNT);
	for(i = 0; i < NF; i++) {
		assert_int_equal(fields[i].id, i);
		assert_string_equal(rg_field_name(fields[i].id),
				out_name(i, buf, sizeof(buf)));
		assert_string_equal(rg_field_prom_name(fields[i].id), fields[i].prom);
		assert_non_null(rg_field_help(fields[i].id));
		/* no name is used twice, nor taken from a counter */
		for(j = 0; j < i; j++) {
			assert_string_not_equal(fields[i].name, fields[j].name);
			assert_string_not_equal(fields[i].prom, fields[j].prom);
		}
		for(j = 0; j < RG_C_COUNT; j++)
			assert_string_not_equal(
					fields[i].name, rg_counter_name((enum rg_counter)j));
	}
}

/* RPC: every field gives a named value; a rate gives whole and milli */
static void test_rpc(void **state)
{
	struct rg_fval v[2];
	unsigned int i;
	char buf[64];
	int n;

	(void)state;
	for(i = 0; i < NF; i++) {
		n = rg_field_show(fields[i].id, value_of(fields[i].kind), RG_OUT_RPC, v);
		assert_true(n >= 1);
		assert_string_equal(v[0].name, out_name(i, buf, sizeof(buf)));
		switch(fields[i].kind) {
			case RG_FK_RATIO:
				assert_int_equal(v[0].type, RG_FV_TENTH);
				assert_int_equal(v[0].num, 455);
				rg_field_show(fields[i].id, RG_FIELD_ABSENT, RG_OUT_RPC, v);
				assert_int_equal(v[0].type, RG_FV_INT);
				assert_int_equal(rg_fval_int(&v[0]), -1);
				break;
			case RG_FK_MS_OPT:
			case RG_FK_MS_MEAN:
				assert_int_equal(v[0].type, RG_FV_INT);
				assert_int_equal(rg_fval_int(&v[0]), 1234);
				rg_field_show(fields[i].id, RG_FIELD_ABSENT, RG_OUT_RPC, v);
				assert_int_equal(rg_fval_int(&v[0]), -1);
				break;
			case RG_FK_STATE:
				assert_int_equal(v[0].type, RG_FV_STR);
				assert_string_equal(v[0].str, "probing");
				break;
			case RG_FK_LIMIT_SRC:
				assert_int_equal(v[0].type, RG_FV_STR);
				assert_string_equal(v[0].str, "file");
				break;
			case RG_FK_MCPS:
			case RG_FK_MCPS_SEEN:
				assert_int_equal(n, 2);
				assert_int_equal(v[0].num, 2);
				assert_int_equal(v[1].num, 2500);
				assert_non_null(strstr(v[1].name, "_milli"));
				break;
			default:
				assert_int_equal(n, 1);
				assert_int_equal(v[0].type, RG_FV_UINT);
				assert_int_equal(v[0].num, value_of(fields[i].kind));
		}
	}
	/* limited below one call a second is never shown as "no limit"; a
	 * measured rate is shown as it is */
	rg_field_show(RG_F_CPS_LIMIT, 300, RG_OUT_RPC, v);
	assert_int_equal(v[0].num, 1);
	rg_field_show(RG_F_CPS_RECV, 300, RG_OUT_RPC, v);
	assert_int_equal(v[0].num, 0);
	assert_int_equal(v[1].num, 300);
}

/* $rg: every field's name parses, and reads the snapshot's value */
static void test_pv(void **state)
{
	struct rg_snapshot s;
	struct rg_fval v;
	unsigned int i;
	char milli[64];
	int id;

	(void)state;
	fill(&s);
	for(i = 0; i < NF; i++) {
		if(fields[i].kind == RG_FK_RATIO) {
			/* per-mille, under <stem>_pm; -1 while absent */
			snprintf(milli, sizeof(milli), "%s_pm", fields[i].name);
			id = rg_field_pv_id(milli, strlen(milli));
			assert_true(id >= 0);
			assert_int_equal(rg_field_pv_show(id, s.f, &v), 0);
			assert_int_equal(v.type, RG_FV_INT);
			assert_int_equal(rg_fval_int(&v), 455);
			s.f[fields[i].id] = RG_FIELD_ABSENT;
			assert_int_equal(rg_field_pv_show(id, s.f, &v), 0);
			assert_int_equal(rg_fval_int(&v), -1);
			continue;
		}
		id = rg_field_pv_id(fields[i].name, strlen(fields[i].name));
		assert_true(id >= 0);
		assert_int_equal(rg_field_pv_show(id, s.f, &v), 0);
		if(v.type == RG_FV_STR)
			assert_string_equal(v.str,
					fields[i].kind == RG_FK_STATE ? "probing" : "file");
		else if(fields[i].kind == RG_FK_MCPS
				|| fields[i].kind == RG_FK_MCPS_SEEN)
			assert_int_equal(v.num, 2);
		else
			assert_int_equal(v.num, value_of(fields[i].kind));
		if(fields[i].kind == RG_FK_MCPS || fields[i].kind == RG_FK_MCPS_SEEN) {
			snprintf(milli, sizeof(milli), "%s_milli", fields[i].name);
			id = rg_field_pv_id(milli, strlen(milli));
			assert_int_equal(rg_field_pv_show(id, s.f, &v), 0);
			assert_int_equal(v.num, 2500);
		}
	}
	assert_int_equal(rg_field_pv_id("nope", 4), -1);
	assert_int_equal(rg_field_pv_id("state_milli", 11), -1);
	assert_int_equal(rg_field_pv_show(-1, s.f, &v), -1);
	assert_int_equal(rg_field_pv_show(RG_F_COUNT * 2, s.f, &v), -1);
}

/* Prometheus: a gauge family per field, with HELP, TYPE and the value */
static void test_prom(void **state)
{
	static char mem[65536];
	struct rg_prom_totals tot;
	struct rg_snapshot s;
	struct rg_buf b;
	char want[256];
	unsigned int i;

	(void)state;
	fill(&s);
	memset(&tot, 0, sizeof(tot));
	rg_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(rg_prom_write(&s, 1, &tot, &b), 0);
	for(i = 0; i < NF; i++) {
		snprintf(want, sizeof(want), "# TYPE replyguard_%s gauge\n",
				fields[i].prom);
		if(fields[i].kind == RG_FK_MS_OPT) { /* the histogram's */
			assert_null(strstr(mem, want));
			continue;
		}
		assert_non_null(strstr(mem, want));
		snprintf(want, sizeof(want), "\nreplyguard_%s{dst=\"k\"} %s\n",
				fields[i].prom, prom_text(fields[i].kind));
		assert_non_null(strstr(mem, want));
	}
}

/* JSON: every field, the throttle group inside "throttle" */
/* a ratio not known yet has no sample, and its family stays */
static void test_prom_absent(void **state)
{
	static char mem[65536];
	struct rg_prom_totals tot;
	struct rg_snapshot s;
	struct rg_buf b;

	(void)state;
	fill(&s);
	s.f[RG_F_ASR] = RG_FIELD_ABSENT;
	memset(&tot, 0, sizeof(tot));
	rg_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(rg_prom_write(&s, 1, &tot, &b), 0);
	assert_non_null(strstr(mem, "# TYPE replyguard_asr_ratio gauge\n"));
	assert_null(strstr(mem, "\nreplyguard_asr_ratio{"));
	assert_non_null(strstr(mem, "\nreplyguard_ner_ratio{dst=\"k\"} 0.455\n"));
	/* a mean below its samples is the same */
	s.f[RG_F_ACD] = RG_FIELD_ABSENT;
	rg_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(rg_prom_write(&s, 1, &tot, &b), 0);
	assert_non_null(strstr(mem, "# TYPE replyguard_acd_seconds gauge\n"));
	assert_null(strstr(mem, "\nreplyguard_acd_seconds{"));
}

/* the delay histograms are cumulative, with their sum and count; the 503
 * causes are labelled */
static void test_prom_histogram(void **state)
{
	static char mem[65536];
	struct rg_prom_totals tot;
	struct rg_snapshot s;
	struct rg_buf b;

	(void)state;
	fill(&s);
	s.srd.life[1] = 3; /* (50, 150] ms */
	s.srd.life[3] = 1; /* (300, 500] ms */
	s.srd.sum_ms = 700;
	s.srd.count = 4;
	s.causes.slot[0].proto = RG_CAUSE_Q850;
	s.causes.slot[0].num = 34;
	s.causes.slot[0].n = 2;
	s.causes.other = 1;
	memset(&tot, 0, sizeof(tot));
	rg_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(rg_prom_write(&s, 1, &tot, &b), 0);
	assert_non_null(strstr(mem, "# TYPE replyguard_srd_seconds histogram\n"));
	assert_non_null(strstr(mem,
			"\nreplyguard_srd_seconds_bucket{dst=\"k\",le=\"0.05\"} 0\n"
			"replyguard_srd_seconds_bucket{dst=\"k\",le=\"0.15\"} 3\n"
			"replyguard_srd_seconds_bucket{dst=\"k\",le=\"0.3\"} 3\n"
			"replyguard_srd_seconds_bucket{dst=\"k\",le=\"0.5\"} 4\n"));
	assert_non_null(strstr(mem,
			"replyguard_srd_seconds_bucket{dst=\"k\",le=\"+Inf\"} 4\n"
			"replyguard_srd_seconds_sum{dst=\"k\"} 0.7\n"
			"replyguard_srd_seconds_count{dst=\"k\"} 4\n"));
	assert_non_null(strstr(mem, "# TYPE replyguard_srd_2xx_seconds histogram\n"));
	assert_non_null(strstr(mem, "\nreplyguard_replies_503_cause_total{dst=\"k\","
								"protocol=\"q850\",cause=\"34\"} 2\n"));
	assert_non_null(strstr(mem, "\nreplyguard_replies_503_cause_total{dst=\"k\","
								"protocol=\"\",cause=\"other\"} 1\n"));
}

static void test_json(void **state)
{
	char mem[8192], want[256];
	const char *thr, *end;
	struct rg_notice n;
	struct rg_buf b;
	unsigned int i;

	(void)state;
	memset(&n, 0, sizeof(n));
	n.kind = RG_N_DOWN;
	n.retry_after = -1;
	fill(&n.snap);
	rg_buf_init(&b, mem, sizeof(mem));
	assert_int_equal(rg_notice_json(&n, "node", &b), 0);
	thr = strstr(mem, "\"throttle\":{");
	assert_non_null(thr);
	end = strchr(thr, '}');
	assert_non_null(end);
	for(i = 0; i < NF; i++) {
		const char *at;
		char buf[64];

		snprintf(want, sizeof(want), "\"%s\":%s",
				out_name(i, buf, sizeof(buf)), json_text(fields[i].kind));
		at = strstr(mem, want);
		assert_non_null(at);
		if(fields[i].group == RG_FG_THROTTLE)
			assert_true(at > thr && at < end);
		else
			assert_true(at < thr || at > end);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_list_is_whole),
			cmocka_unit_test(test_rpc),
			cmocka_unit_test(test_pv),
			cmocka_unit_test(test_prom),
			cmocka_unit_test(test_prom_absent),
			cmocka_unit_test(test_prom_histogram),
			cmocka_unit_test(test_json),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("fields", tests, NULL, NULL);
}
