// SPDX-License-Identifier: MIT
/*
 * ruby.c - the Ruby 3.1 adapter (libruby-3.1.so).
 *
 * method__entry/return and cmethod__entry/return(class, method, file, line),
 * object__create(class, file, line), gc__mark__begin .. gc__sweep__end,
 * require__entry(feature, file, line). Since Ruby 2.5 method__* fire for
 * Ruby-defined methods only while a TracePoint is enabled (ruby bug
 * #14582); enabling one from RUBYOPT at start-up crashed ruby3.1 in
 * rb_dtrace_setup(), so that is left to the application.
 */
#include <string.h>

#include "interp.h"
#include "lang.h"

/*
 * Ruby 3.1's structs as `usdtrace profile` reads them (x86-64, from
 * ruby3.1-dev's rb_mjit_min_header-3.1.2.h: tests/unit/test_rblayout.c
 * checks them with offsetof()).
 */
static const struct rb_layout rb31 = {
	.version = "3.1.2",
	.iseq_body = 16,
	.body_encoded = 8,
	.body_size = 4,
	.body_path = 64,
	.body_label = 80,
	.body_first_lineno = 88,
	.body_insns = 120,
	.body_insns_size = 136,
	.body_succ = 144,
	.insn_size = 12,
	.me_def = 16,
	.me_owner = 32,
	.def_original_id = 32,
	.class_ext = 24,
	.ext_iv_tbl = 8,
	.st_entries = 48,
	.st_entries_start = 32,
	.st_entries_bound = 40,
	.str_len = 16,
	.str_ptr = 24,
	.str_embed = 16,
	.ary_len = 16,
	.ary_ptr = 32,
	.ary_embed = 16,
	.last_op_id = 169,
	.id_shift = 4,
	.proc = {
		.kind = UT_INTERP_RUBY,
		.rb = {
			.tls_ec = 0,		/* ruby_current_ec's, from its TLS symbol */
			.magic_mask = 0x7fff0001,
			.magic_cfunc = 0x55550001,
			.magic_method = 0x11110001,
			.flag_finish = 0x0020,
			.ec_vm_stack = 0,
			.ec_vm_stack_size = 8,
			.ec_cfp = 16,
			.cfp_size = 64,
			.cfp_pc = 0,
			.cfp_iseq = 16,
			.cfp_ep = 32,
		},
	},
};

const struct rb_layout *rb_layout__find(const char *version)
{
	return !strcmp(version, rb31.version) ? &rb31 : NULL;
}

const struct lang_adapter lang_ruby = {
	.lang = "ruby",
	.runtime = "libruby",
	.probes = {
		{ LANG_ENTRY, "ruby:method__entry(s,s,s,d)" },
		{ LANG_RETURN, "ruby:method__return(s,s,s,d)" },
		{ LANG_ENTRY, "ruby:cmethod__entry(s,s,s,d)" },
		{ LANG_RETURN, "ruby:cmethod__return(s,s,s,d)" },
		{ LANG_GC_BEGIN, "ruby:gc__mark__begin" },
		{ LANG_GC_END, "ruby:gc__sweep__end" },
		{ LANG_ALLOC, "ruby:object__create(s,s,d)" },
		{ LANG_LOAD, "ruby:require__entry(s,s,d)" },
	},
	.ident = { 0, 1, -1 },
	.style = LANG_NAME_RUBY,
	.alloc_size_arg = -1,
	/*
	 * Since Ruby 2.5 method__entry/return fire from "trace" instructions,
	 * which exist only while some TracePoint is enabled (ruby bug #14582).
	 * Enabling one from outside at start-up (RUBYOPT) crashed ruby3.1 in
	 * rb_dtrace_setup() while rubygems loaded, so usdtrace does not: the
	 * application enables it, and C methods (cmethod) fire regardless.
	 */
	/*
	 * Ruby 3.1 retypes RubyVM::FrozenCore to T_ICLASS after storing its
	 * class path, and the GC does not mark an ICLASS's instance variables:
	 * the first GC frees that string. Only the cmethod semaphores make ruby
	 * compute the class path of a C method's owner (rb_dtrace_setup), which
	 * for FrozenCore (alias, undef, ** splats) reads the freed slot: a
	 * garbage class name, or a crash (SIGSEGV, status 134).
	 */
	.unsafe = {
		{ "ruby:cmethod__*", "libruby-3.1.so",
		  "on Ruby 3.1 its semaphore makes ruby read the freed class path of "
		  "RubyVM::FrozenCore after the first GC (a garbage name, or SIGSEGV in "
		  "rb_dtrace_setup)",
		  "C-method calls are not seen" },
	},
	.quirk = "Ruby >= 2.5 fires method__entry/return for Ruby methods only while "
		 "a TracePoint is enabled in the process, e.g. "
		 "TracePoint.new(:call, :return) {}.enable; C methods always fire",
	.gap_probes = { "ruby:method__entry", "ruby:method__return" },
	.system_binary = "/usr/bin/ruby3.1",
};
