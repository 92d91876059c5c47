/* SPDX-License-Identifier: MIT */
/*
 * folded.h - folded stacks, the input of flame graph tools: one line per
 * distinct stack, "root;frame;frame value", where value counts calls or,
 * weighted by time, nanoseconds.
 */
#ifndef USDTRACE_FOLDED_H
#define USDTRACE_FOLDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct folded_entry {
	char *stack;
	uint64_t value;
};

struct folded {
	struct folded_entry *slots;	/* open addressing, power-of-2 size */
	size_t cap;
	size_t nr;
};

/* Add @value to @stack (copied). Returns 0 or -ENOMEM. */
int folded__add(struct folded *f, const char *stack, uint64_t value);
/* Write every stack, sorted, to @path. Returns 0 or -errno. */
int folded__write(const struct folded *f, const char *path);
/*
 * count --by stack's rows: by value, largest first (at most @top, 0: all),
 * as JSON `count` records with the frames innermost first, or as text (the
 * count and the probe, then a frame a line). The first part of each stack
 * is its probe. 0 or -ENOMEM.
 */
int folded__write_counts(FILE *out, const struct folded *f, bool json, long top);
/* Every stack's value summed. */
uint64_t folded__sum(const struct folded *f);
void folded__free(struct folded *f);

#endif /* USDTRACE_FOLDED_H */
