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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "framecache.h"
#include "jvm.h"
#include "procmem.h"

#define HEAPS_MAX	8
#define BLOB_READ	128	/* bytes of a CodeBlob read: its fields are below this */
#define SEGMAP_HOPS	256	/* segment map hops believed before the chain is damaged */
#define SEGMAP_CHUNK	256	/* segment map bytes read at once */
#define CHECK_NS	20000000	/* a named method is checked again after this long */
#define ACC_NATIVE	0x0100	/* JVM_ACC_NATIVE, in Method::_access_flags */
#define BCI_UNKNOWN	(-2)	/* no bytecode index known (-1 is the method's entry) */
#define CM_READ		256	/* bytes of a ConstMethod read */
#define SYM_MAX		512	/* bytes of a name read */
#define LINES_MAX	4096	/* bytes of a line number table read */
#define PCS_MAX		65536	/* PcDescs of one nmethod believed */
#define SCOPES_MAX	(4u << 20)	/* bytes of its scopes data */
#define METADATA_MAX	65536	/* its metadata entries */

/* Frame slots of the interpreter (x86-64 frame_x86.hpp), in words from fp. */
#define INTERP_SENDER_SP	(-1)
#define INTERP_METHOD		(-3)
#define INTERP_BCP		(-8)

uint64_t jvm_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

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
		{ "VirtualSpace", "_high_boundary", &l->vs_high },
		{ "HeapBlock", "_header", &l->hb_header },
		{ "HeapBlock::Header", "_used", &l->hdr_used },
		{ "HeapBlock", NULL, &l->hb_size },
		{ "CodeBlob", "_name", &l->blob_name },
		{ "CodeBlob", "_frame_complete_offset", &l->blob_frame_complete },
		{ "CodeBlob", "_frame_size", &l->blob_frame_size },
		{ "CodeBlob", "_code_begin", &l->blob_code_begin },
		{ "CodeBlob", "_code_end", &l->blob_code_end },
		{ "CompiledMethod", "_method", &l->cm_method },
		{ "CompiledMethod", "_scopes_data_begin", &l->cm_scopes_data },
		{ "nmethod", "_metadata_offset", &l->nm_metadata },
		{ "nmethod", "_scopes_pcs_offset", &l->nm_scopes_pcs },
		{ "nmethod", "_dependencies_offset", &l->nm_dependencies },
		{ "PcDesc", "_pc_offset", &l->pc_pc_offset },
		{ "PcDesc", "_scope_decode_offset", &l->pc_scope },
		{ "PcDesc", NULL, &l->pc_size },
		{ "Method", "_constMethod", &l->m_const },
		{ "Method", "_access_flags", &l->m_flags },
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

struct jvm_heap {
	uint64_t low, high;	/* its code: [low, high) */
	uint64_t segmap;	/* a byte per segment */
	uint32_t log2_seg;
};

/* A Method named, by its address; checked by its ConstMethod every CHECK_NS. */
struct jvm_method {
	struct fc_entry e;
	uint64_t const_method;
	uint64_t checked;	/* when it was last found the same, ns */
	uint64_t code_base;	/* its bytecodes */
	uint32_t code_size;
	char *name;		/* package.Class.method */
	char *file;		/* SourceFile, NULL */
	bool native;		/* ACC_NATIVE */
	uint8_t *lines;		/* the compressed line number table, NULL: none */
	size_t nr_lines;
};

/* The blob's fields the step needs. */
struct blob {
	const char *name;
	int32_t frame_complete, frame_size;
	uint64_t code_begin, code_end, method;
};

/*
 * An nmethod's debug information, read once: its PcDescs (pc offset ->
 * scope), its scopes data and its metadata (the methods scopes name).
 */
struct jvm_nmethod {
	struct fc_entry e;
	uint64_t code_begin, method;	/* what it was read for */
	uint32_t *pcs;			/* pc offsets, ascending */
	uint32_t *scopes;		/* ... their scopes' offsets */
	size_t nr_pcs;
	uint8_t *data;			/* the scopes data */
	size_t data_len;
	uint64_t *metadata;
	size_t nr_metadata;
};

/* A stub's name, by the address of its C string in libjvm (which never moves). */
struct jvm_name {
	struct fc_entry e;
	char *name;
};

struct jvm {
	pid_t pid;
	char *obj;		/* libjvm.so's path, as mapped */
	bool gone;		/* the process (its memory) is gone: nothing more to read */
	int pidfd;		/* the process, whatever its PID becomes; -1: none */
	uint64_t alive_checked;	/* when that was last asked, ns */
	struct jvm_layout l;
	struct jvm_heap heaps[HEAPS_MAX];
	int nr_heaps;
	struct frame_cache methods;
	struct frame_cache names;
	struct frame_cache nmethods;
	const struct blob *cur;		/* the blob an nmethod entry is checked against */
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

bool jvm__alive(struct jvm *j)
{
	struct pollfd pfd = { .fd = j->pidfd, .events = POLLIN };
	uint64_t now = jvm_clock_ns(), v;

	if (j->gone || now - j->alive_checked < CHECK_NS)
		return !j->gone;
	j->alive_checked = now;
	/* the process it was opened on has exited (its PID may be another's now) */
	j->gone = (j->pidfd >= 0 && poll(&pfd, 1, 0) == 1) ||
		  rd(j, j->l.code_heaps, &v, sizeof(v)) == -ESRCH;
	return !j->gone;
}

/*
 * The CodeBlob holding @pc (CodeHeap::find_blob_unsafe) into *@blob: its
 * segment's map byte is the hops back to the block's first segment (0
 * there, 0xFF: free). -ESTALE when the code there is free (or the chain
 * damaged), -EFAULT when the JVM cannot be read (it exited).
 */
static int blob_of(const struct jvm *j, const struct jvm_heap *h, uint64_t pc, uint64_t *blob)
{
	uint64_t seg = (pc - h->low) >> h->log2_seg, block;
	uint8_t hop, used = 0;
	int n;

	uint8_t map[SEGMAP_CHUNK];
	uint64_t from = 0, got = 0;	/* map holds the bytes of segments [from, from + got) */

	for (n = 0; n < SEGMAP_HOPS; n++) {
		if (seg < from || seg >= from + got) {
			/* the bytes up to @seg in one read: the hops go down */
			from = seg >= SEGMAP_CHUNK - 1 ? seg - (SEGMAP_CHUNK - 1) : 0;
			got = seg - from + 1;
			if (rd(j, h->segmap + from, map, got))
				return -EFAULT;
		}
		hop = map[seg - from];
		if (hop == 0xFF)
			return -ESTALE;
		if (!hop)
			break;
		if (hop > seg)
			return -ESTALE;
		seg -= hop;
	}
	if (n == SEGMAP_HOPS)
		return -ESTALE;
	block = h->low + (seg << h->log2_seg);
	if (rd(j, block + j->l.hb_header + j->l.hdr_used, &used, 1))
		return -EFAULT;
	if (!used)
		return -ESTALE;
	*blob = block + j->l.hb_size;
	return 0;
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

/* The compressed line number table after @m's bytecodes, when it has one. */
static void read_lines(const struct jvm *j, struct jvm_method *m, uint32_t flags)
{
	uint8_t buf[LINES_MAX];
	size_t n;

	if (!(flags & j->l.has_linenumbers))
		return;
	/* the table ends before the method's other tables: read what can be */
	n = proc_read_upto(j->pid, m->code_base + m->code_size, buf, sizeof(buf), 16);
	if (!n)
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
	uint8_t cm[CM_READ];
	uint64_t cmp, cp, holder;
	struct jvm_method *m;
	uint16_t file_index = 0;
	uint32_t access = 0;

	(void)key2;
	cmp = rd_u64(j, method + l->m_const);
	if (!cmp || rd(j, cmp, cm, l->cm_size))
		return NULL;
	cp = get_u64(cm, l->cm_constants);
	holder = cp ? rd_u64(j, cp + l->cp_holder) : 0;
	if (!holder || read_symbol(j, rd_u64(j, holder + l->klass_name), klass, sizeof(klass)) ||
	    read_symbol(j, pool_symbol(j, cp, get_u16(cm, l->cm_name_index)), name,
			sizeof(name)))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->const_method = cmp;
	m->checked = jvm_clock_ns();
	m->native = !rd(j, method + l->m_flags, &access, sizeof(access)) && (access & ACC_NATIVE);
	m->code_base = cmp + l->cm_size;
	m->code_size = get_u16(cm, l->cm_code_size);
	jvm_dotted(klass);
	if (asprintf(&m->name, "%s.%s", klass, name) < 0) {
		m->name = NULL;
		method_free(&m->e);
		return NULL;
	}
	if (!rd(j, cp + l->cp_source_file, &file_index, sizeof(file_index)) && file_index &&
	    !read_symbol(j, pool_symbol(j, cp, file_index), file, sizeof(file)))
		m->file = strdup(file);
	read_lines(j, m, get_u16(cm, l->cm_flags));
	return &m->e;
}

/* Still the same method: its ConstMethod has not changed (a class redefined, memory reused). */
/*
 * Still the same method: its ConstMethod has not changed (a class
 * redefined, its memory reused after unloading), read again at most every
 * CHECK_NS: a stack of 20 Java frames would cost 20 reads of the JVM
 * otherwise, at each sample.
 */
static bool method_same(void *ctx, const struct fc_entry *e)
{
	const struct jvm *j = ctx;
	struct jvm_method *m = (struct jvm_method *)e;
	uint64_t now = jvm_clock_ns();

	if (now - m->checked < CHECK_NS)
		return true;
	if (rd_u64(j, e->addr + j->l.m_const) != m->const_method)
		return false;
	m->checked = now;
	return true;
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
	size_t len = proc_read_upto(j->pid, addr, buf, sizeof(buf) - 1, 8);

	(void)key2;
	if (!len)
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

static int read_blob(struct jvm *j, uint64_t addr, uint64_t pc, struct blob *b)
{
	const struct jvm_layout *l = &j->l;
	uint8_t buf[BLOB_READ];
	struct jvm_name *n;

	if (rd(j, addr, buf, sizeof(buf)))
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

/*
 * Frame @out of method @m at bytecode index @bci: BCI_UNKNOWN, or -1, the
 * method's entry (InvocationEntryBci: its first line, as
 * Method::line_number_from_bci says).
 */
static void name_at(const struct jvm_method *m, int bci, enum jvm_frame_kind kind,
		    struct jvm_frame *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->name = m->name;
	out->file = m->file;
	out->native = m->native;
	if (bci == -1)
		bci = 0;
	if (bci >= 0 && (uint32_t)bci < m->code_size && m->lines)
		out->line = jvm_line_of(m->lines, m->nr_lines, bci);
}

static struct jvm_method *method_of(struct jvm *j, uint64_t method)
{
	return method ? (struct jvm_method *)fc_get(&j->methods, method, 0) : NULL;
}

/* An interpreted frame: everything from its frame pointer. */
static int step_interpreted(struct jvm *j, struct jvm_regs *r, bool innermost,
			    jvm_stack_fn rdw, void *ctx, struct jvm_frame *out)
{
	uint64_t fp = r->fp, method, bcp = 0, sender_sp, pc, up;
	struct jvm_method *m;

	if (!rdw(ctx, fp + 8 * INTERP_METHOD, &method) ||
	    (!(innermost && r->bcp) && !rdw(ctx, fp + 8 * INTERP_BCP, &bcp)) ||
	    !rdw(ctx, fp + 8 * INTERP_SENDER_SP, &sender_sp) ||
	    !rdw(ctx, fp + 8, &pc) || !rdw(ctx, fp, &up))
		return -EFAULT;
	if (innermost && r->bcp)
		bcp = r->bcp;
	m = method_of(j, method);
	if (!m)
		return -EFAULT;
	name_at(m, bcp >= m->code_base ? (int)(bcp - m->code_base) : BCI_UNKNOWN, JVM_INTERPRETED,
		out);
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
	return 0;
}

/* A frame of known size: the return address and saved rbp at its top. */
static int step_by_size(struct jvm_regs *r, int32_t words, jvm_stack_fn rdw, void *ctx)
{
	uint64_t top = r->sp + 8 * (uint64_t)words, pc, up;

	if (words <= 0 || !rdw(ctx, top - 8, &pc) || !rdw(ctx, top - 16, &up))
		return -EFAULT;
	r->sp = top;
	r->pc = pc;
	r->fp = up;
	return 0;
}

static void nmethod_free(struct fc_entry *e)
{
	struct jvm_nmethod *nm = (struct jvm_nmethod *)e;

	free(nm->pcs);
	free(nm->scopes);
	free(nm->data);
	free(nm->metadata);
	free(nm);
}

/* [@begin, @end) of the process into a new buffer of @max bytes at most. */
static void *read_span(const struct jvm *j, uint64_t begin, uint64_t end, size_t max,
		       size_t *len)
{
	void *buf;

	*len = 0;
	if (end < begin || end - begin > max)
		return NULL;
	*len = (size_t)(end - begin);
	buf = malloc(*len ? *len : 1);
	if (buf && *len && rd(j, begin, buf, *len)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The PcDescs' pc and scope offsets out of their raw bytes @raw (@n of them). */
static int split_pcs(const struct jvm *j, struct jvm_nmethod *nm, const uint8_t *raw, size_t n)
{
	size_t i;

	nm->pcs = calloc(n ? n : 1, sizeof(*nm->pcs));
	nm->scopes = calloc(n ? n : 1, sizeof(*nm->scopes));
	if (!nm->pcs || !nm->scopes)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		nm->pcs[i] = get_u32(raw, i * j->l.pc_size + j->l.pc_pc_offset);
		nm->scopes[i] = get_u32(raw, i * j->l.pc_size + j->l.pc_scope);
	}
	nm->nr_pcs = n;
	return 0;
}

static struct fc_entry *nmethod_read(void *ctx, uint64_t addr, uint64_t key2)
{
	const struct jvm *j = ctx;
	const struct jvm_layout *l = &j->l;
	int32_t md = 0, pcs = 0, deps = 0;
	uint64_t scopes_begin;
	struct jvm_nmethod *nm;
	uint8_t *raw;
	size_t len = 0;

	(void)key2;
	if (rd(j, addr + l->nm_metadata, &md, 4) || rd(j, addr + l->nm_scopes_pcs, &pcs, 4) ||
	    rd(j, addr + l->nm_dependencies, &deps, 4) || md <= 0 || pcs <= md || deps < pcs ||
	    !l->pc_size)
		return NULL;
	scopes_begin = rd_u64(j, addr + l->cm_scopes_data);
	nm = calloc(1, sizeof(*nm));
	if (!nm)
		return NULL;
	nm->code_begin = j->cur->code_begin;
	nm->method = j->cur->method;
	nm->metadata = read_span(j, addr + (uint64_t)md, scopes_begin, METADATA_MAX * 8, &len);
	nm->nr_metadata = len / 8;
	nm->data = read_span(j, scopes_begin, addr + (uint64_t)pcs, SCOPES_MAX, &nm->data_len);
	raw = read_span(j, addr + (uint64_t)pcs, addr + (uint64_t)deps, PCS_MAX * l->pc_size,
			&len);
	if (!nm->metadata || !nm->data || !raw || split_pcs(j, nm, raw, len / l->pc_size)) {
		free(raw);
		nmethod_free(&nm->e);
		return NULL;
	}
	free(raw);
	return &nm->e;
}

/* The same nmethod as the blob just read: its code and its method. */
static bool nmethod_same(void *ctx, const struct fc_entry *e)
{
	const struct jvm *j = ctx;
	const struct jvm_nmethod *nm = (const struct jvm_nmethod *)e;

	return nm->code_begin == j->cur->code_begin && nm->method == j->cur->method;
}

/*
 * The scope of @pc_off: a return address has its PcDesc exactly; the
 * sample's own pc, the first at or after it (debug information is kept at
 * calls and safepoints only, as async-profiler reads it without
 * -XX:+DebugNonSafepoints). 0: none.
 */
static uint32_t scope_of(const struct jvm_nmethod *nm, int32_t pc_off, bool exact)
{
	size_t lo = 0, hi = nm->nr_pcs, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((int32_t)nm->pcs[mid] < pc_off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == nm->nr_pcs || (exact && (int32_t)nm->pcs[lo] != pc_off))
		return 0;
	return nm->scopes[lo];
}

/*
 * A compiled frame at @pc: the methods inlined there, innermost first, and
 * the nmethod's own. How many, into @out (@max at most).
 */
static int compiled_frames(struct jvm *j, uint64_t addr, const struct blob *b, uint64_t pc,
			   bool innermost, struct jvm_frame *out, int max)
{
	struct jvm_nmethod *nm;
	struct jvm_method *m;
	uint32_t off, sender, idx;
	int n = 0, bci;

	j->cur = b;
	nm = (struct jvm_nmethod *)fc_get(&j->nmethods, addr, 0);
	off = nm ? scope_of(nm, (int32_t)(pc - b->code_begin), !innermost) : 0;
	while (off && n < max && !jvm_scope_at(nm->data, nm->data_len, off, &sender, &idx, &bci)) {
		m = idx && idx <= nm->nr_metadata ? method_of(j, nm->metadata[idx - 1]) : NULL;
		if (!m)
			break;
		name_at(m, bci, JVM_COMPILED, &out[n]);
		out[n++].inlined = sender != 0;
		off = sender;
	}
	if (n && !out[n - 1].inlined)
		return n;
	/* no debug information there: the nmethod's method, no line */
	m = method_of(j, b->method);
	if (!m)
		return -EFAULT;
	n = 0;
	name_at(m, BCI_UNKNOWN, JVM_COMPILED, &out[n++]);
	return n;
}

int jvm__step(struct jvm *j, struct jvm_regs *r, bool innermost, jvm_stack_fn rdw, void *ctx,
	      struct jvm_frame *out, int max, int *nr)
{
	const struct jvm_heap *h = heap_of(j, r->pc);
	uint64_t addr;
	struct blob b;
	bool complete;
	int err, n;

	*nr = 0;
	if (!h || max < 1)
		return -EINVAL;
	err = blob_of(j, h, r->pc, &addr);
	if (!err)
		err = read_blob(j, addr, r->pc, &b);
	if (err)
		return err;
	if (!strcmp(b.name, "Interpreter")) {
		err = step_interpreted(j, r, innermost, rdw, ctx, out);
		*nr = err == 1;
		return err < 0 ? err : 0;
	}
	complete = b.frame_complete >= 0 && r->pc >= b.code_begin + (uint64_t)b.frame_complete;
	if (!strcmp(b.name, "nmethod")) {
		n = compiled_frames(j, addr, &b, r->pc, innermost, out, max);
		if (n < 0)
			return n;
		*nr = n;
		/* where the frame is not built yet, its size says nothing of sp */
		return innermost && !complete ? -EAGAIN : step_by_size(r, b.frame_size, rdw, ctx);
	}
	if (!strcmp(b.name, "native nmethod")) {
		struct jvm_method *m = method_of(j, b.method);

		if (!m)
			return -EFAULT;
		name_at(m, BCI_UNKNOWN, JVM_NATIVE_METHOD, out);
		*nr = 1;
		return innermost && !complete ? -EAGAIN : step_by_size(r, b.frame_size, rdw, ctx);
	}
	memset(out, 0, sizeof(*out));
	out->kind = JVM_STUB;
	out->name = b.name;
	*nr = 1;
	if (b.frame_size > 0 && complete)
		return step_by_size(r, b.frame_size, rdw, ctx);
	return step_by_fp(r, rdw, ctx);
}

/* Do the fields read from one buffer lie inside it (another JVM's layout may not)? */
static bool layout_fits(const struct jvm_layout *l)
{
	const uint32_t blob[] = { l->blob_name, l->blob_frame_complete, l->blob_frame_size,
				  l->blob_code_begin, l->blob_code_end, l->cm_method };
	size_t i;

	for (i = 0; i < sizeof(blob) / sizeof(blob[0]); i++) {
		if (blob[i] + 8 > BLOB_READ)
			return false;
	}
	return l->cm_size <= CM_READ && l->cm_constants + 8 <= l->cm_size &&
	       l->cm_name_index + 2 <= l->cm_size && l->cm_code_size + 2 <= l->cm_size &&
	       l->cm_flags + 2 <= l->cm_size && l->pc_size >= 8 && l->pc_size <= 64 &&
	       l->pc_pc_offset + 4 <= l->pc_size && l->pc_scope + 4 <= l->pc_size &&
	       l->hb_size && l->hb_size <= 64;
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
	j->pidfd = -1;
	n = jvm_layout_wants(&j->l, w, sizeof(w) / sizeof(w[0]));
	err = vmstructs_read(pid, path, base, w, n, &missing);
	if (err == -ENOENT && missing) {
		snprintf(why, why_len, "its vmStructs have no %s: not a HotSpot this reader knows",
			 missing);
		err = -EOPNOTSUPP;
	} else if (!err && !layout_fits(&j->l)) {
		snprintf(why, why_len, "its vmStructs give a layout this reader does not expect");
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
	j->nmethods = (struct frame_cache){ .read = nmethod_read, .same = nmethod_same,
					    .free = nmethod_free, .ctx = j };
	j->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	*out = j;
	return 0;
}

void jvm__free(struct jvm *j)
{
	if (!j)
		return;
	fc_clear(&j->methods);
	fc_clear(&j->names);
	fc_clear(&j->nmethods);
	if (j->pidfd >= 0)
		close(j->pidfd);
	free(j->obj);
	free(j);
}


struct find_walk {
	pid_t pid;
	struct jvm **out;
	char *why;
	size_t why_len;
};

/* One object of the process (proc_objects): libjvm.so opened, the rest passed over. */
static int try_libjvm(void *ctx, const char *file, const char *path, uint64_t start)
{
	struct find_walk *fw = ctx;
	int err;

	if (strcmp(strrchr(file, '/') + 1, "libjvm.so"))
		return -ENOENT;
	err = jvm__open(fw->pid, path, start, fw->out, fw->why, fw->why_len);
	if (err)
		return err == -ENOENT ? -ENODATA : err;	/* the one libjvm.so: no other */
	(*fw->out)->obj = strdup(file);
	if (!(*fw->out)->obj) {
		jvm__free(*fw->out);
		*fw->out = NULL;
		return -ENOMEM;
	}
	return 0;
}

int jvm__find(pid_t pid, struct jvm **out, char *why, size_t why_len)
{
	struct find_walk fw = { pid, out, why, why_len };
	int err;

	*out = NULL;
	err = proc_objects(pid, try_libjvm, &fw);
	return err == -ENODATA ? -ENOENT : err;
}

const char *jvm__object(const struct jvm *j)
{
	return j->obj;
}
