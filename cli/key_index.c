// SPDX-License-Identifier: MIT
/*
 * key_index.c - rows by probe (or site) and key bytes, in an
 * open-addressing index (key_index.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "count_keys.h"
#include "key_index.h"

static bool same(const struct count_layout *l, const struct site_info *a, const uint8_t *ka,
		 const struct site_info *b, const uint8_t *kb)
{
	if (strcmp(a->label, b->label))
		return false;
	if (l->site && (a->object != b->object || a->offset != b->offset))
		return false;
	return !memcmp(ka + 4, kb + 4, l->key_size - 4u);
}

/* FNV-1a of what same() compares. */
static uint64_t hash(const struct count_layout *l, const struct site_info *si,
		     const uint8_t *key)
{
	uint64_t h = 14695981039346656037ULL;
	const char *c;
	size_t i;

	for (c = si->label; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	if (l->site)
		h = (h ^ (uint64_t)(uintptr_t)si->object ^ si->offset) * 1099511628211ULL;
	for (i = 4; i < l->key_size; i++)
		h = (h ^ key[i]) * 1099511628211ULL;
	return h;
}

/* The slot of (@si, @key): its row's, or the free one where it goes. */
static size_t slot_of(const struct key_index *ix, const void *rows, key_index_row_fn at,
		      const struct site_info *si, const uint8_t *key)
{
	size_t mask = ix->cap - 1, i = hash(ix->l, si, key) & mask;
	const struct site_info *rsi;
	const uint8_t *rkey;

	while (ix->slots[i]) {
		at(rows, ix->slots[i] - 1, &rsi, &rkey);
		if (same(ix->l, rsi, rkey, si, key))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* Index the @nr rows again, in a table at least twice their number. */
static int rebuild(struct key_index *ix, const void *rows, size_t nr, key_index_row_fn at)
{
	size_t cap = ix->cap ? ix->cap : 1024, i;
	const struct site_info *si;
	const uint8_t *key;
	uint32_t *slots;

	while (cap < 2 * (nr + 1))
		cap *= 2;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(ix->slots);
	ix->slots = slots;
	ix->cap = cap;
	for (i = 0; i < nr; i++) {
		at(rows, i, &si, &key);
		ix->slots[slot_of(ix, rows, at, si, key)] = (uint32_t)i + 1;
	}
	ix->stale = false;
	return 0;
}

long key_index__find(struct key_index *ix, const void *rows, size_t nr, key_index_row_fn at,
		     const struct site_info *si, const uint8_t *key, size_t *slot)
{
	if ((ix->stale || 2 * (nr + 1) > ix->cap) && rebuild(ix, rows, nr, at))
		return -2;
	*slot = slot_of(ix, rows, at, si, key);
	return ix->slots[*slot] ? (long)ix->slots[*slot] - 1 : -1;
}

void key_index__set(struct key_index *ix, size_t slot, size_t row)
{
	ix->slots[slot] = (uint32_t)row + 1;
}

void key_index__stale(struct key_index *ix)
{
	ix->stale = true;
}

void key_index__free(struct key_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->cap = 0;
}
