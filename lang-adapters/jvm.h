/* SPDX-License-Identifier: MIT */
/*
 * jvm.h - Java frames of a running HotSpot JVM (OpenJDK 17), read from
 * outside with no flag in the JVM: the field offsets come from the JVM's
 * own vmStructs tables (gHotSpotVMStructs and friends in libjvm.so's
 * dynamic symbols, read from the live process: vmstructs.c), JIT-compiled
 * code is found through the code cache's segment map, and each frame's
 * caller through what HotSpot knows of the frame (a compiled method's
 * frame size, an interpreted frame's frame pointer). What stack.c asks
 * when an unwind meets code no object maps.
 */
#ifndef USDTRACE_LANG_JVM_H
#define USDTRACE_LANG_JVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where the field offsets are: one JVM's layout, as its vmStructs say. */
struct jvm_layout {
	/* statics (addresses in the process) */
	uint64_t code_heaps;		/* CodeCache::_heaps: GrowableArray<CodeHeap*>* */
	/* offsets */
	uint32_t ga_len, ga_data;	/* GrowableArrayBase::_len, GrowableArray<int>::_data */
	uint32_t heap_memory, heap_segmap, heap_log2_seg;	/* CodeHeap */
	uint32_t vs_low, vs_high;	/* VirtualSpace::_low, _high */
	uint32_t hb_header, hdr_used, hb_size;	/* HeapBlock::_header, Header::_used, sizeof */
	uint32_t blob_name, blob_frame_complete, blob_frame_size;	/* CodeBlob */
	uint32_t blob_code_begin, blob_code_end;
	uint32_t cm_method;		/* CompiledMethod::_method */
	uint32_t cm_scopes_data;	/* CompiledMethod::_scopes_data_begin (an address) */
	uint32_t nm_metadata, nm_scopes_pcs, nm_dependencies;	/* nmethod: from its start */
	uint32_t pc_pc_offset, pc_scope, pc_size;	/* PcDesc */
	uint32_t m_const;		/* Method::_constMethod */
	uint32_t m_flags;		/* Method::_access_flags (JVM_ACC_NATIVE 0x100) */
	uint32_t cm_constants, cm_name_index, cm_code_size, cm_flags;	/* ConstMethod */
	uint32_t cm_size;		/* sizeof(ConstMethod): its bytecodes follow it */
	uint32_t cp_holder, cp_source_file, cp_size;	/* ConstantPool; its entries follow it */
	uint32_t klass_name;		/* Klass::_name */
	uint32_t sym_length, sym_body;	/* Symbol */
	uint32_t has_linenumbers;	/* ConstMethod::_has_linenumber_table (a flag bit) */
};

/* One entry of a vmStructs table: what the parser is asked to fill. */
struct vm_want {
	const char *type;
	const char *field;	/* NULL: the type's size (gHotSpotVMTypes); for an
				 * int constant, type is its name and field "" */
	uint32_t *off;		/* the offset, size or constant */
	uint64_t *addr;		/* a static field's address (then off is NULL) */
	bool found;
};

/* The wants of @l (with their pointers into it): @n of them. */
size_t jvm_layout_wants(struct jvm_layout *l, struct vm_want *w, size_t max);

/*
 * vmstructs.c: the tables of the JVM @pid, whose libjvm.so @path is mapped
 * at @base, matched against @w: 0 when every one is found, -ENOENT (and
 * @missing names the first) when one is not, -errno when unreadable.
 */
int vmstructs_read(pid_t pid, const char *path, uint64_t base, struct vm_want *w, size_t n,
		   const char **missing);

/*
 * The line of bytecode index @bci in a method's compressed line number
 * table @t (@len bytes, as ConstMethod keeps it after the bytecodes): 0
 * when the table says nothing of it or is damaged. Pure.
 */
int jvm_line_of(const uint8_t *t, size_t len, int bci);

/*
 * The scope at @off of an nmethod's scopes data @data (@len bytes): its
 * sender's offset (0: it is the outermost), its method's index in the
 * nmethod's metadata (1-based) and its bytecode index (-1: the method's
 * entry). 0, or -EINVAL when it is not inside the data. Pure.
 */
int jvm_scope_at(const uint8_t *data, size_t len, uint32_t off, uint32_t *sender,
		 uint32_t *method_index, int *bci);

/* A coarse monotonic clock, ns: when the reader last checked what it keeps. */
uint64_t jvm_clock_ns(void);

/* A Java class name as Java writes it: java/util/Arrays -> java.util.Arrays, in place. */
void jvm_dotted(char *name);

struct jvm;

/* The registers one frame's unwind needs, and the stack copy to read. */
struct jvm_regs {
	uint64_t pc, sp, fp;
	uint64_t bcp;		/* the innermost frame's r13 (the interpreter's bcp), 0: none */
};

/* A word of the copied stack at @addr: false when outside the copy. */
typedef bool (*jvm_stack_fn)(void *ctx, uint64_t addr, uint64_t *word);

enum jvm_frame_kind {
	JVM_INTERPRETED,
	JVM_COMPILED,
	JVM_NATIVE_METHOD,	/* a native method's wrapper: the method, its code C */
	JVM_STUB,		/* the JVM's generated code: a native frame of libjvm */
};

struct jvm_frame {
	enum jvm_frame_kind kind;
	const char *name;	/* package.Class.method, or the stub's name */
	const char *file;	/* the class's SourceFile, NULL: none */
	int line;		/* 0: unknown */
	bool inlined;		/* compiled into the next frame's method: no frame of its own */
	bool native;		/* a native method: its code is C (Thread.sleep) */
};

/*
 * The JVM of @pid if its libjvm.so (@path at @base) is one whose vmStructs
 * give everything needed: 0, -ENOENT (not a JVM), -EOPNOTSUPP with @why.
 */
int jvm__open(pid_t pid, const char *path, uint64_t base, struct jvm **out, char *why,
	      size_t why_len);
void jvm__free(struct jvm *j);
/* The JVM of @pid, from the libjvm.so it maps (as jvm__open). */
int jvm__find(pid_t pid, struct jvm **out, char *why, size_t why_len);
/* Its libjvm.so, the path mapped: where its generated code's frames are said to be. */
const char *jvm__object(const struct jvm *j);

/* Is @pc inside the JVM's code cache? */
bool jvm__owns(struct jvm *j, uint64_t pc);
/*
 * Is the process it was opened on still there (asked again every few ms)?
 * A JVM gone stays gone, though its PID be another process's.
 */
bool jvm__alive(struct jvm *j);

/*
 * The frames at @r (@innermost: the sample's own registers) named into
 * @out (@max at most, *@nr of them: a compiled frame's inlined methods
 * first, then its own), and @r moved to the caller's. 0; -ESTALE when the
 * code there was freed or moved since (nothing named wrongly), -EFAULT
 * when the JVM's memory or the stack copy cannot be read, -EAGAIN when
 * named but the caller cannot be found (a compiled method's prologue).
 * Strings stay valid until @j is freed.
 */
int jvm__step(struct jvm *j, struct jvm_regs *r, bool innermost, jvm_stack_fn rdw, void *ctx,
	      struct jvm_frame *out, int max, int *nr);

#endif /* USDTRACE_LANG_JVM_H */
