/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bounded shared-memory FIFO (rg_queue.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"
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

/* a subject and its state: subject 'a'..'z', state a number */
struct word
{
	char subj;
	int state;
};

static int same_subj(const void *a, const void *b)
{
	return ((const struct word *)a)->subj == ((const struct word *)b)->subj;
}

static int push_w(struct rg_queue *q, char subj, int state)
{
	struct word w = {subj, state};

	return rg_queue_push_last(q, &w, same_subj);
}

/* drain `q`: the last state of each subject, in `last` (by letter), and
 * the words in order in `seq` */
static int drain(struct rg_queue *q, int last[26], char *seq)
{
	struct word w;
	int n = 0;

	while(rg_queue_pop(q, &w) == 1) {
		last[w.subj - 'a'] = w.state;
		seq[n++] = w.subj;
	}
	seq[n] = '\0';
	return n;
}

static void test_last_word(void **state)
{
	struct rg_queue *q = rg_queue_new(4, sizeof(struct word));
	struct rg_queue_stats st;
	int last[26];
	char seq[16];

	(void)state;
	assert_non_null(q);
	/* room: every word queued, in order */
	assert_int_equal(push_w(q, 'a', 1), 0);
	assert_int_equal(push_w(q, 'b', 1), 0);
	assert_int_equal(push_w(q, 'a', 2), 0);
	assert_int_equal(push_w(q, 'c', 1), 0);
	/* full: a's newest word becomes a:3 (a:1 stays before it) */
	assert_int_equal(push_w(q, 'a', 3), 1);
	/* full, nothing of d queued: a:1, which a later a follows, makes
	 * room; never b:1 or c:1, the last of theirs */
	assert_int_equal(push_w(q, 'd', 1), 1);
	/* full of last words: e is dropped, and counted */
	assert_int_equal(push_w(q, 'e', 1), -1);
	rg_queue_stats(q, &st);
	assert_int_equal(st.pushed, 6);
	assert_int_equal(st.replaced, 2);
	assert_int_equal(st.dropped, 1);
	memset(last, 0, sizeof(last));
	assert_int_equal(drain(q, last, seq), 4);
	assert_string_equal(seq, "dbac");
	assert_int_equal(last[0], 3);
	assert_int_equal(last[1], 1);
	assert_int_equal(last[2], 1);
	assert_int_equal(last[3], 1);
	/* a flapping subject among steady ones, over a slow consumer: every
	 * subject's last word arrives, whatever the order of arrival */
	for(int i = 0; i < 200; i++) {
		push_w(q, (char)('a' + i % 3), i);
		if(i % 7 == 0)
			drain(q, last, seq);
	}
	push_w(q, 'z', 1000);
	drain(q, last, seq);
	assert_int_equal(last[0], 198);
	assert_int_equal(last[1], 199);
	assert_int_equal(last[2], 197);
	assert_int_equal(last[25], 1000);
	assert_int_equal(stub_locks_held(), 0);
	rg_queue_free(q);
}

/* states numbered by their source: a late word of an older number never
 * takes the place of a newer one queued, full or not */
static int same_numbered(const void *a, const void *b)
{
	const struct word *x = a, *y = b;

	if(x->subj != y->subj)
		return 0;
	return y->state < x->state ? RG_QUEUE_STALE : 1;
}

static void test_late_word(void **state)
{
	struct rg_queue *q = rg_queue_new(2, sizeof(struct word));
	struct rg_queue_stats st;
	struct word w = {'a', 5}, late = {'a', 4}, got;

	(void)state;
	assert_non_null(q);
	assert_int_equal(rg_queue_push_last(q, &w, same_numbered), 0);
	/* room left, and still not queued behind the newer one */
	assert_int_equal(rg_queue_push_last(q, &late, same_numbered), 1);
	w.subj = 'b';
	assert_int_equal(rg_queue_push_last(q, &w, same_numbered), 0);
	/* full: the same */
	assert_int_equal(rg_queue_push_last(q, &late, same_numbered), 1);
	rg_queue_stats(q, &st);
	assert_int_equal(st.replaced, 2);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(rg_queue_pop(q, &got), 1);
	assert_int_equal(got.subj, 'a');
	assert_int_equal(got.state, 5);
	assert_int_equal(rg_queue_pop(q, &got), 1);
	assert_int_equal(got.subj, 'b');
	assert_int_equal(rg_queue_pop(q, &got), 0);
	assert_int_equal(stub_locks_held(), 0);
	rg_queue_free(q);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_fifo_and_drops),
			cmocka_unit_test(test_bad_args_and_no_memory),
			cmocka_unit_test(test_last_word),
			cmocka_unit_test(test_late_word),
	};
	const int sel = CASE_FILTER(argc, argv, tests);

	if(sel <= 0)
		return case_filter_exit(sel);
	return cmocka_run_group_tests_name("queue", tests, NULL, NULL);
}
