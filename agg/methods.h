/* SPDX-License-Identifier: MIT */
/*
 * methods.h - calls' rows: a runtime's methods with the figures the
 * kernel kept for each (calls, inclusive and exclusive time, calls without
 * an entry), named by the caller, ordered most called first. Pure.
 */
#ifndef USDTRACE_AGG_METHODS_H
#define USDTRACE_AGG_METHODS_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/usdtrace.h"

struct method_row {
	char name[3 * UT_NAME_LEN + 8];
	uint64_t count;
	uint64_t total_ns;
	uint64_t self_ns;
	uint64_t untimed;	/* counted at return without an entry: not timed */
};

struct method_table {
	struct method_row *rows;
	size_t nr, cap;
};

/* A new row, zeroed; NULL when out of memory. */
struct method_row *method_table__add(struct method_table *t);
/* Most called first, then most time, then by name. */
void method_table__sort(struct method_table *t);
/* Every row's count and untimed summed. */
void method_table__sums(const struct method_table *t, uint64_t *count, uint64_t *untimed);
void method_table__reset(struct method_table *t);
void method_table__free(struct method_table *t);

#endif /* USDTRACE_AGG_METHODS_H */
