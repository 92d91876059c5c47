/* SPDX-License-Identifier: MIT */
/*
 * interp.h - interpreter frames, for `usdtrace profile`: the layout of each
 * runtime version the sampler can walk (a table, pure: python.c), and the
 * reader (pyframes.c) that recognises a process's runtime from the objects
 * it maps, checks the version against the live process, and names the
 * frames a sample carries (function, file, line) from the process's memory,
 * with caches. Nothing is guessed: a frame that cannot be read is said so.
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

/* One interpreter frame named. Strings owned by the reader, valid until it is freed. */
struct interp_frame {
	const char *lang;	/* "python" */
	const char *name;	/* the qualified name: Class.method */
	const char *file;
	int line;		/* 0: unknown */
};

struct interp_reader;

int interp_reader__new(struct interp_reader **out);
void interp_reader__free(struct interp_reader *r);
/*
 * The runtime process @pid runs, from the objects it maps: 0 with @ip
 * filled for the sampler; -ENOENT when none the reader knows; -EOPNOTSUPP
 * (the reason in @why, e.g. a version without a layout) when it is one
 * but cannot be read: profiled natively then.
 */
int interp_reader__probe(struct interp_reader *r, pid_t pid, struct ut_interp_proc *ip,
			 char *why, size_t size);
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

#endif /* USDTRACE_LANG_INTERP_H */
