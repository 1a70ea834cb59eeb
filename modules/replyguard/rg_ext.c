/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "rg_ext.h"

int rg_ext_has_tag(const struct rg_ext_set *es, int tag)
{
	int i;

	for(i = 0; i < es->npairs; i++) {
		if(es->pairs[i].tag == tag)
			return 1;
	}
	return 0;
}

static void count_inactive(struct rg_ext_set *es)
{
	int i, n = 0;

	for(i = 0; i < es->npairs; i++)
		n += es->pairs[i].inactive != 0;
	es->ninactive = (uint8_t)n;
}

/* drop pair `i`, and its name when no other pair uses it */
static void drop_pair(struct rg_ext_set *es, int i)
{
	int j, name = es->pairs[i].name;

	for(j = i; j + 1 < es->npairs; j++)
		es->pairs[j] = es->pairs[j + 1];
	es->npairs--;
	es->gen++;
	for(j = 0; j < es->npairs; j++) {
		if(es->pairs[j].name == name)
			return;
	}
	es->len[name] = 0;
	es->names[name][0] = '\0';
}

static void set_name(struct rg_ext_set *es, int i, const struct rg_ext *x)
{
	es->len[i] = (uint8_t)x->len;
	memcpy(es->names[i], x->name, (size_t)x->len);
	es->names[i][x->len] = '\0';
}

/* the index of name `x`, added when new and there is room; -1 if not */
static int name_index(struct rg_ext_set *es, const struct rg_ext *x)
{
	int i, j, pinned;

	for(i = 0; i < RG_EXT_NAMES; i++) {
		if(es->len[i] == x->len
				&& memcmp(es->names[i], x->name, (size_t)x->len) == 0)
			return i;
	}
	for(i = 0; i < RG_EXT_NAMES && es->len[i] != 0; i++)
		;
	if(i == RG_EXT_NAMES) {
		/* every name in use: free one none of whose pairs is inactive */
		for(i = 0; i < RG_EXT_NAMES; i++) {
			pinned = 0;
			for(j = 0; j < es->npairs; j++)
				pinned |= es->pairs[j].name == i && es->pairs[j].inactive;
			if(!pinned)
				break;
		}
		if(i == RG_EXT_NAMES)
			return -1;
		for(j = es->npairs - 1; j >= 0; j--) {
			if(es->pairs[j].name == i)
				drop_pair(es, j);
		}
	}
	set_name(es, i, x);
	return i;
}

void rg_ext_add(struct rg_ext_set *es, const struct rg_ext *x)
{
	struct rg_ext_pair *p;
	int i, n;

	if(x->len <= 0 || x->len > RG_KEY_MAX)
		return;
	n = name_index(es, x);
	if(n < 0)
		return;
	for(i = 0; i < es->npairs; i++) {
		if(es->pairs[i].tag == x->tag && es->pairs[i].name == n)
			return;
	}
	if(es->npairs == RG_EXT_PAIRS) {
		/* the oldest pair that is not waiting to be made active again */
		for(i = 0; i < es->npairs && es->pairs[i].inactive; i++)
			;
		if(i == es->npairs)
			return;
		drop_pair(es, i);
		if(es->len[n] == 0) /* that was its name's last pair */
			set_name(es, n, x);
	}
	p = &es->pairs[es->npairs++];
	p->tag = x->tag;
	p->name = (uint8_t)n;
	p->inactive = 0;
	p->gone = 0;
	es->gen++;
}

void rg_ext_mark(struct rg_ext_set *es, const struct rg_snapshot *s)
{
	const struct rg_ext_pair *p;
	struct rg_ext_pair *q;
	int i, j;

	for(i = 0; i < s->ext_npairs; i++) {
		p = &s->ext_pairs[i];
		for(j = 0; j < es->npairs; j++) {
			q = &es->pairs[j];
			if(q->tag != p->tag
					|| strcmp(es->names[q->name], s->ext_names[p->name]) != 0)
				continue;
			if(p->gone)
				drop_pair(es, j);
			else
				q->inactive = p->inactive;
			break;
		}
	}
	count_inactive(es);
}

void rg_ext_copy(const struct rg_ext_set *es, struct rg_snapshot *s)
{
	s->ext_npairs = es->npairs;
	memcpy(s->ext_pairs, es->pairs, sizeof(s->ext_pairs));
	memcpy(s->ext_names, es->names, sizeof(s->ext_names));
}
