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
#include <stddef.h>

#include "interp.h"
#include "lang.h"

/*
 * CPython 3.11's structs as `usdtrace profile` reads them (offsets on
 * x86-64, from python3.11-dev's headers: tests/unit/test_pylayout.c checks
 * them with offsetof()). glibc keeps a pthread key below 32 in the thread
 * descriptor's specific_1stblock, at 0x310 on glibc 2.36 (x86-64).
 */
static const struct py_layout py311 = {
	.version = 0x030b,
	.code_size = 192,
	.code_first_instr = 184,
	.code_firstlineno = 72,
	.code_filename = 112,
	.code_name = 120,
	.code_qualname = 128,
	.code_linetable = 136,
	.code_argcount = 56,
	.bytes_size = 16,
	.bytes_data = 32,
	.str_length = 16,
	.str_state = 32,
	.str_ascii_data = 48,
	.str_compact_data = 72,
	.type_basicsize = 32,
	.proc = {
		.kind = UT_INTERP_PYTHON,
		.py = {
			.tss_key_off = 592 + 4,		/* gilstate.autoTSSkey._key */
			.tls_specific = 0x310,
			.tstate_cframe = 56,
			.cframe_frame = 8,
			.frame_code = 32,
			.frame_previous = 48,
			.frame_instr = 56,
			.frame_entry = 68,
			.frame_owner = 69,
		},
	},
};

const struct py_layout *py_layout__find(uint32_t version)
{
	return version == py311.version ? &py311 : NULL;
}

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
		 "inlined by its interpreter) but function__return for all; "
		 "usdtrace profile samples its frames instead",
	.gap_probes = { "python:function__entry" },
	.system_binary = "/usr/bin/python3.11",
	.match_names = true,
};
