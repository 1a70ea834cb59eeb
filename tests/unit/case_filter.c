/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `test_x -f PATTERN`: see case_filter.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "case_filter.h"

/* * and ?, nothing else special: what cmocka 1.1's filter understands */
static int matches(const char *pat, const char *s)
{
	const char *star = NULL;
	const char *retry = NULL;

	while(*s != '\0') {
		if(*pat == '*') {
			star = ++pat;
			retry = s;
		} else if(*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if(star != NULL) {
			pat = star;
			s = ++retry;
		} else {
			return 0;
		}
	}
	while(*pat == '*')
		pat++;
	return *pat == '\0';
}

int case_filter(int argc, char **argv, const struct CMUnitTest *tests, size_t n)
{
	const char *me = argc > 0 ? argv[0] : "test";
	const char *pat;
	size_t i;

	if(argc == 1)
		return 1;
	if(argc != 3 || strcmp(argv[1], "-f") != 0 || argv[2][0] == '\0') {
		fprintf(stderr,
				"usage: %s [-f PATTERN]  (run the cases whose name matches;"
				" * and ? as in the shell)\n",
				me);
		return -1;
	}
	pat = argv[2];
	for(i = 0; i < n; i++) {
		if(tests[i].name != NULL && matches(pat, tests[i].name)) {
			cmocka_set_test_filter(pat);
			return 1;
		}
	}
	printf("%s: no case matches '%s'\n", me, pat);
	return 0;
}
