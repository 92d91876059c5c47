/* SPDX-License-Identifier: MIT */
/*
 * symcache.h - what an address of an object resolves to: its symbol (C++
 * demangled), file and line, and the calls inlined there, looked up once
 * per object and offset through libdwfl and kept (symcache.c). stack.c
 * asks it for every frame.
 */
#ifndef USDTRACE_SYMCACHE_H
#define USDTRACE_SYMCACHE_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>

#include "stack.h"

/*
 * What an address of an object resolved to, by object path and offset
 * from the object's start: the same in every process mapping the object,
 * and looked up again at each hit of a hot path. (libdwfl's symbol lookup
 * walks the symbol table each time.)
 */
struct sym_memo {
	char *obj;
	uint64_t rel;		/* the looked-up address - the module's start */
	const char *sym;	/* shown name, owned by the names cache; NULL: none */
	uint64_t sym_off;	/* the looked-up address - the symbol's */
	char *file;		/* NULL: no line */
	int line;
	/* the calls inlined there, innermost first (names shown, files owned) */
	struct memo_inline {
		const char *sym;
		char *call_file;
		int call_line;
	} *inl;
	int nr_inl;
	struct sym_memo *next;
};

struct symcache;

/* @warn (may be NULL) hears of unreadable debug files, once each. */
int symcache__new(stack_warn_fn warn, void *ctx, struct symcache **out);
void symcache__free(struct symcache *sc);
/* Look symbols up through the index of big objects (the default) or by libdwfl's walk alone. */
void symcache__use_index(struct symcache *sc, bool on);
/*
 * The memo of @look in @mod, the module of @obj mapped so that @look is
 * @rel past its start; NULL when memory runs out. Owned by the cache.
 */
const struct sym_memo *symcache__get(struct symcache *sc, Dwfl_Module *mod, const char *obj,
				     uint64_t rel, Dwarf_Addr look);

#endif /* USDTRACE_SYMCACHE_H */
