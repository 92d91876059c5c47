// SPDX-License-Identifier: MIT
/*
 * pyframes.c - CPython processes recognised and their frames named from
 * their memory (interp.h: interp_python). A process runs CPython when it maps the
 * interpreter (python3.X, or libpython3.X.so for an embedder) whose
 * dynamic symbols give _PyRuntime, Py_Version and PyCode_Type; the version
 * read from the live process picks the layout, and PyCode_Type's size is
 * checked against it, so a build the table does not know is refused, never
 * misread. Code objects are read once per (process, address) and checked
 * again (argcount, firstlineno) at each use, since a freed one's address
 * is reused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framecache.h"
#include "interp.h"
#include "procmem.h"

#define STR_MAX		1024	/* characters of a name or path kept */

struct code_entry {
	struct fc_entry e;	/* the code object's address */
	int32_t argcount;
	int32_t firstlineno;
	char *name;
	char *file;
	uint8_t *linetable;
	size_t linelen;
};

/* One CPython process: its layout and the code objects read of it. */
struct interp_proc {
	pid_t pid;
	const struct py_layout *l;
	struct frame_cache codes;
};

static int32_t get_i32(const uint8_t *b, size_t off)
{
	return (int32_t)get_u32(b, off);
}

/* A code point as UTF-8 into @out (4 bytes room); its length. */
static size_t utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* A str object at @addr as UTF-8 (malloc'd); NULL when unreadable. */
static char *read_str(pid_t pid, const struct py_layout *l, uint64_t addr)
{
	uint8_t head[80], *chars = NULL;
	uint32_t state, kind, c;
	char *out = NULL;
	size_t n, i, o = 0;
	int64_t len;

	if (!addr || proc_read(pid, addr, head, l->str_compact_data))
		return NULL;
	len = (int64_t)get_u64(head, l->str_length);
	memcpy(&state, head + l->str_state, sizeof(state));
	kind = (state >> 2) & 7;
	if (len < 0 || !(state & (1u << 5)) || (kind != 1 && kind != 2 && kind != 4))
		return NULL;	/* not a compact string: never a code object's */
	n = (size_t)len < STR_MAX ? (size_t)len : STR_MAX;
	chars = malloc(n * kind + 1);
	out = malloc(4 * n + 1);
	if (!chars || !out ||
	    proc_read(pid, addr + ((state & (1u << 6)) ? l->str_ascii_data : l->str_compact_data),
		     chars, n * kind))
		goto out_free;
	for (i = 0; i < n; i++) {
		if (kind == 1)
			c = chars[i];
		else if (kind == 2)
			c = (uint32_t)chars[2 * i] | (uint32_t)chars[2 * i + 1] << 8;
		else
			memcpy(&c, chars + 4 * i, 4);
		o += utf8_put(c > 0x10ffff ? 0xfffd : c, out + o);
	}
	out[o] = '\0';
	free(chars);
	return out;
out_free:
	free(chars);
	free(out);
	return NULL;
}

/* A bytes object at @addr, its data malloc'd into *@data. */
static int read_bytes(pid_t pid, const struct py_layout *l, uint64_t addr, uint8_t **data,
		      size_t *len)
{
	uint8_t head[32];
	int64_t n;

	if (!addr || proc_read(pid, addr, head, l->bytes_data))
		return -EFAULT;
	n = (int64_t)get_u64(head, l->bytes_size);
	if (n < 0 || n > (1 << 24))
		return -EFAULT;
	*data = malloc((size_t)n + 1);
	if (!*data)
		return -ENOMEM;
	*len = (size_t)n;
	return proc_read(pid, addr + l->bytes_data, *data, (size_t)n);
}

static void code_free(struct fc_entry *e)
{
	struct code_entry *c = (struct code_entry *)e;

	free(c->name);
	free(c->file);
	free(c->linetable);
	free(c);
}

/* Code object @addr of the process @ctx read whole; NULL when unreadable. */
static struct fc_entry *code_read(void *ctx, uint64_t addr, uint64_t key2)
{
	const struct interp_proc *p = ctx;
	const struct py_layout *l = p->l;
	struct code_entry *c = calloc(1, sizeof(*c));
	pid_t pid = p->pid;
	uint8_t code[256];

	(void)key2;
	if (!c || l->code_size > sizeof(code) || proc_read(pid, addr, code, l->code_size))
		goto out_free;
	c->argcount = get_i32(code, l->code_argcount);
	c->firstlineno = get_i32(code, l->code_firstlineno);
	c->name = read_str(pid, l, get_u64(code, l->code_qualname));
	if (!c->name)
		c->name = read_str(pid, l, get_u64(code, l->code_name));
	c->file = read_str(pid, l, get_u64(code, l->code_filename));
	if (!c->name || !c->file ||
	    read_bytes(pid, l, get_u64(code, l->code_linetable), &c->linetable, &c->linelen))
		goto out_free;
	return &c->e;
out_free:
	if (c)
		code_free(&c->e);
	return NULL;
}

/*
 * Is @c still the code object at its address? One read from argcount to
 * firstlineno (3.11 keeps them 16 bytes apart). Unreadable: the process
 * is gone, and its code objects with it; what was read stands.
 */
static bool code_same(void *ctx, const struct fc_entry *e)
{
	const struct interp_proc *p = ctx;
	const struct code_entry *c = (const struct code_entry *)e;
	const struct py_layout *l = p->l;
	size_t from = l->code_argcount, len = (size_t)l->code_firstlineno + 4 - from;
	uint8_t b[64];

	if (l->code_firstlineno < l->code_argcount || len > sizeof(b) ||
	    proc_read(p->pid, c->e.addr + from, b, len))
		return true;
	return get_i32(b, 0) == c->argcount && get_i32(b, len - 4) == c->firstlineno;
}

static int py_name(struct interp_proc *p, const struct ut_interp_frame *f,
		   struct interp_frame *out)
{
	struct code_entry *c = (struct code_entry *)fc_get(&p->codes, f->code, 0);
	uint64_t index;

	if (!c)
		return -EFAULT;
	index = f->instr >= f->code + p->l->code_first_instr ?
		(f->instr - f->code - p->l->code_first_instr) / 2 : 0;
	out->name = c->name;
	out->file = c->file;
	out->line = py_linetable_line(c->linetable, c->linelen, c->firstlineno,
				      index > UINT32_MAX ? UINT32_MAX : (uint32_t)index);
	return 0;
}

static void py_free(struct interp_proc *p)
{
	if (!p)
		return;
	fc_clear(&p->codes);
	free(p);
}

/*
 * @path (python3.X, or libpython3.X.so for an embedder; an
 * --enable-shared build maps both, its symbols in the library) is CPython
 * when its dynamic symbols give _PyRuntime, Py_Version and PyCode_Type;
 * the version read from the live process picks the layout.
 */
static int py_probe(pid_t pid, const char *path, uint64_t base, struct ut_interp_proc *ip,
		    struct interp_proc **out, char *why, size_t size)
{
	struct elf_want syms[] = { { "_PyRuntime" }, { "Py_Version" }, { "PyCode_Type" } };
	const struct py_layout *l;
	struct elf_facts facts;
	uint64_t basicsize = 0;
	uint32_t version = 0;
	struct interp_proc *p;

	if (elf_lookup(path, base, syms, 3, &facts))
		return -ENOENT;
	if (proc_read(pid, syms[1].addr, &version, sizeof(version))) {
		snprintf(why, size, "PID %d: python: its version cannot be read", (int)pid);
		return -EOPNOTSUPP;
	}
	l = py_layout__find(version >> 16);
	if (!l) {
		snprintf(why, size, "PID %d: python %u.%u: no frame layout for it (3.11 is "
			 "known): profiled natively", (int)pid, version >> 24,
			 (version >> 16) & 0xff);
		return -EOPNOTSUPP;
	}
	/* a code object's instructions start where its fixed part ends */
	if (proc_read(pid, syms[2].addr + l->type_basicsize, &basicsize, sizeof(basicsize)) ||
	    basicsize != l->code_first_instr) {
		snprintf(why, size, "PID %d: python %u.%u: its code objects are not the layout's "
			 "(%llu bytes, not %u): profiled natively", (int)pid, version >> 24,
			 (version >> 16) & 0xff, (unsigned long long)basicsize,
			 l->code_first_instr);
		return -EOPNOTSUPP;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->l = l;
	p->codes = (struct frame_cache){ .read = code_read, .same = code_same, .free = code_free,
					 .ctx = p };
	*ip = l->proc;
	ip->runtime = syms[0].addr;
	*out = p;
	return 0;
}

/* Is @base the interpreter itself (its call machinery between Python frames)? */
static bool py_object(const char *base)
{
	return !strncmp(base, "python3.", 8) || !strncmp(base, "libpython3.", 11);
}

const struct interp_runtime interp_python = {
	.lang = "python",
	.seam = "_PyEval_EvalFrameDefault",
	.is_object = py_object,
	.probe = py_probe,
	.name = py_name,
	.free = py_free,
};

/* CPython 3.11's varints: 6 bits a byte, bit 6 says more follow. */
static uint32_t varint(const uint8_t *t, size_t len, size_t *i)
{
	uint32_t v = 0, shift = 0;
	uint8_t b;

	do {
		if (*i >= len || shift > 28)
			return v;
		b = t[(*i)++];
		v |= (uint32_t)(b & 63) << shift;
		shift += 6;
	} while (b & 64);
	return v;
}

static int svarint(const uint8_t *t, size_t len, size_t *i)
{
	uint32_t v = varint(t, len, i);

	return v & 1 ? -(int)(v >> 1) : (int)(v >> 1);
}

int py_linetable_line(const uint8_t *table, size_t len, int firstlineno, uint32_t index)
{
	uint32_t addr = 0, units;
	int line = firstlineno, code;
	size_t i = 0;

	while (i < len) {
		code = (table[i] >> 3) & 15;
		units = (table[i] & 7) + 1;
		i++;
		if (code == 15) {		/* no location */
			if (index < addr + units)
				return 0;
		} else if (code == 14) {	/* long form */
			line += svarint(table, len, &i);
			varint(table, len, &i);
			varint(table, len, &i);
			varint(table, len, &i);
		} else if (code == 13) {	/* no column */
			line += svarint(table, len, &i);
		} else if (code >= 10) {	/* one line, two columns */
			line += code - 10;
			i += 2;
		} else {			/* short form: the same line */
			i += 1;
		}
		if (code != 15 && index < addr + units)
			return line > 0 ? line : 0;
		addr += units;
		/* an entry starts with bit 7 set: skip what this one did not use */
		while (i < len && !(table[i] & 0x80))
			i++;
	}
	return 0;
}
