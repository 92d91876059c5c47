// SPDX-License-Identifier: MIT
/*
 * methods.c - calls' rows (methods.h).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "methods.h"

struct method_row *method_table__add(struct method_table *t)
{
	struct method_row *r;

	if (VEC_RESERVE(t->rows, t->cap, t->nr + 1))
		return NULL;
	r = &t->rows[t->nr++];
	memset(r, 0, sizeof(*r));
	return r;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct method_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return strcmp(x->name, y->name);
}

void method_table__sort(struct method_table *t)
{
	if (t->nr > 1)
		qsort(t->rows, t->nr, sizeof(*t->rows), cmp_rows);
}

void method_table__sums(const struct method_table *t, uint64_t *count, uint64_t *untimed)
{
	size_t i;

	*count = *untimed = 0;
	for (i = 0; i < t->nr; i++) {
		*count += t->rows[i].count;
		*untimed += t->rows[i].untimed;
	}
}

void method_table__reset(struct method_table *t)
{
	t->nr = 0;
}

void method_table__free(struct method_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nr = t->cap = 0;
}
