/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bounded shared-memory FIFO (rg_queue.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rg_queue.h"
#include "seam_stub.h"

struct item
{
	int n;
	char pad[13];
};

static void test_fifo_and_drops(void **state)
{
	struct rg_queue_stats st;
	struct rg_queue *q = rg_queue_new(3, sizeof(struct item));
	struct item it;
	int i, got;

	(void)state;
	assert_non_null(q);
	/* wrap around several times: order kept, nothing lost */
	for(i = 0; i < 10; i++) {
		memset(&it, 0, sizeof(it));
		it.n = i;
		assert_int_equal(rg_queue_push(q, &it), 0);
		if(i % 2 == 1) {
			assert_int_equal(rg_queue_pop(q, &it), 1);
			assert_int_equal(it.n, i - 1);
			assert_int_equal(rg_queue_pop(q, &it), 1);
			assert_int_equal(it.n, i);
		}
	}
	assert_int_equal(rg_queue_pop(q, &it), 0);

	for(i = 0; i < 5; i++) {
		it.n = 100 + i;
		assert_int_equal(rg_queue_push(q, &it), i < 3 ? 0 : -1);
	}
	rg_queue_stats(q, &st);
	assert_int_equal(st.queued, 3);
	assert_int_equal(st.capacity, 3);
	assert_int_equal(st.pushed, 13);
	assert_int_equal(st.dropped, 2);
	for(got = 0; rg_queue_pop(q, &it) == 1; got++)
		assert_int_equal(it.n, 100 + got);
	assert_int_equal(got, 3);
	assert_int_equal(stub_locks_held(), 0);
	rg_queue_free(q);
}

static void test_bad_args_and_no_memory(void **state)
{
	(void)state;
	assert_null(rg_queue_new(0, 8));
	assert_null(rg_queue_new(8, 0));
	assert_null(rg_queue_new(0xffffffffu, (size_t)-1 / 2));
	stub_fail_alloc_in(1);
	assert_null(rg_queue_new(4, 8));
	/* the lock set's allocation fails: the queue is given back */
	stub_fail_alloc_in(2);
	assert_null(rg_queue_new(4, 8));
	stub_fail_alloc_in(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_fifo_and_drops),
			cmocka_unit_test(test_bad_args_and_no_memory),
	};

	return cmocka_run_group_tests_name("queue", tests, NULL, NULL);
}
