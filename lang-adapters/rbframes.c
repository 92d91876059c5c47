// SPDX-License-Identifier: MIT
/*
 * rbframes.c - Ruby processes recognised and their frames named from their
 * memory (interp.h: interp_ruby). A process runs Ruby 3.1.2 when it maps
 * libruby whose dynamic symbols give ruby_current_ec (TLS: its module's
 * GOT slot), ruby_version and rb_vm_exec, and ruby_version reads 3.1.2.
 *
 * A Ruby frame is named from its iseq (label, path, the line of its pc
 * through the iseq's instruction table); a method's frame adds its
 * owner's class path, a C method's frame is all method entry: its owner's
 * class path and its ID's name. Names of IDs come from the VM's symbol
 * table, which libruby does not export: it is found in libruby's .data by
 * its shape (last_id, then str_sym, then an Array of ID_ENTRY_UNIT-sized
 * Arrays, as many as last_id asks) and read when a name is needed; where
 * it cannot be found, classes and C methods are named "?".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framecache.h"
#include "interp.h"
#include "procmem.h"

#define STR_MAX		1024	/* bytes of a name or path kept */
#define ID_ENTRY_UNIT	512	/* IDs per chunk of the symbol table, two VALUEs each */
#define RVALUE_SIZE	40
#define T_MASK		0x1f
#define T_STRING	0x05
#define T_ARRAY		0x07
#define FL_SINGLETON	0x1000
#define STR_NOEMBED	0x2000
#define ARY_EMBED	0x2000
#define SYM_FLAG	0x0c	/* a static Symbol: ID << 8 | 0x0c */
#define ID_SCAN_MAX	8192	/* serials searched for the class-path IDs */
#define SUCC_IMM	54	/* the succinct index's immediate part: 6 words */
#define SUCC_BLOCK	80	/* then blocks of 512 positions */
#define INSNS_MAX	(1 << 18)	/* instruction-table entries of an iseq, at most */
#define ISEQ_WORDS_MAX	(1 << 22)	/* its instructions: bounds the succinct index read */

struct frame_entry {
	struct fc_entry e;	/* the iseq, or a C method's method entry; then a method
				 * frame's method entry, or 0 */
	uint64_t check;		/* iseq: its body; C method: its def */
	char *name;
	char *file;
	uint32_t *lines;	/* of each instruction-table entry */
	uint32_t nr_lines;
	uint8_t *succ;		/* the iseq's succinct index, as read */
	size_t succ_len;
	uint64_t encoded;	/* the iseq's first instruction */
	bool cfunc;
};

/* One Ruby process: its layout, its symbol table, the frames named. */
struct interp_proc {
	pid_t pid;
	const struct rb_layout *l;
	uint64_t data, data_size;	/* libruby's .data in the process */
	uint64_t symbols;		/* the symbol table (rb_symbols_t), 0: not found */
	int symbol_tries;
	uint64_t id_classpath, id_attached;	/* 0: not found yet */
	bool ids_searched;
	struct frame_cache frames;
};

static uint64_t read_val(pid_t pid, uint64_t addr)
{
	uint64_t v = 0;

	return proc_read(pid, addr, &v, sizeof(v)) ? 0 : v;
}

/* A heap object (not an immediate) at @v: its first bytes into @obj. */
static int read_obj(pid_t pid, uint64_t v, uint8_t obj[RVALUE_SIZE])
{
	if (!v || (v & 7))
		return -EFAULT;
	return proc_read(pid, v, obj, RVALUE_SIZE);
}

/* A String's bytes, malloc'd; NULL when @v is not one or unreadable. */
static char *read_string(pid_t pid, const struct rb_layout *l, uint64_t v)
{
	uint8_t obj[RVALUE_SIZE];
	uint64_t flags, len, from;
	char *out;

	if (read_obj(pid, v, obj))
		return NULL;
	flags = get_u64(obj, 0);
	if ((flags & T_MASK) != T_STRING)
		return NULL;
	if (flags & STR_NOEMBED) {
		len = get_u64(obj, l->str_len);
		from = get_u64(obj, l->str_ptr);
	} else {
		len = (flags >> 14) & 0x1f;
		from = v + l->str_embed;
	}
	len = len < STR_MAX ? len : STR_MAX;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	if (proc_read(pid, from, out, len)) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

/* An Array's length and where its values are; -EFAULT when @v is not one. */
static int read_array(pid_t pid, const struct rb_layout *l, uint64_t v, uint64_t *len,
		      uint64_t *values)
{
	uint8_t obj[RVALUE_SIZE];
	uint64_t flags;

	if (read_obj(pid, v, obj))
		return -EFAULT;
	flags = get_u64(obj, 0);
	if ((flags & T_MASK) != T_ARRAY)
		return -EFAULT;
	if (flags & ARY_EMBED) {
		*len = (flags >> 15) & 3;
		*values = v + l->ary_embed;
	} else {
		*len = get_u64(obj, l->ary_len);
		*values = get_u64(obj, l->ary_ptr);
	}
	return 0;
}

static uint64_t array_at(pid_t pid, const struct rb_layout *l, uint64_t v, uint64_t i)
{
	uint64_t len, values;

	if (read_array(pid, l, v, &len, &values) || i >= len)
		return 0;
	return read_val(pid, values + 8 * i);
}

/* Does @at hold the symbol table: last_id, padding, str_sym, ids of its size? */
static bool symbols_at(const struct interp_proc *p, const uint8_t *at)
{
	uint32_t last_id = get_u32(at, 0), pad = get_u32(at, 4);
	uint64_t len, values;

	if (last_id <= p->l->last_op_id || last_id > (1u << 26) || pad || !get_u64(at, 8))
		return false;
	return !read_array(p->pid, p->l, get_u64(at, 16), &len, &values) &&
	       len == last_id / ID_ENTRY_UNIT + 1;
}

static void find_symbols(struct interp_proc *p)
{
	uint8_t *data;
	uint64_t off;

	if (p->symbols || p->symbol_tries++ >= 8 || !p->data || p->data_size > (1 << 20))
		return;
	data = malloc(p->data_size);
	if (!data)
		return;
	if (!proc_read(p->pid, p->data, data, p->data_size)) {
		for (off = 0; off + 32 <= p->data_size && !p->symbols; off += 8) {
			if (symbols_at(p, data + off))
				p->symbols = p->data + off;
		}
	}
	free(data);
}

/* The String (@sym: 0) or Symbol (1) entry of serial @serial. */
static uint64_t id_entry(struct interp_proc *p, uint64_t serial, int sym)
{
	uint64_t ids;

	find_symbols(p);
	if (!p->symbols)
		return 0;
	ids = read_val(p->pid, p->symbols + 16);
	return array_at(p->pid, p->l, array_at(p->pid, p->l, ids, serial / ID_ENTRY_UNIT),
			(serial % ID_ENTRY_UNIT) * 2 + (uint64_t)sym);
}

static char *id_name(struct interp_proc *p, uint64_t id)
{
	uint64_t serial = id > p->l->last_op_id ? id >> p->l->id_shift : id;

	return read_string(p->pid, p->l, id_entry(p, serial, 0));
}

/* The IDs of __classpath__ and __attached__, interned early at boot. */
static void find_class_ids(struct interp_proc *p)
{
	uint32_t last_id;
	uint64_t serial, sym;
	char *s;

	find_symbols(p);
	if (p->ids_searched || !p->symbols ||
	    proc_read(p->pid, p->symbols, &last_id, sizeof(last_id)))
		return;
	p->ids_searched = true;
	for (serial = 1; serial <= last_id && serial < ID_SCAN_MAX &&
	     (!p->id_classpath || !p->id_attached); serial++) {
		s = read_string(p->pid, p->l, id_entry(p, serial, 0));
		if (s && (!strcmp(s, "__classpath__") || !strcmp(s, "__attached__"))) {
			sym = id_entry(p, serial, 1);
			if ((sym & 0xff) == SYM_FLAG)
				*(s[2] == 'c' ? &p->id_classpath : &p->id_attached) = sym >> 8;
		}
		free(s);
	}
}

/* Instance variable @id of class @klass (its st_table), or 0. */
static uint64_t class_ivar(struct interp_proc *p, uint64_t klass, uint64_t id)
{
	const struct rb_layout *l = p->l;
	uint64_t ext, tbl, start, bound, entries, i;
	uint8_t st[64], e[24];

	ext = read_val(p->pid, klass + l->class_ext);
	tbl = ext ? read_val(p->pid, ext + l->ext_iv_tbl) : 0;
	if (!id || !tbl || proc_read(p->pid, tbl, st, sizeof(st)))
		return 0;
	start = get_u64(st, l->st_entries_start);
	bound = get_u64(st, l->st_entries_bound);
	entries = get_u64(st, l->st_entries);
	for (i = start; i < bound && i < start + 256; i++) {
		if (proc_read(p->pid, entries + 24 * i, e, sizeof(e)))
			return 0;
		if (get_u64(e, 8) == id && get_u64(e, 0) != ~0ull)
			return get_u64(e, 16);
	}
	return 0;
}

/* "Klass#" or "Klass." (a singleton's: its object's class path), malloc'd; NULL: unknown. */
static char *owner_prefix(struct interp_proc *p, uint64_t klass)
{
	uint64_t flags = read_val(p->pid, klass), of = klass;
	char *path, *out;
	bool single = flags & FL_SINGLETON;

	find_class_ids(p);
	if (single)
		of = class_ivar(p, klass, p->id_attached);
	path = of ? read_string(p->pid, p->l, class_ivar(p, of, p->id_classpath)) : NULL;
	if (!path)
		return NULL;
	out = malloc(strlen(path) + 2);
	if (out)
		sprintf(out, "%s%c", path, single ? '.' : '#');
	free(path);
	return out;
}

/* @prefix then @name into a new string (either may be NULL: "?"). */
static char *joined(const char *prefix, const char *name)
{
	char *out = malloc((prefix ? strlen(prefix) : 2) + (name ? strlen(name) : 1) + 1);

	if (out)
		sprintf(out, "%s%s", prefix ? prefix : "?#", name ? name : "?");
	return out;
}

static void frame_free(struct fc_entry *e)
{
	struct frame_entry *f = (struct frame_entry *)e;

	free(f->name);
	free(f->file);
	free(f->lines);
	free(f->succ);
	free(f);
}

/* A C method's frame: "Klass#name" from its method entry. */
static int cfunc_read(struct interp_proc *p, struct frame_entry *f)
{
	uint64_t owner = read_val(p->pid, f->e.addr + p->l->me_owner);
	char *prefix = owner ? owner_prefix(p, owner) : NULL, *name = NULL;

	f->check = read_val(p->pid, f->e.addr + p->l->me_def);
	if (f->check)
		name = id_name(p, read_val(p->pid, f->check + p->l->def_original_id));
	f->name = joined(prefix ? prefix : "?#", name);
	f->cfunc = true;
	free(prefix);
	free(name);
	return f->name ? 0 : -ENOMEM;
}

/* The iseq's path: a String, or [path, realpath]. */
static char *iseq_path(struct interp_proc *p, uint64_t pathobj)
{
	char *s = read_string(p->pid, p->l, pathobj);

	return s ? s : read_string(p->pid, p->l, array_at(p->pid, p->l, pathobj, 0));
}

/* Its instruction table's lines and succinct index, read once. */
static int iseq_lines(struct interp_proc *p, struct frame_entry *f, const uint8_t *body)
{
	const struct rb_layout *l = p->l;
	uint32_t n = get_u32(body, l->body_insns_size), size = get_u32(body, l->body_size), i;
	uint8_t *entries;

	if (n > INSNS_MAX || size > ISEQ_WORDS_MAX)
		return -EFAULT;	/* not an iseq's: its process's memory moved under us */
	entries = malloc((size_t)n * l->insn_size + 1);
	f->lines = calloc(n + 1, sizeof(*f->lines));
	if (!entries || !f->lines ||
	    proc_read(p->pid, get_u64(body, l->body_insns), entries, (size_t)n * l->insn_size)) {
		free(entries);
		return -EFAULT;
	}
	for (i = 0; i < n; i++)
		f->lines[i] = get_u32(entries, (size_t)i * l->insn_size);
	f->nr_lines = n;
	free(entries);
	if (n < 2)
		return 0;
	f->succ_len = 6 * 8 + (size >= SUCC_IMM ? (size - SUCC_IMM + 511) / 512 : 0) *
		      (size_t)SUCC_BLOCK;
	f->succ = malloc(f->succ_len);
	if (!f->succ || proc_read(p->pid, get_u64(body, l->body_succ), f->succ, f->succ_len))
		return -EFAULT;
	return 0;
}

/* A Ruby frame: "Klass#label" (a method's) or its label, its path and lines. */
static int iseq_read(struct interp_proc *p, struct frame_entry *f)
{
	const struct rb_layout *l = p->l;
	char *label, *prefix = NULL;
	uint8_t body[160];

	f->check = read_val(p->pid, f->e.addr + l->iseq_body);
	if (!f->check || (size_t)l->body_succ + 8 > sizeof(body) ||
	    proc_read(p->pid, f->check, body, (size_t)l->body_succ + 8))
		return -EFAULT;
	label = read_string(p->pid, l, get_u64(body, l->body_label));
	if (!label)
		return -EFAULT;
	if (f->e.key2) {
		uint64_t owner = read_val(p->pid, f->e.key2 + l->me_owner);

		prefix = owner ? owner_prefix(p, owner) : NULL;
	}
	f->name = prefix ? joined(prefix, label) : label;
	if (prefix)
		free(label);
	free(prefix);
	f->file = iseq_path(p, get_u64(body, l->body_path));
	f->encoded = get_u64(body, l->body_encoded);
	if (!f->name || !f->file)
		return -EFAULT;
	return iseq_lines(p, f, body);
}

/* A C method's key2: its entry is its code, kept apart from an iseq's (a method entry or 0). */
#define KEY_CFUNC	1

/* The frame of (@addr, @key2) in the process @ctx read; NULL when unreadable. */
static struct fc_entry *frame_read(void *ctx, uint64_t addr, uint64_t key2)
{
	struct frame_entry *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->e.addr = addr;
	f->e.key2 = key2;
	if (key2 == KEY_CFUNC ? cfunc_read(ctx, f) : iseq_read(ctx, f)) {
		frame_free(&f->e);
		return NULL;
	}
	return &f->e;
}

/* Is @e still what its address holds? Unreadable: what was read stands. */
static bool frame_same(void *ctx, const struct fc_entry *e)
{
	const struct interp_proc *p = ctx;
	const struct frame_entry *f = (const struct frame_entry *)e;
	uint64_t now;

	if (proc_read(p->pid, f->e.addr + (f->cfunc ? p->l->me_def : p->l->iseq_body), &now,
		      sizeof(now)))
		return true;
	return now == f->check;
}

static uint32_t frame_line(const struct frame_entry *f, uint64_t pc)
{
	uint64_t pos = pc >= f->encoded ? (pc - f->encoded) / 8 : 0;
	uint32_t idx;

	if (pos)
		pos--;		/* pc is past the instruction running */
	if (f->nr_lines == 0)
		return 0;
	if (f->nr_lines == 1)
		return f->lines[0];
	idx = rb_succ_index_lookup(f->succ, f->succ_len, pos > UINT32_MAX ? UINT32_MAX :
				   (uint32_t)pos);
	return idx >= 1 && idx <= f->nr_lines ? f->lines[idx - 1] : 0;
}

static int rb_name(struct interp_proc *p, const struct ut_interp_frame *fr,
		   struct interp_frame *out)
{
	uint64_t key2 = fr->flags & UT_IFRAME_CFUNC ? KEY_CFUNC : fr->aux;
	const struct frame_entry *f = (const struct frame_entry *)fc_get(&p->frames, fr->code,
									 key2);

	if (!f)
		return -EFAULT;
	out->name = f->name;
	out->file = f->file;
	out->cfunc = f->cfunc;
	out->line = f->cfunc ? 0 : (int)frame_line(f, fr->instr);
	return 0;
}

static void rb_free(struct interp_proc *p)
{
	if (!p)
		return;
	fc_clear(&p->frames);
	free(p);
}

static int rb_probe(pid_t pid, const char *path, uint64_t base, struct ut_interp_proc *ip,
		    struct interp_proc **out, char *why, size_t size)
{
	struct elf_want syms[] = { { "ruby_current_ec" }, { "ruby_version" }, { "rb_vm_exec" } };
	const struct rb_layout *l;
	struct elf_facts facts;
	struct interp_proc *p;
	char version[16] = "";

	if (elf_lookup(path, base, syms, 3, &facts) || !syms[0].tls)
		return -ENOENT;
	if (syms[1].size >= sizeof(version) || proc_read(pid, syms[1].addr, version, syms[1].size))
		snprintf(version, sizeof(version), "?");
	version[sizeof(version) - 1] = '\0';
	l = rb_layout__find(version);
	if (!l) {
		snprintf(why, size, "PID %d: ruby %s: no frame layout for it (3.1.2 is known): "
			 "profiled natively", (int)pid, version);
		return -EOPNOTSUPP;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->l = l;
	p->frames = (struct frame_cache){ .read = frame_read, .same = frame_same,
					  .free = frame_free, .ctx = p };
	p->data = facts.data;
	p->data_size = facts.data_size;
	*ip = l->proc;
	ip->runtime = syms[0].tls_slot;
	ip->rb.tls_ec = (uint32_t)syms[0].addr;
	*out = p;
	return 0;
}

/* libruby-3.1.so.3.1: the VM's own code */
static bool rb_object(const char *base)
{
	return !strncmp(base, "libruby", 7);
}

const struct interp_runtime interp_ruby = {
	.lang = "ruby",
	.seam = "rb_vm_exec",
	.is_object = rb_object,
	.probe = rb_probe,
	.name = rb_name,
	.free = rb_free,
};

/* popcount, without a builtin the fuzzers' compilers may lack */
static int popcount64(uint64_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

uint32_t rb_succ_index_lookup(const uint8_t *table, size_t len, uint32_t pos)
{
	uint64_t bits, ranks;
	uint32_t block, bit, small, rank;
	size_t at;

	if (pos < SUCC_IMM) {
		if ((size_t)(pos / 9) * 8 + 8 > len)
			return 0;
		return (uint32_t)((get_u64(table, (size_t)(pos / 9) * 8) >> (7 * (pos % 9))) & 0x7f);
	}
	block = (pos - SUCC_IMM) / 512;
	bit = (pos - SUCC_IMM) % 512;
	small = bit / 64;
	at = 6 * 8 + (size_t)block * SUCC_BLOCK;
	if (at + SUCC_BLOCK > len)
		return 0;
	rank = get_u32(table, at);
	ranks = get_u64(table, at + 8);
	bits = get_u64(table, at + 16 + 8 * (size_t)small);
	return rank + (small ? (uint32_t)((ranks >> (9 * (small - 1))) & 0x1ff) : 0) +
	       (uint32_t)popcount64(bits << (63 - bit % 64));
}
