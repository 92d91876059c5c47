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
#include "json.h"

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

/* Frames of a folded row, innermost first: JSON strings or text lines. */
static void write_frames(FILE *out, bool json, const char *stack)
{
	const char *end = stack + strlen(stack), *p;
	bool first = true;

	/* the probe is the first part; frames follow root first */
	while (end > stack) {
		p = end;
		while (p > stack && p[-1] != ';')
			p--;
		if (p == stack)
			break;	/* the probe itself */
		if (json) {
			fputs(first ? "" : ",", out);
			json_write_strn(out, p, (size_t)(end - p));
		} else {
			fprintf(out, "    %.*s\n", (int)(end - p), p);
		}
		first = false;
		end = p - 1;
	}
}

static int cmp_values(const void *a, const void *b)
{
	const struct folded_entry *x = *(const struct folded_entry *const *)a;
	const struct folded_entry *y = *(const struct folded_entry *const *)b;

	if (x->value != y->value)
		return x->value < y->value ? 1 : -1;
	return strcmp(x->stack, y->stack);
}

int folded__write_counts(FILE *out, const struct folded *f, bool json, long top)
{
	struct folded_entry **v = calloc(f->nr ? f->nr : 1, sizeof(*v));
	size_t i, n = 0, shown;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < f->cap; i++) {
		if (f->slots[i].stack)
			v[n++] = &f->slots[i];
	}
	qsort(v, n, sizeof(*v), cmp_values);
	shown = top > 0 && (size_t)top < n ? (size_t)top : n;
	for (i = 0; i < shown; i++) {
		size_t plen = strcspn(v[i]->stack, ";");

		if (json) {
			fputs("{\"type\":\"count\",\"probe\":", out);
			json_write_strn(out, v[i]->stack, plen);
			fputs(",\"stack\":[", out);
			write_frames(out, true, v[i]->stack);
			fprintf(out, "],\"count\":%" PRIu64 "}\n", v[i]->value);
		} else {
			fprintf(out, "%12" PRIu64 "  %.*s\n", v[i]->value, (int)plen, v[i]->stack);
			write_frames(out, false, v[i]->stack);
		}
	}
	free(v);
	return 0;
}

uint64_t folded__sum(const struct folded *f)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < f->cap; i++) {
		if (f->slots[i].stack)
			sum += f->slots[i].value;
	}
	return sum;
}

void folded__free(struct folded *f)
{
	size_t i;

	for (i = 0; i < f->cap; i++)
		free(f->slots[i].stack);
	free(f->slots);
	memset(f, 0, sizeof(*f));
}
