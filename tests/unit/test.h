/* SPDX-License-Identifier: MIT */
/*
 * test.h - a minimal unit-test harness: every check prints one line
 * "PASS name" or "FAIL name: why", which tests/run.sh counts; main()
 * returns non-zero when anything failed.
 */
#ifndef USDTRACE_TEST_H
#define USDTRACE_TEST_H

#include <stdio.h>

struct test_stats {
	int passed;
	int failed;
};

#define CHECK(st, cond, name, ...)					\
	do {								\
		if (cond) {						\
			(st)->passed++;					\
			printf("PASS %s\n", name);			\
		} else {						\
			(st)->failed++;					\
			printf("FAIL %s: ", name);			\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

#endif /* USDTRACE_TEST_H */
