// SPDX-License-Identifier: MIT
/*
 * folded.c - folded stack accumulation and output (see folded.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct folded_entry *slot_of(struct folded_entry *slots, size_t cap, const char *stack)
{
	size_t i = (size_t)hash_str(stack) & (cap - 1);

	while (slots[i].stack && strcmp(slots[i].stack, stack))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct folded *f)
{
	size_t cap = f->cap ? f->cap * 2 : 256, i;
	struct folded_entry *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < f->cap; i++) {
		if (f->slots[i].stack)
			*slot_of(slots, cap, f->slots[i].stack) = f->slots[i];
	}
	free(f->slots);
	f->slots = slots;
	f->cap = cap;
	return 0;
}

int folded__add(struct folded *f, const char *stack, uint64_t value)
{
	struct folded_entry *e;

	if ((f->nr + 1) * 2 > f->cap && grow(f))
		return -ENOMEM;
	e = slot_of(f->slots, f->cap, stack);
	if (!e->stack) {
		e->stack = strdup(stack);
		if (!e->stack)
			return -ENOMEM;
		f->nr++;
	}
	e->value += value;
	return 0;
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct folded_entry *)a)->stack,
		      ((const struct folded_entry *)b)->stack);
}

int folded__write(const struct folded *f, const char *path)
{
	struct folded_entry *list = calloc(f->nr ? f->nr : 1, sizeof(*list));
	size_t i, n = 0;
	FILE *out;
	int err = 0;

	if (!list)
		return -ENOMEM;
	for (i = 0; i < f->cap; i++) {
		if (f->slots[i].stack)
			list[n++] = f->slots[i];
	}
	qsort(list, n, sizeof(*list), cmp_entries);
	out = fopen(path, "we");
	if (!out) {
		free(list);
		return -errno;
	}
	for (i = 0; i < n; i++)
		fprintf(out, "%s %" PRIu64 "\n", list[i].stack, list[i].value);
	if (fclose(out))
		err = -EIO;
	free(list);
	return err;
}

void folded__free(struct folded *f)
{
	size_t i;

	for (i = 0; i < f->cap; i++)
		free(f->slots[i].stack);
	free(f->slots);
	memset(f, 0, sizeof(*f));
}
