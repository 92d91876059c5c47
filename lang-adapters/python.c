// SPDX-License-Identifier: MIT
/*
 * python.c - the CPython 3.11 adapter (/usr/bin/python3.11).
 *
 * function__entry/return(filename, funcname, lineno), gc__start(generation),
 * gc__done(collected), import__find__load__start(module). All are
 * semaphore-guarded, which the kernel raises while usdtrace is attached.
 * CPython 3.11 fires function__entry only for calls its interpreter does not
 * inline (few), function__return for all: calls are counted at returns and
 * matched to entries by their name pointers.
 */
#include "lang.h"

const struct lang_adapter lang_python = {
	.lang = "python",
	.runtime = "python3.11",
	.probes = {
		{ LANG_ENTRY, "python:function__entry(s,s,d)" },
		{ LANG_RETURN, "python:function__return(s,s,d)" },
		{ LANG_GC_BEGIN, "python:gc__start(d)" },
		{ LANG_GC_END, "python:gc__done(d)" },
		{ LANG_LOAD, "python:import__find__load__start(s)" },
	},
	.ident = { 0, 1, -1 },
	.style = LANG_NAME_FILE_FUNC,
	.alloc_size_arg = -1,
	.quirk = "CPython 3.11 fires function__entry for few calls (those not "
		 "inlined by its interpreter) but function__return for all",
	.match_names = true,
};
