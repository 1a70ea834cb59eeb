/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rg_limits.h"
#include "rg_state.h"

int rg_state_format(const struct rg_saved *s, char *buf, size_t size)
{
	int n = snprintf(buf, size,
			"%.*s %" PRIu64 " %u %u %u %u %u %u %u %u %u %u\n", s->key_len,
			s->key, s->block_end, (unsigned int)s->reason,
			(unsigned int)s->level, (unsigned int)s->ra_last,
			(unsigned int)s->has_limit, (unsigned int)s->lim.mcps,
			(unsigned int)s->lim.burst, (unsigned int)s->lim.max_concurrent,
			(unsigned int)s->throttled, (unsigned int)s->cur_mcps,
			(unsigned int)s->ceil_mcps);

	return (n < 0 || (size_t)n >= size) ? -1 : n;
}

int rg_state_format_end(unsigned int n, char *buf, size_t size)
{
	int r = snprintf(buf, size, "end %u\n", n);

	return (r < 0 || (size_t)r >= size) ? -1 : r;
}

/* a cursor over one line, without its newline */
struct cur
{
	const char *p, *end;
};

/* the next field: up to a space or the line's end; 0 when empty */
static size_t field(struct cur *c, const char **start)
{
	const char *p = c->p;

	while(p < c->end && *p != ' ')
		p++;
	*start = c->p;
	return (size_t)(p - c->p);
}

/* step over the field just read and the one space after it */
static int next(struct cur *c, size_t n, int last)
{
	c->p += n;
	if(last)
		return c->p == c->end ? 0 : -1;
	if(c->p >= c->end || *c->p != ' ')
		return -1;
	c->p++;
	return 0;
}

/* a decimal number no greater than `max` */
static int number(struct cur *c, uint64_t max, uint64_t *v, int last)
{
	const char *s;
	size_t i, n = field(c, &s);
	uint64_t x = 0;

	if(n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1; /* canonical only: no leading zero */
	for(i = 0; i < n; i++) {
		if(s[i] < '0' || s[i] > '9')
			return -1;
		if(x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if(x > max)
		return -1;
	*v = x;
	return next(c, n, last);
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

static const char *record(struct cur *c, struct rg_saved *r)
{
	char norm[RG_KEY_MAX + 1];
	const char *k;
	size_t n = field(c, &k);
	uint64_t v[11];
	static const uint64_t max[11] = {RG_STATE_END_MAX, 2, UINT16_MAX,
			UINT32_MAX, 1, (uint64_t)RG_LIMIT_MAX * 1000, RG_LIMIT_MAX,
			RG_LIMIT_MAX, 1, UINT32_MAX, UINT32_MAX};
	int i;

	if(n == 0 || n > RG_KEY_MAX)
		return "bad destination key";
	/* only what the module itself would store as a key */
	if(rg_key_normalize(k, n, norm) != (int)n || memcmp(norm, k, n) != 0)
		return "bad destination key";
	memset(r, 0, sizeof(*r));
	memcpy(r->key, k, n);
	r->key_len = (int)n;
	if(next(c, n, 0) < 0)
		return "bad field separator";
	for(i = 0; i < 11; i++) {
		if(number(c, max[i], &v[i], i == 10) < 0)
			return "bad number";
	}
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
	const char *p = buf, *end = buf + len, *nl;
	struct rg_saved r;
	struct cur c;
	uint64_t want;
	size_t mlen = sizeof(RG_STATE_MAGIC) - 1;
	int line = 0, n = 0;

	err->line = 0;
	while(p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		err->line = line;
		if(nl == NULL) {
			err->what = "truncated (no end line)";
			return -1;
		}
		c.p = p;
		c.end = nl;
		p = nl + 1;
		if(line == 1) {
			if((size_t)(c.end - c.p) != mlen
					|| memcmp(c.p, RG_STATE_MAGIC, mlen) != 0)
				goto foreign;
			continue;
		}
		if(c.end - c.p >= 4 && memcmp(c.p, "end ", 4) == 0) {
			c.p += 4;
			if(number(&c, UINT32_MAX, &want, 1) < 0 || want != (uint64_t)n) {
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
		if((err->what = record(&c, &r)) != NULL)
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
