/* SPDX-License-Identifier: MIT */
/*
 * framecache.h - what a runtime's reader has read of one process's code
 * (a code object, an iseq, a zend_function...), by its address in the
 * process and a second key (0 when none): a hash table of entries the
 * reader allocates, each starting with a struct fc_entry, freed by the
 * reader's own function. The readers check an entry against the process
 * before they trust it (addresses are reused once code is freed).
 */
#ifndef USDTRACE_LANG_FRAMECACHE_H
#define USDTRACE_LANG_FRAMECACHE_H

#include <stdint.h>

#define FC_BUCKETS	1024

struct fc_entry {
	uint64_t addr, key2;
	struct fc_entry *next;
};

struct frame_cache {
	struct fc_entry *buckets[FC_BUCKETS];
	void (*free)(struct fc_entry *e);	/* the reader's */
};

/* Where the entry of (@addr, @key2) is, or would go: *result is NULL when none. */
struct fc_entry **fc_find(struct frame_cache *c, uint64_t addr, uint64_t key2);
/* The entry at @at (from fc_find) unlinked and freed. */
void fc_drop(struct frame_cache *c, struct fc_entry **at);
/* @e (its keys set) into the cache. */
void fc_add(struct frame_cache *c, struct fc_entry *e);
/* Every entry freed. */
void fc_clear(struct frame_cache *c);

#endif /* USDTRACE_LANG_FRAMECACHE_H */
