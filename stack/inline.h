/* SPDX-License-Identifier: MIT */
/*
 * inline.h - the calls inlined at an address of a module, from its DWARF
 * (DW_TAG_inlined_subroutine scopes), for stacks that show them as frames
 * the way addr2line -i and perf do.
 */
#ifndef USDTRACE_INLINE_H
#define USDTRACE_INLINE_H

#include <elfutils/libdwfl.h>

#define INLINE_MAX	16	/* nested inlined calls shown at one address */

/* One inlined call; strings point into the module's DWARF. */
struct inline_call {
	const char *name;	/* the inlined function (linkage name where C++) */
	const char *call_file;	/* where it was called from, NULL: unknown */
	int call_line;
};

/*
 * The calls inlined at @addr of @mod, innermost first, at most @max into
 * @out: how many (0 without DWARF or where nothing is inlined).
 */
int inline_calls(Dwfl_Module *mod, Dwarf_Addr addr, struct inline_call *out, int max);

#endif /* USDTRACE_INLINE_H */
