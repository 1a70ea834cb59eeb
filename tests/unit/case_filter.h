/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One case of a suite alone: `test_x -f PATTERN` runs only the cases whose
 * name matches PATTERN (* any run of characters, ? any one character, the
 * way cmocka's own filter matches; cmocka_set_test_filter does the rest).
 */
#ifndef CASE_FILTER_H
#define CASE_FILTER_H

#include <stddef.h>

struct CMUnitTest;

/* what main returns when no case matches: a skip, not a failure */
#define CASE_FILTER_NONE 77

/* Reads main's arguments. 1: run the suite (every case, or those that
 * match); 0: no case matches (one line says so); -1: a bad argument (the
 * usage printed). */
int case_filter(
		int argc, char **argv, const struct CMUnitTest *tests, size_t n);

#define CASE_FILTER(argc, argv, tests) \
	case_filter((argc), (argv), (tests), sizeof(tests) / sizeof((tests)[0]))

/* main's status when case_filter says not to run */
static inline int case_filter_exit(int sel)
{
	return sel < 0 ? 2 : CASE_FILTER_NONE;
}

#endif
