/* SPDX-License-Identifier: MIT */
/*
 * framecache.h - what a runtime's reader has read of one process's code
 * (a code object, an iseq, a zend_function...), by its address in the
 * process and a second key (0 when none): a hash table of entries the
 * reader allocates, each starting with a struct fc_entry, read, checked
 * and freed by the reader's own functions: an entry is checked against
 * the process at each use (addresses are reused once code is freed) and
 * read anew when it is no longer the same. An entry read anew is retired,
 * not freed at once: the frames named before it in the same stack still
 * point at its strings (a method recursing, a process exiting mid-stack).
 */
#ifndef USDTRACE_LANG_FRAMECACHE_H
#define USDTRACE_LANG_FRAMECACHE_H

#include <stdbool.h>
#include <stdint.h>

#define FC_BUCKETS	1024
/* entries kept retired: more than one stack's frames (STACK_MAX_FRAMES) can retire */
#define FC_RETIRED	256

struct fc_entry {
	uint64_t addr, key2;
	struct fc_entry *next;
};

struct frame_cache {
	struct fc_entry *buckets[FC_BUCKETS];
	struct fc_entry *retired, *retired_tail;	/* oldest first */
	unsigned int nr_retired;
	/* the reader's: @ctx its process */
	struct fc_entry *(*read)(void *ctx, uint64_t addr, uint64_t key2);	/* NULL: unreadable */
	bool (*same)(void *ctx, const struct fc_entry *e);	/* still what its address holds? */
	void (*free)(struct fc_entry *e);
	void *ctx;
};

/*
 * The entry of (@addr, @key2): the one kept while it is the same, else
 * read anew and kept. NULL when it cannot be read.
 */
struct fc_entry *fc_get(struct frame_cache *c, uint64_t addr, uint64_t key2);
/* Every entry freed, the retired ones too. */
void fc_clear(struct frame_cache *c);

#endif /* USDTRACE_LANG_FRAMECACHE_H */
