/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: a 503's raw header block, as rg_inspect() reads its Reason
 * headers (rg_reason.c over rg_hdr.c's iterator), the whole input as one
 * Reason value, and as a call_specific_causes list. Input: any bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rg_reason.h"

static void sane(const struct rg_cause *c)
{
	if(c->proto == RG_CAUSE_Q850 && c->num > RG_Q850_MAX)
		abort();
	if(c->proto == RG_CAUSE_SIP && (c->num < 100 || c->num > 699))
		abort();
	if(c->proto > RG_CAUSE_SIP)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_cause c = {RG_CAUSE_NONE, 0};
	struct rg_cause_set set;
	char *copy;
	int i;

	/* an exact-size heap copy: ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if(copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if(rg_reason_find(copy, size, &c) < 0)
		abort();
	sane(&c);
	c.proto = RG_CAUSE_NONE;
	if(rg_reason_parse(copy, size, &c) < 0 && c.proto != RG_CAUSE_NONE)
		abort(); /* a broken value leaves the cause alone */
	sane(&c);
	free(copy);
	/* a terminated copy as a modparam list */
	copy = malloc(size + 1);
	if(copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if(rg_cause_q850_parse(copy, &set) < 0) {
		for(i = 0; i < 2; i++)
			if(set.q850[i] != 0)
				abort(); /* refused: empty */
	}
	free(copy);
	return 0;
}
