// SPDX-License-Identifier: MIT
/*
 * pyframes.c - CPython processes recognised and their frames named from
 * their memory (interp.h). A process runs CPython when it maps the
 * interpreter (python3.X, or libpython3.X.so for an embedder) whose
 * dynamic symbols give _PyRuntime, Py_Version and PyCode_Type; the version
 * read from the live process picks the layout, and PyCode_Type's size is
 * checked against it, so a build the table does not know is refused, never
 * misread. Code objects are read once per (process, address) and checked
 * again (argcount, firstlineno) at each use, since a freed one's address
 * is reused.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "interp.h"

#define CODE_BUCKETS	4096
#define STR_MAX		1024	/* characters of a name or path kept */

struct code_entry {
	pid_t pid;
	uint64_t addr;
	int32_t argcount;
	int32_t firstlineno;
	char *name;
	char *file;
	uint8_t *linetable;
	size_t linelen;
	struct code_entry *next;
};

struct py_proc {
	pid_t pid;
	const struct py_layout *l;
	struct py_proc *next;
};

struct interp_reader {
	struct code_entry *codes[CODE_BUCKETS];
	struct py_proc *procs;
};

int interp_reader__new(struct interp_reader **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

static int read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? -errno : -EFAULT;
}

static uint64_t get_u64(const uint8_t *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static int32_t get_i32(const uint8_t *b, size_t off)
{
	int32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
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

	if (!addr || read_mem(pid, addr, head, l->str_compact_data))
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
	    read_mem(pid, addr + ((state & (1u << 6)) ? l->str_ascii_data : l->str_compact_data),
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

	if (!addr || read_mem(pid, addr, head, l->bytes_data))
		return -EFAULT;
	n = (int64_t)get_u64(head, l->bytes_size);
	if (n < 0 || n > (1 << 24))
		return -EFAULT;
	*data = malloc((size_t)n + 1);
	if (!*data)
		return -ENOMEM;
	*len = (size_t)n;
	return read_mem(pid, addr + l->bytes_data, *data, (size_t)n);
}

static struct py_proc *proc_of(const struct interp_reader *r, pid_t pid)
{
	struct py_proc *p;

	for (p = r->procs; p && p->pid != pid; p = p->next)
		;
	return p;
}

static void code_free(struct code_entry *c)
{
	free(c->name);
	free(c->file);
	free(c->linetable);
	free(c);
}

/* Code object @addr of @pid read whole; NULL when unreadable. */
static struct code_entry *code_read(pid_t pid, const struct py_layout *l, uint64_t addr)
{
	struct code_entry *c = calloc(1, sizeof(*c));
	uint8_t code[256];

	if (!c || l->code_size > sizeof(code) || read_mem(pid, addr, code, l->code_size))
		goto out_free;
	c->pid = pid;
	c->addr = addr;
	c->argcount = get_i32(code, l->code_argcount);
	c->firstlineno = get_i32(code, l->code_firstlineno);
	c->name = read_str(pid, l, get_u64(code, l->code_qualname));
	if (!c->name)
		c->name = read_str(pid, l, get_u64(code, l->code_name));
	c->file = read_str(pid, l, get_u64(code, l->code_filename));
	if (!c->name || !c->file ||
	    read_bytes(pid, l, get_u64(code, l->code_linetable), &c->linetable, &c->linelen))
		goto out_free;
	return c;
out_free:
	if (c)
		code_free(c);
	return NULL;
}

/*
 * Is @c still the code object at its address? One read from argcount to
 * firstlineno (3.11 keeps them 16 bytes apart). Unreadable: the process
 * is gone, and its code objects with it; what was read stands.
 */
static bool code_same(const struct code_entry *c, const struct py_layout *l)
{
	size_t from = l->code_argcount, len = (size_t)l->code_firstlineno + 4 - from;
	uint8_t b[64];

	if (l->code_firstlineno < l->code_argcount || len > sizeof(b) ||
	    read_mem(c->pid, c->addr + from, b, len))
		return true;
	return get_i32(b, 0) == c->argcount && get_i32(b, len - 4) == c->firstlineno;
}

int interp_reader__name(struct interp_reader *r, pid_t pid, const struct ut_interp_frame *f,
			struct interp_frame *out)
{
	const struct py_proc *p = proc_of(r, pid);
	size_t h = (size_t)((f->code >> 4) ^ (uint64_t)pid) % CODE_BUCKETS;
	struct code_entry **pc, *c;
	uint64_t index;

	if (!p)
		return -ENOENT;
	for (pc = &r->codes[h]; *pc; pc = &(*pc)->next) {
		if ((*pc)->pid == pid && (*pc)->addr == f->code)
			break;
	}
	if (*pc && !code_same(*pc, p->l)) {
		c = *pc;
		*pc = c->next;
		code_free(c);
	}
	if (!*pc) {
		c = code_read(pid, p->l, f->code);
		if (!c)
			return -EFAULT;
		c->next = r->codes[h];
		r->codes[h] = c;
		pc = &r->codes[h];
	}
	c = *pc;
	index = f->instr >= f->code + p->l->code_first_instr ?
		(f->instr - f->code - p->l->code_first_instr) / 2 : 0;
	out->lang = "python";
	out->name = c->name;
	out->file = c->file;
	out->line = py_linetable_line(c->linetable, c->linelen, c->firstlineno,
				      index > UINT32_MAX ? UINT32_MAX : (uint32_t)index);
	return 0;
}

void interp_reader__forget(struct interp_reader *r, pid_t pid)
{
	struct code_entry **pc, *c;
	struct py_proc **pp, *p;
	size_t i;

	for (i = 0; i < CODE_BUCKETS; i++) {
		for (pc = &r->codes[i]; *pc;) {
			c = *pc;
			if (c->pid != pid) {
				pc = &c->next;
				continue;
			}
			*pc = c->next;
			code_free(c);
		}
	}
	for (pp = &r->procs; *pp; pp = &(*pp)->next) {
		if ((*pp)->pid == pid) {
			p = *pp;
			*pp = p->next;
			free(p);
			break;
		}
	}
}

void interp_reader__free(struct interp_reader *r)
{
	struct py_proc *p, *next;
	size_t i;

	if (!r)
		return;
	for (i = 0; i < CODE_BUCKETS; i++) {
		while (r->codes[i]) {
			struct code_entry *c = r->codes[i];

			r->codes[i] = c->next;
			code_free(c);
		}
	}
	for (p = r->procs; p; p = next) {
		next = p->next;
		free(p);
	}
	free(r);
}

struct interp_syms {
	uint64_t runtime, version, code_type;
	uint64_t bias;
};

/* The dynamic symbols the reader needs, and the load bias of the file mapped at @base. */
static int elf_syms(const char *path, uint64_t base, struct interp_syms *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = -ENOENT;
	Elf_Scn *scn = NULL;
	size_t i, n, nload;
	GElf_Ehdr eh;
	Elf *e;

	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &nload))
		goto out_close;
	memset(out, 0, sizeof(*out));
	for (i = 0; eh.e_type == ET_DYN && i < nload; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD) {
			out->bias = base - (ph.p_vaddr - ph.p_offset);
			break;
		}
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = d ? sh.sh_size / sh.sh_entsize : 0;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym) || !sym.st_value)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name)
				continue;
			if (!strcmp(name, "_PyRuntime"))
				out->runtime = sym.st_value + out->bias;
			else if (!strcmp(name, "Py_Version"))
				out->version = sym.st_value + out->bias;
			else if (!strcmp(name, "PyCode_Type"))
				out->code_type = sym.st_value + out->bias;
		}
	}
	err = out->runtime && out->version && out->code_type ? 0 : -ENOENT;
out_close:
	if (e)
		elf_end(e);
	close(fd);
	return err;
}

/*
 * The interpreter among @pid's mappings: the first python3.X or
 * libpython3.X object (an embedder maps only the latter; an
 * --enable-shared build both, its symbols in the library) whose dynamic
 * symbols give what the reader needs.
 */
static int find_interp(pid_t pid, struct interp_syms *syms)
{
	char maps[64], line[4096 + 128], path[4096 + 64], *file, *name;
	unsigned long long start, off;
	int err = -ENOENT;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		file = strchr(line, '/');
		if (!file || sscanf(line, "%llx-%*x %*s %llx", &start, &off) != 2 || off)
			continue;
		name = strrchr(file, '/') + 1;
		if (strncmp(name, "python3.", 8) && strncmp(name, "libpython3.", 11))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, file);
		err = elf_syms(path, start, syms);
	}
	fclose(f);
	return err;
}

int interp_reader__probe(struct interp_reader *r, pid_t pid, struct ut_interp_proc *ip,
			 char *why, size_t size)
{
	const struct py_layout *l;
	struct interp_syms syms = {};
	uint64_t basicsize = 0;
	uint32_t version = 0;
	struct py_proc *p;
	int err;

	err = find_interp(pid, &syms);
	if (err)
		return -ENOENT;
	if (read_mem(pid, syms.version, &version, sizeof(version))) {
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
	if (read_mem(pid, syms.code_type + l->type_basicsize, &basicsize, sizeof(basicsize)) ||
	    basicsize != l->code_first_instr) {
		snprintf(why, size, "PID %d: python %u.%u: its code objects are not the layout's "
			 "(%llu bytes, not %u): profiled natively", (int)pid, version >> 24,
			 (version >> 16) & 0xff, (unsigned long long)basicsize,
			 l->code_first_instr);
		return -EOPNOTSUPP;
	}
	p = proc_of(r, pid);
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->pid = pid;
		p->next = r->procs;
		r->procs = p;
	}
	p->l = l;
	*ip = l->proc;
	ip->runtime = syms.runtime;
	return 0;
}

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
