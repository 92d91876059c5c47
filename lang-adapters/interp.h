/* SPDX-License-Identifier: MIT */
/*
 * interp.h - interpreter frames, for `usdtrace profile` and `dump`: the
 * layout of each runtime version the sampler can walk (tables, pure:
 * python.c, ruby.c, php.c), the runtimes' readers (pyframes.c, rbframes.c,
 * phpframes.c) and the reader over them (interp.c) that recognises a
 * process's runtime from the objects it maps, checks the version against
 * the live process, and names the frames a sample carries (function, file,
 * line) from the process's memory, with caches. Nothing is guessed: a
 * frame that cannot be read is said so.
 */
#ifndef USDTRACE_LANG_INTERP_H
#define USDTRACE_LANG_INTERP_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../bpf/usdtrace.h"

/* CPython's layout, one version: the sampler's offsets and the reader's. */
struct py_layout {
	uint32_t version;		/* PY_VERSION_HEX >> 16: 0x030b for 3.11 */
	uint32_t code_size;		/* bytes of a code object read (sizeof) */
	uint32_t code_first_instr;	/* co_code_adaptive, the first instruction:
					 * PyCode_Type.tp_basicsize, checked live */
	uint16_t code_firstlineno;
	uint16_t code_filename;
	uint16_t code_name;
	uint16_t code_qualname;
	uint16_t code_linetable;
	uint16_t code_argcount;
	uint16_t bytes_size;		/* PyBytesObject: ob_size, ob_sval */
	uint16_t bytes_data;
	uint16_t str_length;		/* PyASCIIObject: length, state */
	uint16_t str_state;
	uint16_t str_ascii_data;	/* compact ASCII characters */
	uint16_t str_compact_data;	/* other compact strings' characters */
	uint16_t type_basicsize;	/* PyTypeObject.tp_basicsize */
	struct ut_interp_proc proc;	/* what the sampler walks (runtime filled per process) */
};

/* The layout of CPython @version (0x030b), or NULL. */
const struct py_layout *py_layout__find(uint32_t version);

/* Ruby's layout, one version: the sampler's offsets and the reader's. */
struct rb_layout {
	const char *version;		/* ruby_version: "3.1.2" */
	uint16_t iseq_body;		/* rb_iseq_t.body */
	uint16_t body_encoded;		/* rb_iseq_constant_body: iseq_encoded */
	uint16_t body_size;		/* iseq_size (instructions, in words) */
	uint16_t body_path;		/* location.pathobj: a String, or [path, realpath] */
	uint16_t body_label;		/* location.label */
	uint16_t body_first_lineno;	/* location.first_lineno (a Fixnum) */
	uint16_t body_insns;		/* insns_info.body: entries of insn_size bytes */
	uint16_t body_insns_size;	/* insns_info.size */
	uint16_t body_succ;		/* insns_info.succ_index_table */
	uint16_t insn_size;		/* struct iseq_insn_info_entry, line_no at 0 */
	uint16_t me_def;		/* rb_method_entry_t.def */
	uint16_t me_owner;
	uint16_t def_original_id;	/* rb_method_definition_t.original_id */
	uint16_t class_ext;		/* struct RClass.ptr */
	uint16_t ext_iv_tbl;		/* rb_classext_t.iv_tbl: a st_table */
	uint16_t st_entries;		/* st_table: entries_start, entries_bound, entries */
	uint16_t st_entries_start;
	uint16_t st_entries_bound;
	uint16_t str_len;		/* RString: heap length and pointer, embedded bytes */
	uint16_t str_ptr;
	uint16_t str_embed;
	uint16_t ary_len;		/* RArray: heap length and pointer, embedded values */
	uint16_t ary_ptr;
	uint16_t ary_embed;
	uint32_t last_op_id;		/* tLAST_OP_ID: IDs above it are serial << shift */
	uint32_t id_shift;		/* RUBY_ID_SCOPE_SHIFT */
	struct ut_interp_proc proc;	/* what the sampler walks (runtime filled per process) */
};

/* The layout of Ruby @version (ruby_version: "3.1.2"), or NULL. */
const struct rb_layout *rb_layout__find(const char *version);

/* PHP's layout, one version. */
struct php_layout {
	uint32_t api;			/* ZEND_MODULE_API_NO: 20220829 for 8.2 */
	uint16_t func_type;		/* zend_function: type (u8), then its names */
	uint16_t func_name;
	uint16_t func_scope;
	uint16_t func_file;		/* op_array.filename */
	uint16_t func_line_start;
	uint16_t class_name;		/* zend_class_entry.name */
	uint16_t zstr_len;		/* zend_string: len, val */
	uint16_t zstr_val;
	uint32_t eg_size;		/* sizeof(zend_executor_globals): checked live */
	struct ut_interp_proc proc;	/* what the sampler walks (runtime filled per process) */
};

/* The layout of PHP @version ("8.2", from the object's name), or NULL. */
const struct php_layout *php_layout__find(const char *version);

/* One interpreter frame named. Strings owned by the reader, valid until it is freed. */
struct interp_frame {
	const char *lang;	/* "python", "ruby", "php" */
	const char *name;	/* the qualified name: Class.method, Class#method, Class::method */
	const char *file;	/* NULL: none (a C method) */
	int line;		/* 0: unknown */
	bool cfunc;		/* the runtime's own C: a Ruby C method, a PHP internal function */
};

/* One process's runtime, as its reader knows it (its caches). */
struct interp_proc;

/*
 * A runtime the reader knows: how to recognise it among a process's
 * objects, read its layout from the live process, and name its frames.
 */
struct interp_runtime {
	const char *lang;
	/* the native function whose activations run its frames: replaced by them */
	const char *seam;
	/* is @base (an object's file name) this runtime's own code? */
	bool (*is_object)(const char *base);
	/*
	 * @path, mapped at @base by @pid, is this runtime: its state, and @ip
	 * for the sampler. -ENOENT: not it after all; -EOPNOTSUPP: it, but
	 * unreadable (why in @why).
	 */
	int (*probe)(pid_t pid, const char *path, uint64_t base, struct ut_interp_proc *ip,
		     struct interp_proc **out, char *why, size_t size);
	/* Frame @f named into @out: 0, or -EFAULT: unreadable. */
	int (*name)(struct interp_proc *p, const struct ut_interp_frame *f,
		    struct interp_frame *out);
	void (*free)(struct interp_proc *p);
};

extern const struct interp_runtime interp_python, interp_ruby, interp_php;

struct interp_reader;

/* A reader of every runtime known, or of @lang's only (NULL: every one). */
int interp_reader__new(struct interp_reader **out, const char *lang);
/* Is @lang one whose frames are read? */
bool interp_known(const char *lang);
void interp_reader__free(struct interp_reader *r);
/*
 * The runtime process @pid runs, from the objects it maps (what was read
 * of it before forgotten first): 0 with @ip filled for the sampler; -ENOENT when none the reader knows; -EOPNOTSUPP
 * (the reason in @why, e.g. a version without a layout) when it is one
 * but cannot be read: profiled natively then.
 */
int interp_reader__probe(struct interp_reader *r, pid_t pid, struct ut_interp_proc *ip,
			 char *why, size_t size);
/* The runtime @pid was found to run (probe returned 0), or NULL. */
const struct interp_runtime *interp_reader__runtime(const struct interp_reader *r, pid_t pid);
/* Frame @f of a sample of @pid named into @out. 0, or -EFAULT: unreadable. */
int interp_reader__name(struct interp_reader *r, pid_t pid, const struct ut_interp_frame *f,
			struct interp_frame *out);
/* The process is gone (or exec'd): forget what was read of it. */
void interp_reader__forget(struct interp_reader *r, pid_t pid);

/*
 * CPython 3.11's location table (co_linetable, @len bytes): the line of
 * code unit @index in a code object starting at @firstlineno; 0 when the
 * table gives none. Pure.
 */
int py_linetable_line(const uint8_t *table, size_t len, int firstlineno, uint32_t index);

/*
 * Ruby 3.1's instruction-to-entry index (succ_index_table, @len bytes of
 * it): the 1-based insns_info entry of instruction position @pos; 0 when
 * the table does not reach it. Pure.
 */
uint32_t rb_succ_index_lookup(const uint8_t *table, size_t len, uint32_t pos);

#endif /* USDTRACE_LANG_INTERP_H */
