/* SPDX-License-Identifier: MIT */
/*
 * keytab.h - the one keyed-row table of the results layer: rows found by
 * their identity in O(1) (an open-addressing index over the row array),
 * each a struct keytab_row head followed by what the caller keeps per row
 * (count keeps nothing more, hist a histogram). A row's identity is its
 * probe's label (the sites of a probe merge), its site where the layout is
 * per site, and the key's parts. Rows read from the kernel again are
 * zeroed and refilled; `prev` carries the total of the last interval, so
 * a series per interval is total - prev. Pure: no I/O.
 */
#ifndef USDTRACE_AGG_KEYTAB_H
#define USDTRACE_AGG_KEYTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include "site.h"

struct keytab_row {
	/*
	 * The first site seen, copied: the session's table of sites moves when
	 * a library loaded later adds sites; the strings it points to do not.
	 */
	struct site_info si;
	uint8_t key[UT_KEY_MAX];
	uint64_t total;
	uint64_t prev;		/* total at the last interval */
};

struct keytab {
	const struct key_layout *l;	/* NULL: rows per probe, no key parts */
	size_t row_size;		/* bytes a row, its head first */
	uint8_t *rows;
	size_t nr, cap;
	uint32_t *slots;		/* row + 1, 0: free */
	size_t nr_slots;		/* a power of two, or 0 */
	bool stale;			/* rows moved: index them again */
};

/* A table of rows of @row_size bytes (>= sizeof(struct keytab_row)) keyed by @l. */
void keytab__init(struct keytab *t, const struct key_layout *l, size_t row_size);
/*
 * The row of (@si, @key) (@key NULL: no parts), made when new: its head
 * filled, the rest zero, *@fresh true. NULL when out of memory.
 */
struct keytab_row *keytab__row(struct keytab *t, const struct site_info *si,
			       const uint8_t *key, bool *fresh);
struct keytab_row *keytab__at(const struct keytab *t, size_t i);
/* Every total to 0 before the kernel's maps are read again. */
void keytab__zero(struct keytab *t);
/* An interval ends: prev = total. */
void keytab__advance(struct keytab *t);
/* Rows by total, largest first (then by key); @cmp instead when given. */
void keytab__sort(struct keytab *t, int (*cmp)(const void *, const void *));
/* The sum of every row's total. */
uint64_t keytab__sum(const struct keytab *t);
void keytab__free(struct keytab *t);

#endif /* USDTRACE_AGG_KEYTAB_H */
