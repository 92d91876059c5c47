// SPDX-License-Identifier: MIT
/*
 * framecache.c - the readers' cache of code read, by address (framecache.h).
 */
#include <stddef.h>

#include "framecache.h"

static size_t bucket_of(uint64_t addr, uint64_t key2)
{
	return (size_t)(((addr >> 3) ^ (key2 >> 3)) * 0x9e3779b97f4a7c15ull >> 54) % FC_BUCKETS;
}

/* Where the entry of (@addr, @key2) is, or would go: *result is NULL when none. */
static struct fc_entry **fc_find(struct frame_cache *c, uint64_t addr, uint64_t key2)
{
	struct fc_entry **at = &c->buckets[bucket_of(addr, key2)];

	while (*at && ((*at)->addr != addr || (*at)->key2 != key2))
		at = &(*at)->next;
	return at;
}

/* The entry at @at unlinked and freed. */
static void fc_drop(struct frame_cache *c, struct fc_entry **at)
{
	struct fc_entry *e = *at;

	*at = e->next;
	c->free(e);
}

/*
 * The entry at @at unlinked and kept a while: frames named from it earlier
 * in the stack being read still point at its strings. The oldest of more
 * than FC_RETIRED go.
 */
static void fc_retire(struct frame_cache *c, struct fc_entry **at)
{
	struct fc_entry *e = *at, *old;

	*at = e->next;
	e->next = NULL;
	if (c->retired_tail)
		c->retired_tail->next = e;
	else
		c->retired = e;
	c->retired_tail = e;
	if (++c->nr_retired <= FC_RETIRED)
		return;
	old = c->retired;
	c->retired = old->next;
	c->nr_retired--;
	c->free(old);
}

static void fc_add(struct frame_cache *c, struct fc_entry *e)
{
	struct fc_entry **head = &c->buckets[bucket_of(e->addr, e->key2)];

	e->next = *head;
	*head = e;
}

struct fc_entry *fc_get(struct frame_cache *c, uint64_t addr, uint64_t key2)
{
	struct fc_entry **at = fc_find(c, addr, key2), *e;

	if (*at && c->same(c->ctx, *at))
		return *at;
	if (*at)
		fc_retire(c, at);
	e = c->read(c->ctx, addr, key2);
	if (e) {
		e->addr = addr;
		e->key2 = key2;
		fc_add(c, e);
	}
	return e;
}

void fc_clear(struct frame_cache *c)
{
	size_t i;

	for (i = 0; i < FC_BUCKETS; i++) {
		while (c->buckets[i])
			fc_drop(c, &c->buckets[i]);
	}
	while (c->retired)
		fc_drop(c, &c->retired);
	c->retired_tail = NULL;
	c->nr_retired = 0;
}
