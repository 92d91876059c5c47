// SPDX-License-Identifier: MIT
/*
 * jvm.c - Java frames of a live HotSpot JVM (jvm.h): its code cache and
 * its methods, read from outside with the offsets its vmStructs give.
 *
 * A pc in the code cache: the CodeHeap holding it, its segment map walked
 * back to the block's first segment, the CodeBlob after the block's
 * header, checked to hold the pc (code freed or moved since the sample is
 * lost, not named). "Interpreter": the frame's method at fp[-3], its
 * bytecode pointer at fp[-8] (r13 in the innermost frame), the caller at
 * fp[1], fp[0], and its sp at fp[-1]. "nmethod": the CompiledMethod's
 * Method, the caller's sp frame_size words above. Other blobs (stubs,
 * adapters) are the JVM's own code; their caller is found by rbp.
 * A Method is named once: ConstMethod -> ConstantPool -> holder Klass's
 * name, the pool's Symbol at name_index, the pool's SourceFile, and its
 * compressed line number table after the bytecodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framecache.h"
#include "jvm.h"
#include "procmem.h"
#include "../util/vec.h"

#define HEAPS_MAX	8
#define BLOB_READ	128	/* bytes of a CodeBlob read: its fields are below this */
#define SEGMAP_HOPS	256	/* segment map hops believed before the chain is damaged */
#define SYM_MAX		512	/* bytes of a name read */
#define LINES_MAX	4096	/* bytes of a line number table read */
#define METHODS_MAX	65536	/* named methods kept */

/* Frame slots of the interpreter (x86-64 frame_x86.hpp), in words from fp. */
#define INTERP_SENDER_SP	(-1)
#define INTERP_METHOD		(-3)
#define INTERP_BCP		(-8)

size_t jvm_layout_wants(struct jvm_layout *l, struct vm_want *w, size_t max)
{
	const struct vm_want all[] = {
		{ "CodeCache", "_heaps", NULL, &l->code_heaps },
		{ "GrowableArrayBase", "_len", &l->ga_len },
		{ "GrowableArray<int>", "_data", &l->ga_data },
		{ "CodeHeap", "_memory", &l->heap_memory },
		{ "CodeHeap", "_segmap", &l->heap_segmap },
		{ "CodeHeap", "_log2_segment_size", &l->heap_log2_seg },
		{ "VirtualSpace", "_low", &l->vs_low },
		{ "VirtualSpace", "_high", &l->vs_high },
		{ "HeapBlock", "_header", &l->hb_header },
		{ "HeapBlock::Header", "_used", &l->hdr_used },
		{ "HeapBlock", NULL, &l->hb_size },
		{ "CodeBlob", "_name", &l->blob_name },
		{ "CodeBlob", "_frame_complete_offset", &l->blob_frame_complete },
		{ "CodeBlob", "_frame_size", &l->blob_frame_size },
		{ "CodeBlob", "_code_begin", &l->blob_code_begin },
		{ "CodeBlob", "_code_end", &l->blob_code_end },
		{ "CompiledMethod", "_method", &l->cm_method },
		{ "Method", "_constMethod", &l->m_const },
		{ "ConstMethod", "_constants", &l->cm_constants },
		{ "ConstMethod", "_name_index", &l->cm_name_index },
		{ "ConstMethod", "_code_size", &l->cm_code_size },
		{ "ConstMethod", "_flags", &l->cm_flags },
		{ "ConstMethod", NULL, &l->cm_size },
		{ "ConstantPool", "_pool_holder", &l->cp_holder },
		{ "ConstantPool", "_source_file_name_index", &l->cp_source_file },
		{ "ConstantPool", NULL, &l->cp_size },
		{ "Klass", "_name", &l->klass_name },
		{ "Symbol", "_length", &l->sym_length },
		{ "Symbol", "_body", &l->sym_body },
		{ "ConstMethod::_has_linenumber_table", "", &l->has_linenumbers },
	};
	size_t n = sizeof(all) / sizeof(all[0]), i;

	for (i = 0; i < n && i < max; i++)
		w[i] = all[i];
	return i;
}

/* One UNSIGNED5 int (base-64 digits, a byte of 192 and up continues), zigzag signed. */
static bool signed5(const uint8_t *t, size_t len, size_t *i, int *out)
{
	uint32_t v = 0, shift = 0;
	uint8_t b;

	do {
		if (*i >= len || shift >= 30)
			return false;
		b = t[(*i)++];
		v += (uint32_t)b << shift;
		shift += 6;
	} while (b >= 192);
	*out = (int)(v >> 1) ^ -(int)(v & 1);
	return true;
}

int jvm_line_of(const uint8_t *t, size_t len, int bci)
{
	int cur_bci = 0, cur_line = 0, best_bci = 0, best_line = 0, d[2];
	size_t i = 0;

	/* pairs (bci delta, line delta): one byte (5 bits, 3 bits), or 0xFF and
	 * two signed ints; a 0 byte ends it. Not sorted by bci: the exact bci,
	 * else the closest below (Method::line_number_from_bci) */
	while (i < len && t[i]) {
		if (t[i] != 0xFF) {
			d[0] = t[i] >> 3;
			d[1] = t[i] & 7;
			i++;
		} else {
			i++;
			if (!signed5(t, len, &i, &d[0]) || !signed5(t, len, &i, &d[1]))
				return 0;
		}
		cur_bci += d[0];
		cur_line += d[1];
		if (cur_bci == bci)
			return cur_line;
		if (cur_bci < bci && cur_bci >= best_bci) {
			best_bci = cur_bci;
			best_line = cur_line;
		}
	}
	return best_line;
}

void jvm_dotted(char *name)
{
	for (; *name; name++) {
		if (*name == '/')
			*name = '.';
	}
}

struct jvm_heap {
	uint64_t low, high;	/* its code: [low, high) */
	uint64_t segmap;	/* a byte per segment */
	uint32_t log2_seg;
};

/* A Method named, by its address; checked by its ConstMethod at each use. */
struct jvm_method {
	struct fc_entry e;
	uint64_t const_method;
	uint64_t code_base;	/* its bytecodes */
	uint32_t code_size;
	char *name;		/* package.Class.method */
	char *file;		/* SourceFile, NULL */
	uint8_t *lines;		/* the compressed line number table, NULL: none */
	size_t nr_lines;
};

/* A stub's name, by the address of its C string in libjvm (which never moves). */
struct jvm_name {
	struct fc_entry e;
	char *name;
};

struct jvm {
	pid_t pid;
	char *obj;		/* libjvm.so's path, as mapped */
	struct jvm_layout l;
	struct jvm_heap heaps[HEAPS_MAX];
	int nr_heaps;
	struct frame_cache methods;
	struct frame_cache names;
	size_t nr_methods;
};

static int rd(const struct jvm *j, uint64_t addr, void *buf, size_t len)
{
	return proc_read(j->pid, addr, buf, len);
}

static uint64_t rd_u64(const struct jvm *j, uint64_t addr)
{
	uint64_t v = 0;

	return rd(j, addr, &v, sizeof(v)) ? 0 : v;
}

/* The code heaps (non-nmethods, profiled, non-profiled): fixed once the JVM runs. */
static int read_heaps(struct jvm *j)
{
	const struct jvm_layout *l = &j->l;
	uint64_t arr = rd_u64(j, l->code_heaps), data, h;
	int32_t len = 0;
	int i;

	if (!arr || rd(j, arr + l->ga_len, &len, sizeof(len)) || len <= 0 || len > HEAPS_MAX)
		return -EFAULT;
	data = rd_u64(j, arr + l->ga_data);
	j->nr_heaps = 0;
	for (i = 0; i < len; i++) {
		struct jvm_heap *hp = &j->heaps[j->nr_heaps];
		int32_t log2 = 0;

		h = rd_u64(j, data + 8 * (uint64_t)i);
		if (!h)
			continue;
		hp->low = rd_u64(j, h + l->heap_memory + l->vs_low);
		hp->high = rd_u64(j, h + l->heap_memory + l->vs_high);
		hp->segmap = rd_u64(j, h + l->heap_segmap + l->vs_low);
		if (rd(j, h + l->heap_log2_seg, &log2, sizeof(log2)) || log2 < 4 || log2 > 16 ||
		    !hp->low || hp->high <= hp->low || !hp->segmap)
			return -EFAULT;
		hp->log2_seg = (uint32_t)log2;
		j->nr_heaps++;
	}
	return j->nr_heaps ? 0 : -EFAULT;
}

static const struct jvm_heap *heap_of(const struct jvm *j, uint64_t pc)
{
	int i;

	for (i = 0; i < j->nr_heaps; i++) {
		if (pc >= j->heaps[i].low && pc < j->heaps[i].high)
			return &j->heaps[i];
	}
	return NULL;
}

bool jvm__owns(struct jvm *j, uint64_t pc)
{
	return heap_of(j, pc) != NULL;
}

/*
 * The CodeBlob holding @pc (CodeHeap::find_blob_unsafe): its segment's
 * map byte is the hops back to the block's first segment (0 there, 0xFF:
 * free). 0 when the code there is free or the chain is damaged.
 */
static uint64_t blob_of(const struct jvm *j, const struct jvm_heap *h, uint64_t pc)
{
	uint64_t seg = (pc - h->low) >> h->log2_seg, block;
	uint8_t hop, used = 0;
	int n;

	for (n = 0; n < SEGMAP_HOPS; n++) {
		if (rd(j, h->segmap + seg, &hop, 1) || hop == 0xFF)
			return 0;
		if (!hop)
			break;
		if (hop > seg)
			return 0;
		seg -= hop;
	}
	if (n == SEGMAP_HOPS)
		return 0;
	block = h->low + (seg << h->log2_seg);
	if (rd(j, block + j->l.hb_header + j->l.hdr_used, &used, 1) || !used)
		return 0;
	return block + j->l.hb_size;
}

/* A Symbol's bytes, NUL-terminated, into @buf (@len bytes at most). */
static int read_symbol(const struct jvm *j, uint64_t sym, char *buf, size_t len)
{
	uint16_t n = 0;

	if (!sym || rd(j, sym + j->l.sym_length, &n, sizeof(n)))
		return -EFAULT;
	if (n >= len)
		n = (uint16_t)(len - 1);
	if (rd(j, sym + j->l.sym_body, buf, n))
		return -EFAULT;
	buf[n] = '\0';
	return 0;
}

/* The Symbol at index @i of constant pool @cp (its entries follow it, a word each). */
static uint64_t pool_symbol(const struct jvm *j, uint64_t cp, uint32_t i)
{
	return i ? rd_u64(j, cp + j->l.cp_size + 8 * (uint64_t)i) : 0;
}

static void method_free(struct fc_entry *e)
{
	struct jvm_method *m = (struct jvm_method *)e;

	free(m->name);
	free(m->file);
	free(m->lines);
	free(m);
}

static uint16_t u16_at(const uint8_t *b, size_t off)
{
	uint16_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* The compressed line number table after @m's bytecodes, when it has one. */
static void read_lines(const struct jvm *j, struct jvm_method *m, uint32_t flags)
{
	uint8_t buf[LINES_MAX];
	size_t n = sizeof(buf);

	if (!(flags & j->l.has_linenumbers))
		return;
	/* the table ends before the method's other tables: read what can be */
	while (n >= 16 && rd(j, m->code_base + m->code_size, buf, n))
		n /= 2;
	if (n < 16)
		return;
	m->lines = malloc(n);
	if (m->lines) {
		memcpy(m->lines, buf, n);
		m->nr_lines = n;
	}
}

static struct fc_entry *method_read(void *ctx, uint64_t method, uint64_t key2)
{
	const struct jvm *j = ctx;
	const struct jvm_layout *l = &j->l;
	char klass[SYM_MAX], name[SYM_MAX], file[SYM_MAX];
	uint8_t cm[256];
	uint64_t cmp, cp, holder;
	struct jvm_method *m;
	uint16_t file_index = 0;

	(void)key2;
	cmp = rd_u64(j, method + l->m_const);
	if (!cmp || l->cm_size > sizeof(cm) || rd(j, cmp, cm, l->cm_size))
		return NULL;
	cp = get_u64(cm, l->cm_constants);
	holder = cp ? rd_u64(j, cp + l->cp_holder) : 0;
	if (!holder || read_symbol(j, rd_u64(j, holder + l->klass_name), klass, sizeof(klass)) ||
	    read_symbol(j, pool_symbol(j, cp, u16_at(cm, l->cm_name_index)), name,
			sizeof(name)))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->const_method = cmp;
	m->code_base = cmp + l->cm_size;
	m->code_size = u16_at(cm, l->cm_code_size);
	jvm_dotted(klass);
	if (asprintf(&m->name, "%s.%s", klass, name) < 0) {
		m->name = NULL;
		method_free(&m->e);
		return NULL;
	}
	if (!rd(j, cp + l->cp_source_file, &file_index, sizeof(file_index)) && file_index &&
	    !read_symbol(j, pool_symbol(j, cp, file_index), file, sizeof(file)))
		m->file = strdup(file);
	read_lines(j, m, u16_at(cm, l->cm_flags));
	return &m->e;
}

/* Still the same method: its ConstMethod has not changed (a class redefined, memory reused). */
static bool method_same(void *ctx, const struct fc_entry *e)
{
	const struct jvm *j = ctx;
	const struct jvm_method *m = (const struct jvm_method *)e;

	return rd_u64(j, e->addr + j->l.m_const) == m->const_method;
}

static void name_free(struct fc_entry *e)
{
	free(((struct jvm_name *)e)->name);
	free(e);
}

static struct fc_entry *name_read(void *ctx, uint64_t addr, uint64_t key2)
{
	const struct jvm *j = ctx;
	struct jvm_name *n;
	char buf[64];
	size_t len = sizeof(buf) - 1;

	(void)key2;
	while (len >= 8 && rd(j, addr, buf, len))
		len /= 2;
	if (len < 8)
		return NULL;
	buf[len] = '\0';
	n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(buf))) {
		free(n);
		return NULL;
	}
	return &n->e;
}

static bool name_same(void *ctx, const struct fc_entry *e)
{
	(void)ctx;
	(void)e;
	return true;	/* a C string of libjvm's */
}

int jvm__open(pid_t pid, const char *path, uint64_t base, struct jvm **out, char *why,
	      size_t why_len)
{
	struct vm_want w[48];
	const char *missing;
	struct jvm *j;
	size_t n;
	int err;

	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->pid = pid;
	n = jvm_layout_wants(&j->l, w, sizeof(w) / sizeof(w[0]));
	err = vmstructs_read(pid, path, base, w, n, &missing);
	if (err == -ENOENT && missing) {
		snprintf(why, why_len, "its vmStructs have no %s: not a HotSpot this reader knows",
			 missing);
		err = -EOPNOTSUPP;
	} else if (!err) {
		err = read_heaps(j);
		if (err)
			snprintf(why, why_len, "its code cache cannot be read");
	}
	if (err) {
		free(j);
		return err;
	}
	j->methods = (struct frame_cache){ .read = method_read, .same = method_same,
					   .free = method_free, .ctx = j };
	j->names = (struct frame_cache){ .read = name_read, .same = name_same,
					 .free = name_free, .ctx = j };
	*out = j;
	return 0;
}

void jvm__free(struct jvm *j)
{
	if (!j)
		return;
	fc_clear(&j->methods);
	fc_clear(&j->names);
	free(j->obj);
	free(j);
}

/* The blob's fields the step needs. */
struct blob {
	const char *name;
	int32_t frame_complete, frame_size;
	uint64_t code_begin, code_end, method;
};

static int read_blob(struct jvm *j, uint64_t addr, uint64_t pc, struct blob *b)
{
	const struct jvm_layout *l = &j->l;
	uint8_t buf[BLOB_READ];
	struct jvm_name *n;

	if (l->cm_method + 8 > sizeof(buf) || rd(j, addr, buf, sizeof(buf)))
		return -EFAULT;
	b->code_begin = get_u64(buf, l->blob_code_begin);
	b->code_end = get_u64(buf, l->blob_code_end);
	if (pc < b->code_begin || pc >= b->code_end)
		return -ESTALE;
	b->frame_complete = (int32_t)get_u32(buf, l->blob_frame_complete);
	b->frame_size = (int32_t)get_u32(buf, l->blob_frame_size);
	n = (struct jvm_name *)fc_get(&j->names, get_u64(buf, l->blob_name), 0);
	if (!n)
		return -EFAULT;
	b->name = n->name;
	b->method = get_u64(buf, l->cm_method);
	return 0;
}

static int name_method(struct jvm *j, uint64_t method, uint64_t bcp, struct jvm_frame *out)
{
	struct jvm_method *m = (struct jvm_method *)fc_get(&j->methods, method, 0);

	if (!m)
		return -EFAULT;
	out->name = m->name;
	out->file = m->file;
	out->line = 0;
	if (bcp >= m->code_base && bcp < m->code_base + m->code_size && m->lines)
		out->line = jvm_line_of(m->lines, m->nr_lines, (int)(bcp - m->code_base));
	return 0;
}

/* An interpreted frame: everything from its frame pointer. */
static int step_interpreted(struct jvm *j, struct jvm_regs *r, bool innermost,
			    jvm_stack_fn rdw, void *ctx, struct jvm_frame *out)
{
	uint64_t fp = r->fp, method, bcp = 0, sender_sp, pc, up;

	if (!rdw(ctx, fp + 8 * INTERP_METHOD, &method) ||
	    (!(innermost && r->bcp) && !rdw(ctx, fp + 8 * INTERP_BCP, &bcp)) ||
	    !rdw(ctx, fp + 8 * INTERP_SENDER_SP, &sender_sp) ||
	    !rdw(ctx, fp + 8, &pc) || !rdw(ctx, fp, &up))
		return -EFAULT;
	if (innermost && r->bcp)
		bcp = r->bcp;
	out->kind = JVM_INTERPRETED;
	if (name_method(j, method, bcp, out))
		return -EFAULT;
	r->pc = pc;
	r->sp = sender_sp;
	r->fp = up;
	return 1;
}

/* The JVM's own code: the caller by rbp (call stubs and most stubs make a frame). */
static int step_by_fp(struct jvm_regs *r, jvm_stack_fn rdw, void *ctx)
{
	uint64_t pc, up;

	if (!rdw(ctx, r->fp + 8, &pc) || !rdw(ctx, r->fp, &up))
		return -EFAULT;
	r->sp = r->fp + 16;
	r->pc = pc;
	r->fp = up;
	return 1;
}

/* A frame of known size: the return address and saved rbp at its top. */
static int step_by_size(struct jvm_regs *r, int32_t words, jvm_stack_fn rdw, void *ctx)
{
	uint64_t top = r->sp + 8 * (uint64_t)words, pc, up;

	if (!rdw(ctx, top - 8, &pc) || !rdw(ctx, top - 16, &up))
		return -EFAULT;
	r->sp = top;
	r->pc = pc;
	r->fp = up;
	return 1;
}

int jvm__step(struct jvm *j, struct jvm_regs *r, bool innermost, jvm_stack_fn rdw, void *ctx,
	      struct jvm_frame *out)
{
	const struct jvm_heap *h = heap_of(j, r->pc);
	uint64_t addr;
	struct blob b;
	bool complete;
	int err;

	if (!h)
		return -EINVAL;
	addr = blob_of(j, h, r->pc);
	if (!addr)
		return -ESTALE;
	err = read_blob(j, addr, r->pc, &b);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	if (!strcmp(b.name, "Interpreter"))
		return step_interpreted(j, r, innermost, rdw, ctx, out);
	complete = b.frame_complete >= 0 && r->pc >= b.code_begin + (uint64_t)b.frame_complete;
	if (!strcmp(b.name, "nmethod") || !strcmp(b.name, "native nmethod")) {
		out->kind = b.name[0] == 'n' && b.name[1] != 'm' ? JVM_NATIVE_METHOD : JVM_COMPILED;
		if (name_method(j, b.method, 0, out))
			return -EFAULT;
		/* where the frame is not built yet, its size says nothing of sp */
		if (innermost && !complete)
			return -EAGAIN;
		return step_by_size(r, b.frame_size, rdw, ctx);
	}
	out->kind = JVM_STUB;
	out->name = b.name;
	if (b.frame_size > 0 && complete)
		return step_by_size(r, b.frame_size, rdw, ctx);
	return step_by_fp(r, rdw, ctx);
}

int jvm__find(pid_t pid, struct jvm **out, char *why, size_t why_len)
{
	char maps[64], line[4096 + 128], path[4096 + 64], *file;
	unsigned long long start, off;
	int err = -ENOENT;
	const char *base;
	FILE *f;

	*out = NULL;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		file = strchr(line, '/');
		if (!file || sscanf(line, "%llx-%*x %*s %llx", &start, &off) != 2 || off)
			continue;
		base = strrchr(file, '/') + 1;
		if (strcmp(base, "libjvm.so"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, file);
		err = jvm__open(pid, path, start, out, why, why_len);
		if (!err) {
			(*out)->obj = strdup(file);
			if (!(*out)->obj) {
				jvm__free(*out);
				*out = NULL;
				err = -ENOMEM;
			}
		}
		break;
	}
	fclose(f);
	return err;
}

const char *jvm__object(const struct jvm *j)
{
	return j->obj;
}
