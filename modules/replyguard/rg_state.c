/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rg_limits.h"
#include "rg_state.h"
#include "rg_text.h"

int rg_state_format(const struct rg_saved *s, char *buf, size_t size)
{
	const struct rg_repl *v = &s->repl;
	int n = snprintf(buf, size,
			"%.*s %" PRIu64 " %u %u %u %u %u %u %u %u %u %u %" PRIu64
			" %016" PRIx64 " %" PRIu64 " %016" PRIx64 " %" PRIu64
			" %016" PRIx64 " %" PRIu64 "\n",
			s->key_len, s->key, s->block_end, (unsigned int)s->reason,
			(unsigned int)s->level, (unsigned int)s->ra_last,
			(unsigned int)s->has_limit, (unsigned int)s->lim.mcps,
			(unsigned int)s->lim.burst, (unsigned int)s->lim.max_concurrent,
			(unsigned int)s->throttled, (unsigned int)s->cur_mcps,
			(unsigned int)s->ceil_mcps, v->blk.clk, v->blk.id, v->lim.clk,
			v->lim.id, v->cut.clk, v->cut.id, v->keep_ms);

	return (n < 0 || (size_t)n >= size) ? -1 : n;
}

int rg_state_format_end(unsigned int n, char *buf, size_t size)
{
	int r = snprintf(buf, size, "end %u\n", n);

	return (r < 0 || (size_t)r >= size) ? -1 : r;
}

/* is the record one the writer would write? NULL, or why not */
static const char *consistent(const struct rg_saved *r)
{
	if(r->block_end == 0 && (r->reason || r->level || r->ra_last))
		return "block fields without a block";
	if(!r->has_limit
			&& (r->lim.mcps || r->lim.burst || r->lim.max_concurrent))
		return "limit fields without a limit";
	if(r->has_limit && r->lim.burst == 0)
		return "a limit with burst 0";
	if(!r->throttled && (r->cur_mcps || r->ceil_mcps))
		return "back-off fields without a back-off";
	return NULL;
}

/* a version: "<clock> <16 hex digits>"; 0 or -1 */
static int version(struct rg_cur *c, struct rg_ver *v, int last)
{
	/* a version's clock is a time: no later than a block's end may be */
	if(rg_cur_num(c, rg_ver_clk(RG_STATE_END_MAX), &v->clk, 0) < 0)
		return -1;
	return rg_cur_hex64(c, &v->id, last);
}

static const char *record(struct rg_cur *c, struct rg_saved *r, int v2)
{
	uint64_t v[11];
	static const uint64_t max[11] = {RG_STATE_END_MAX, 2, UINT16_MAX,
			UINT32_MAX, 1, (uint64_t)RG_LIMIT_MAX * 1000, RG_LIMIT_MAX,
			RG_LIMIT_MAX, 1, UINT32_MAX, UINT32_MAX};
	int i;

	memset(r, 0, sizeof(*r));
	r->key_len = rg_cur_key(c, r->key, 0);
	if(r->key_len < 0)
		return "bad destination key";
	for(i = 0; i < 11; i++) {
		if(rg_cur_num(c, max[i], &v[i], !v2 && i == 10) < 0)
			return "bad number";
	}
	if(v2
			&& (version(c, &r->repl.blk, 0) < 0
					|| version(c, &r->repl.lim, 0) < 0
					|| version(c, &r->repl.cut, 0) < 0
					|| rg_cur_num(c, RG_STATE_END_MAX, &r->repl.keep_ms, 1) < 0))
		return "bad version";
	r->block_end = v[0];
	r->reason = (uint8_t)v[1];
	r->level = (uint16_t)v[2];
	r->ra_last = (uint32_t)v[3];
	r->has_limit = (uint8_t)v[4];
	r->lim.mcps = (uint32_t)v[5];
	r->lim.burst = (uint32_t)v[6];
	r->lim.max_concurrent = (uint32_t)v[7];
	r->throttled = (uint8_t)v[8];
	r->cur_mcps = (uint32_t)v[9];
	r->ceil_mcps = (uint32_t)v[10];
	return consistent(r);
}

/* one pass over the file: check it, and hand out records when `each` */
static int pass(const char *buf, size_t len,
		void (*each)(const struct rg_saved *, void *), void *arg,
		struct rg_state_err *err)
{
	const char *p = buf, *end = buf + len;
	struct rg_saved r;
	struct rg_cur c;
	uint64_t want;
	int line = 0, n = 0, v2 = 1;

	err->line = 0;
	while(p < end) {
		line++;
		err->line = line;
		if(!rg_cur_line(&p, end, &c)) {
			err->what = "truncated (no end line)";
			return -1;
		}
		if(line == 1) {
			v2 = rg_cur_is(&c, RG_STATE_MAGIC);
			if(!v2 && !rg_cur_is(&c, RG_STATE_MAGIC_V1))
				goto foreign;
			continue;
		}
		if(c.end - c.p >= 4 && memcmp(c.p, "end ", 4) == 0) {
			c.p += 4;
			if(rg_cur_num(&c, UINT32_MAX, &want, 1) < 0
					|| want != (uint64_t)n) {
				err->what = "the end line does not count the records";
				return -1;
			}
			if(p != end) {
				err->what = "text after the end line";
				return -1;
			}
			err->line = 0;
			return n;
		}
		if((err->what = record(&c, &r, v2)) != NULL)
			return -1;
		if(each != NULL)
			each(&r, arg);
		n++;
	}
	if(line == 0)
		goto foreign;
	err->line = 0;
	err->what = "truncated (no end line)";
	return -1;

foreign:
	err->line = line;
	err->what = "not a replyguard state file (no " RG_STATE_MAGIC " line)";
	return -1;
}

int rg_state_parse(const char *buf, size_t len,
		void (*each)(const struct rg_saved *s, void *arg), void *arg,
		struct rg_state_err *err)
{
	if(pass(buf, len, NULL, NULL, err) < 0)
		return -1;
	return pass(buf, len, each, arg, err);
}
