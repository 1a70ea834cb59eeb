/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's seam for unit tests: shared memory is cmocka's checked heap,
 * so leaks and overruns fail the test; locks are counters that fail the
 * test on a double lock or an unlock of a free lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rg_seam.h"
#include "seam_stub.h"

struct rg_lockset
{
	unsigned int n;
	int *held;
};

static int fail_in;
static int held_total;

void stub_fail_alloc_in(int n)
{
	fail_in = n;
}

int stub_locks_held(void)
{
	return held_total;
}

void *rg_shm_zalloc(size_t size)
{
	if(fail_in > 0 && --fail_in == 0)
		return NULL;
	return test_calloc(1, size);
}

void rg_shm_free(void *p)
{
	if(p)
		test_free(p);
}

struct rg_lockset *rg_lockset_new(unsigned int n)
{
	struct rg_lockset *ls = rg_shm_zalloc(sizeof(*ls));

	if(ls == NULL)
		return NULL;
	ls->n = n;
	ls->held = rg_shm_zalloc(sizeof(int) * n);
	if(ls->held == NULL) {
		rg_shm_free(ls);
		return NULL;
	}
	return ls;
}

void rg_lockset_free(struct rg_lockset *ls)
{
	if(ls == NULL)
		return;
	rg_shm_free(ls->held);
	rg_shm_free(ls);
}

void rg_lock(struct rg_lockset *ls, unsigned int i)
{
	assert_true(i < ls->n);
	assert_int_equal(ls->held[i], 0); /* non-recursive: would deadlock */
	ls->held[i] = 1;
	held_total++;
}

void rg_unlock(struct rg_lockset *ls, unsigned int i)
{
	assert_true(i < ls->n);
	assert_int_equal(ls->held[i], 1);
	ls->held[i] = 0;
	held_total--;
}
