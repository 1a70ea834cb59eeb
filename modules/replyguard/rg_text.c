/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_key.h"
#include "rg_text.h"

int rg_cur_line(const char **pos, const char *end, struct rg_cur *c)
{
	const char *nl;

	if(*pos >= end)
		return 0;
	nl = memchr(*pos, '\n', (size_t)(end - *pos));
	if(nl == NULL)
		return 0;
	c->p = *pos;
	c->end = nl;
	*pos = nl + 1;
	return 1;
}

size_t rg_cur_field(struct rg_cur *c, const char **start)
{
	const char *p = c->p;

	while(p < c->end && *p != ' ')
		p++;
	*start = c->p;
	return (size_t)(p - c->p);
}

int rg_cur_next(struct rg_cur *c, size_t n, int last)
{
	c->p += n;
	if(last)
		return c->p == c->end ? 0 : -1;
	if(c->p >= c->end || *c->p != ' ')
		return -1;
	c->p++;
	return 0;
}

int rg_cur_num(struct rg_cur *c, uint64_t max, uint64_t *v, int last)
{
	const char *s;
	size_t i, n = rg_cur_field(c, &s);
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
	return rg_cur_next(c, n, last);
}

int rg_cur_key(struct rg_cur *c, char *out, int last)
{
	const char *k;
	size_t n = rg_cur_field(c, &k);

	if(n == 0 || n > RG_KEY_MAX)
		return -1;
	/* only what the module itself would store as a key */
	if(rg_key_normalize(k, n, out) != (int)n || memcmp(out, k, n) != 0)
		return -1;
	if(rg_cur_next(c, n, last) < 0)
		return -1;
	return (int)n;
}

int rg_cur_hex64(struct rg_cur *c, uint64_t *v, int last)
{
	const char *s;
	size_t i, n = rg_cur_field(c, &s);
	uint64_t x = 0;

	if(n != 16)
		return -1;
	for(i = 0; i < n; i++) {
		if(s[i] >= '0' && s[i] <= '9')
			x = x << 4 | (uint64_t)(s[i] - '0');
		else if(s[i] >= 'a' && s[i] <= 'f')
			x = x << 4 | (uint64_t)(s[i] - 'a' + 10);
		else
			return -1;
	}
	*v = x;
	return rg_cur_next(c, n, last);
}

int rg_cur_is(const struct rg_cur *c, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(c->end - c->p) == n && memcmp(c->p, word, n) == 0;
}
