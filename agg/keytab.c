// SPDX-License-Identifier: MIT
/*
 * keytab.c - rows by probe (or site) and key bytes, in an open-addressing
 * index over the row array (keytab.h). 10,000 keys merge in linear time
 * where a search of the rows was quadratic (300 ms a scrape).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "keytab.h"

#define FNV_OFFSET	14695981039346656037ULL
#define FNV_PRIME	1099511628211ULL

void keytab__init(struct keytab *t, const struct key_layout *l, size_t row_size)
{
	memset(t, 0, sizeof(*t));
	t->l = l;
	t->row_size = row_size < sizeof(struct keytab_row) ? sizeof(struct keytab_row) : row_size;
}

struct keytab_row *keytab__at(const struct keytab *t, size_t i)
{
	return (struct keytab_row *)(t->rows + i * t->row_size);
}

/* Bytes of a key after its head that tell rows apart. */
static size_t parts_size(const struct keytab *t)
{
	return t->l ? t->l->key_size - (size_t)UT_KEY_HEAD : 0;
}

static bool by_site(const struct keytab *t)
{
	return t->l && t->l->site;
}

static bool same(const struct keytab *t, const struct keytab_row *r,
		 const struct site_info *si, const uint8_t *key)
{
	if (strcmp(r->si.label, si->label))
		return false;
	if (by_site(t) && (r->si.object != si->object || r->si.offset != si->offset))
		return false;
	return !parts_size(t) || !memcmp(r->key + UT_KEY_HEAD, key + UT_KEY_HEAD, parts_size(t));
}

/* FNV-1a of what same() compares. */
static uint64_t hash(const struct keytab *t, const struct site_info *si, const uint8_t *key)
{
	uint64_t h = FNV_OFFSET;
	const char *c;
	size_t i;

	for (c = si->label; *c; c++)
		h = (h ^ (unsigned char)*c) * FNV_PRIME;
	if (by_site(t))
		h = (h ^ (uint64_t)(uintptr_t)si->object ^ si->offset) * FNV_PRIME;
	for (i = 0; i < parts_size(t); i++)
		h = (h ^ key[UT_KEY_HEAD + i]) * FNV_PRIME;
	return h;
}

/* The slot of (@si, @key): its row's, or the free one where it goes. */
static size_t slot_of(const struct keytab *t, const struct site_info *si, const uint8_t *key)
{
	size_t mask = t->nr_slots - 1, i = hash(t, si, key) & mask;
	const struct keytab_row *r;

	while (t->slots[i]) {
		r = keytab__at(t, t->slots[i] - 1);
		if (same(t, r, si, key))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* Index every row again, in a table at least twice their number. */
static int reindex(struct keytab *t)
{
	size_t n = t->nr_slots ? t->nr_slots : 1024, i;
	uint32_t *slots;

	while (n < 2 * (t->nr + 1))
		n *= 2;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(t->slots);
	t->slots = slots;
	t->nr_slots = n;
	for (i = 0; i < t->nr; i++) {
		struct keytab_row *r = keytab__at(t, i);

		t->slots[slot_of(t, &r->si, r->key)] = (uint32_t)i + 1;
	}
	t->stale = false;
	return 0;
}

struct keytab_row *keytab__row(struct keytab *t, const struct site_info *si,
			       const uint8_t *key, bool *fresh)
{
	static const uint8_t no_key[UT_KEY_MAX];
	struct keytab_row *r;
	size_t slot;

	*fresh = false;
	if (!key)
		key = no_key;
	if ((t->stale || 2 * (t->nr + 1) > t->nr_slots) && reindex(t))
		return NULL;
	slot = slot_of(t, si, key);
	if (t->slots[slot])
		return keytab__at(t, t->slots[slot] - 1);
	if (t->nr >= UINT32_MAX - 1 ||
	    vec__reserve((void **)&t->rows, &t->cap, t->nr + 1, t->row_size, 64))
		return NULL;
	r = keytab__at(t, t->nr);
	memset(r, 0, t->row_size);
	r->si = *si;
	memcpy(r->key, key, t->l ? t->l->key_size : UT_KEY_HEAD);
	t->slots[slot] = (uint32_t)++t->nr;
	*fresh = true;
	return r;
}

void keytab__zero(struct keytab *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		keytab__at(t, i)->total = 0;
}

void keytab__advance(struct keytab *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		keytab__at(t, i)->prev = keytab__at(t, i)->total;
}

uint64_t keytab__sum(const struct keytab *t)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < t->nr; i++)
		sum += keytab__at(t, i)->total;
	return sum;
}

/* Largest total first; then by label, site and key, so equal totals keep one order. */
static int cmp_total(const void *a, const void *b)
{
	const struct keytab_row *x = a, *y = b;
	int c;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	c = strcmp(x->si.label, y->si.label);
	if (c)
		return c;
	if (x->si.offset != y->si.offset)
		return x->si.offset < y->si.offset ? -1 : 1;
	return memcmp(x->key + UT_KEY_HEAD, y->key + UT_KEY_HEAD, UT_KEY_MAX - UT_KEY_HEAD);
}

void keytab__sort(struct keytab *t, int (*cmp)(const void *, const void *))
{
	if (t->nr > 1)
		qsort(t->rows, t->nr, t->row_size, cmp ? cmp : cmp_total);
	t->stale = true;
}

void keytab__free(struct keytab *t)
{
	free(t->rows);
	free(t->slots);
	t->rows = NULL;
	t->slots = NULL;
	t->nr = t->cap = t->nr_slots = 0;
}
