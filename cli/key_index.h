/* SPDX-License-Identifier: MIT */
/*
 * key_index.h - rows found by their identity in O(1): the probe (or site,
 * with --by site) and the bytes of a kernel key after its site id, in an
 * open-addressing index over a row array the caller owns (count's key
 * table, hist's rows). 10,000 keys merge in linear time where a search of
 * the rows was quadratic (300 ms a scrape).
 */
#ifndef USDTRACE_KEY_INDEX_H
#define USDTRACE_KEY_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct count_layout;	/* count_keys.h */
struct site_info;	/* ../attach/session.h */

/* Row @i of @rows: its site and its key (@ctx's array, any row type). */
typedef void (*key_index_row_fn)(const void *rows, size_t i, const struct site_info **si,
				 const uint8_t **key);

struct key_index {
	const struct count_layout *l;	/* what identifies a row */
	uint32_t *slots;		/* row + 1, 0: free */
	size_t cap;			/* a power of two, or 0 */
	bool stale;			/* rows moved (sorted, reset): index again */
};

/*
 * The row of (@si, @key) among the @nr @rows (@at reads them), or -1 when
 * there is none, with *@slot where it goes (key_index__set after adding
 * it). Indexes the rows again when they moved or the index fills.
 * -ENOMEM as -2.
 */
long key_index__find(struct key_index *ix, const void *rows, size_t nr, key_index_row_fn at,
		     const struct site_info *si, const uint8_t *key, size_t *slot);
/* Row @row (just added) is at @slot. */
void key_index__set(struct key_index *ix, size_t slot, size_t row);
/* The rows moved: the next find indexes them again. */
void key_index__stale(struct key_index *ix);
void key_index__free(struct key_index *ix);

#endif /* USDTRACE_KEY_INDEX_H */
