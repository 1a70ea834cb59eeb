/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-transaction slots (rg_txn.c): the pool, chaining, borrowing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
#include "rg_txn.h"
#include "seam_stub.h"

static int count(struct rg_txn *t)
{
	struct rg_txn_it it = {t, 0};
	int n = 0;

	while(rg_txn_next(&it) != NULL)
		n++;
	return n;
}

static void test_pool_reuse(void **state)
{
	struct rg_txn_pool *p = rg_txn_pool_new(2);
	struct rg_txn_stats st;
	struct rg_txn *a, *b, *c;

	(void)state;
	assert_non_null(p);
	a = rg_txn_get(p);
	b = rg_txn_get(p);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_not_equal(a->id, RG_TXN_BORROWED);
	rg_txn_pool_stats(p, &st);
	assert_int_equal(st.size, 2);
	assert_int_equal(st.in_use, 2);
	assert_int_equal(st.borrowed, 0);
	/* empty: the third is borrowed, and counted */
	c = rg_txn_get(p);
	assert_non_null(c);
	assert_int_equal(c->id, RG_TXN_BORROWED);
	rg_txn_pool_stats(p, &st);
	assert_int_equal(st.borrowed, 1);
	assert_int_equal(st.lent, 1);
	rg_txn_put(p, c);
	rg_txn_put(p, a);
	rg_txn_pool_stats(p, &st);
	assert_int_equal(st.in_use, 1);
	assert_int_equal(st.lent, 0);
	/* a slot given back is taken again, empty */
	a->n = 3;
	c = rg_txn_get(p);
	assert_ptr_equal(c, a);
	assert_int_equal(c->n, 0);
	assert_null(c->next);
	rg_txn_put(p, c);
	rg_txn_put(p, b);
	rg_txn_pool_stats(p, &st);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(stub_locks_held(), 0);
	rg_txn_pool_free(p);
}

static void test_records_chain(void **state)
{
	struct rg_txn_pool *p = rg_txn_pool_new(4);
	struct rg_txn_stats st;
	struct rg_txn_rec *r;
	struct rg_txn *t;
	int i;

	(void)state;
	t = rg_txn_get(p);
	assert_non_null(t);
	rg_txn_lock(p, t);
	assert_null(rg_txn_find(t, 0));
	/* more branches than a slot holds: a second slot is chained */
	for(i = 0; i < RG_TXN_BRANCHES + 3; i++) {
		r = rg_txn_add(p, t, i * 2);
		assert_non_null(r);
		assert_int_equal(r->index, i * 2);
		assert_int_equal(r->flags, 0);
		r->flags = (uint32_t)i + 1;
	}
	rg_txn_unlock(p, t);
	assert_int_equal(stub_locks_held(), 0);
	assert_non_null(t->next);
	assert_int_equal(count(t), RG_TXN_BRANCHES + 3);
	for(i = 0; i < RG_TXN_BRANCHES + 3; i++) {
		r = rg_txn_find(t, i * 2);
		assert_non_null(r);
		assert_int_equal(r->flags, (uint32_t)i + 1);
		assert_null(rg_txn_find(t, i * 2 + 1));
	}
	rg_txn_pool_stats(p, &st);
	assert_int_equal(st.in_use, 2);
	/* the chain goes back whole */
	rg_txn_put(p, t);
	rg_txn_pool_stats(p, &st);
	assert_int_equal(st.in_use, 0);
	rg_txn_pool_free(p);
}

static void test_no_memory(void **state)
{
	struct rg_txn_pool *p = rg_txn_pool_new(0);
	struct rg_txn_stats st;
	struct rg_txn *t;
	int i;

	(void)state;
	assert_non_null(p);
	stub_fail_alloc_in(1);
	assert_null(rg_txn_get(p));
	rg_txn_pool_stats(p, &st);
	assert_int_equal(st.failed, 1);
	t = rg_txn_get(p);
	assert_non_null(t);
	for(i = 0; i < RG_TXN_BRANCHES; i++)
		assert_non_null(rg_txn_add(p, t, i));
	/* a full slot that cannot chain: no record, nothing lost */
	stub_fail_alloc_in(1);
	assert_null(rg_txn_add(p, t, 99));
	assert_int_equal(count(t), RG_TXN_BRANCHES);
	assert_non_null(rg_txn_add(p, t, 99));
	assert_int_equal(count(t), RG_TXN_BRANCHES + 1);
	rg_txn_put(p, t);
	rg_txn_pool_stats(p, &st);
	assert_int_equal(st.borrowed, 2);
	assert_int_equal(st.lent, 0);
	assert_int_equal(st.failed, 2);
	rg_txn_pool_free(p);
	/* the pool itself */
	for(i = 1; i <= 3; i++) {
		stub_fail_alloc_in(i);
		assert_null(rg_txn_pool_new(8));
	}
	stub_fail_alloc_in(0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_pool_reuse),
			cmocka_unit_test(test_records_chain),
			cmocka_unit_test(test_no_memory),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("txn", tests, NULL, NULL);
}
