/* SPDX-License-Identifier: MIT */
/*
 * usdtrace.h - the one header of structs shared by the BPF programs and
 * user space: load-time settings, per-site argument specs (written by
 * attach/, read by BPF), the modes' map keys and values, and ring-buffer
 * events (written by BPF, read by writer/).
 *
 * Fixed-width types only, so both sides agree on every offset; user space
 * _Static_asserts the sizes (attach/spec.c).
 */
#ifndef USDTRACE_BPF_SHARED_H
#define USDTRACE_BPF_SHARED_H

#ifndef __VMLINUX_H__
#include <linux/types.h>	/* user space; BPF has vmlinux.h's */
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define UT_MAX_ARGS		12
#define UT_STR_MAX		1024	/* upper bound of --strlen */
#define UT_STR_DEFAULT		64
#define UT_COMM_LEN		16

/*
 * count --by KEY,... and hist --by: a key is a struct ut_key_head, then
 * its parts at the offsets attach/key_layout.c gives them (struct
 * ut_key_part), the rest zero, UT_KEY_MAX bytes at most.
 */
#define UT_MAX_KEYS		4
#define UT_KEY_MAX		256	/* bytes of a count key */
#define UT_KEY_HEAD		8	/* sizeof(struct ut_key_head) */

struct ut_key_head {
	__u32 site_id;		/* the site that was hit */
	__u8 faults;		/* bit k: part k could not be read (null) */
	__u8 cuts;		/* bit k: part k, a string, was cut at its room */
	__u8 pad[2];
};

enum ut_key_kind {
	UT_KEY_PID = 1,		/* u32 */
	UT_KEY_TID,		/* u32 */
	UT_KEY_COMM,		/* UT_COMM_LEN bytes */
	UT_KEY_ARG,		/* u64 value */
	UT_KEY_ARG_STR,		/* size bytes of a string, NUL-padded */
	UT_KEY_USTACK,		/* u32 the user stack's id in user_stacks (FP walk),
				 * u32 0, u64 the word at the user sp (ut_stack.sp) */
};

/* count --by stack --stack-mode fp: distinct user stacks kept at once */
#define UT_USTACKS		16384

struct ut_key_part {
	__u8 kind;		/* enum ut_key_kind */
	__u8 arg;		/* UT_KEY_ARG*: which argument */
	__u16 off;		/* where in the key */
	__u16 size;
	__u16 pad;
};

/* Settings fixed at load time, in .rodata of every mode's object. */
struct ut_config {
	__u64 wakeup_bytes;	/* wake the reader once this much data waits */
	__u32 str_len;		/* bytes per string argument, NUL included */
	__u16 ip_off;		/* offsetof(struct pt_regs, instruction pointer) */
	__u8 follow;		/* only processes in `followed` count */
	__u8 pad0;
	__u8 preds;		/* some site has a predicate: look it up */
	__u8 hist_linear;	/* hist: linear buckets, else powers of two */
	__u8 pad[6];
	__s64 hist_min;		/* hist --linear MIN,MAX,STEP */
	__s64 hist_max;
	__u64 hist_step;
	__u32 hist_steps;	/* buckets from MIN to MAX */
	__u16 key_size;		/* count --by: bytes of a key, 0: no keys */
	__u8 nr_keys;
	__u8 pad2;
	struct ut_key_part keys[UT_MAX_KEYS];
	__u64 slow_ns;		/* latency --min: pairs this long go out whole */
	__u32 open_size;	/* latency --min: bytes of a kept BEGIN event */
	__u16 stack_mode;	/* --stack: UT_STACK_FP or UT_STACK_DWARF, 0: none */
	__u16 pad3;
	__u32 stack_size;	/* --stack-mode dwarf: bytes of stack copied */
	__u32 open_stack;	/* latency --min --stack: bytes kept for BEGIN's stack */
	__u32 self_tgid;	/* profile: usdtrace itself, never sampled */
	__u8 cpu_time;		/* profile --on-cpu --off-cpu: a sample carries its CPU time */
	__u8 pad4[3];
};

/* How BPF fetches one argument. */
enum ut_arg_kind {
	UT_ARG_CONST = 0,	/* val_off */
	UT_ARG_REG = 1,		/* *(ctx + reg_off) >> reg_shift */
	UT_ARG_MEM = 2,		/* *(reg + val_off) */
	UT_ARG_SIB = 3,		/* *([reg] + idx * scale + val_off) */
	UT_ARG_IPREL = 4,	/* *(ip + val_off): a global of the site's object */
};

/* ut_arg_spec.flags */
#define UT_ARG_SIGNED		0x1
#define UT_ARG_STR		0x2	/* the value is a pointer to a string */
#define UT_ARG_HAS_REG		0x4	/* SIB with a base register */
#define UT_ARG_STRLEN		0x8	/* UT_ARG_STR whose length is argument len_arg */

struct ut_arg_spec {
	__u64 val_off;		/* constant, displacement, or ip-relative delta */
	__u16 reg_off;		/* offsetof(struct pt_regs, base register) */
	__u16 idx_off;		/* offsetof(struct pt_regs, index register) */
	__u8 kind;		/* enum ut_arg_kind */
	__u8 size;		/* 1, 2, 4, 8 */
	__u8 flags;		/* UT_ARG_* */
	__u8 scale;
	__u8 reg_shift;		/* 8 for %ah */
	__u8 reg_size;		/* bytes of the register to keep: 1 for %al */
	__u8 len_arg;		/* UT_ARG_STRLEN */
	__u8 slot;		/* UT_ARG_STR: its string slot in the event */
	__u8 pad[4];
};

/* site_spec.flags */
#define UT_SITE_DLHOOK		0x1	/* the dynamic linker hook, not a probe */
#define UT_SITE_BEGIN		0x2	/* latency: pushes a timestamp */
#define UT_SITE_END		0x4	/* latency: pops one and records the time */
#define UT_SITE_KEY		0x8	/* latency BEGIN: key_arg splits the histogram */
#define UT_SITE_ENTRY		0x10	/* calls: a method entry */
#define UT_SITE_RETURN		0x20	/* calls: a method return */
#define UT_SITE_LIFO		0x40	/* calls: a return closes the innermost entry,
					 * whatever its name pointers */
#define UT_SITE_FLAT		0x80	/* latency BEGIN: pairs never nest; a BEGIN
					 * still open (its END never came) is
					 * counted unmatched and replaced */

#define UT_IDENT_MAX		3	/* string args naming a method */
#define UT_NAME_LEN		96	/* bytes kept of each */

/*
 * The common shape "VALUE [& MASK] CMP CONST" (one comparison of an
 * argument, pid, tid or uid) is also given whole, so BPF decides it without
 * running the program: no loop, no working buffer.
 */
struct ut_pred_fast {
	__u8 on;		/* the predicate has this shape */
	__u8 src;		/* UT_OP_ARG, UT_OP_PID, UT_OP_TID, UT_OP_UID */
	__u8 arg;		/* UT_OP_ARG: which */
	__u8 cmp;		/* UT_OP_EQ .. UT_OP_GE */
	__u8 sign;		/* UT_CMP_*, arg as in the comparison op */
	__u8 sign_arg;
	__u8 pad[2];
	__u64 mask;		/* 0: none */
	__u64 val;
};

/* One attached site, found by the BPF cookie of its link. */
struct ut_site_spec {
	__u32 probe_id;		/* index of the user's probe */
	__u16 nr_args;
	__u16 flags;
	__u64 hook_state_off;	/* UT_SITE_DLHOOK: ip-relative delta of r_debug.r_state */
	__u32 key_arg;		/* UT_SITE_KEY: which argument is the key */
	__s8 ident[UT_IDENT_MAX]; /* calls: the args naming the method, -1: none */
	__u8 pred_id;		/* slot in the preds map, 0: no predicate */
	struct ut_pred_fast fast;	/* the predicate when one comparison: no lookup */
	struct ut_arg_spec args[UT_MAX_ARGS];
};

/*
 * Predicates (expr/ compiles them, pred.bpf.h evaluates them): a program in
 * reverse Polish notation over a small stack of u64 values, plus up to
 * UT_PRED_TESTS string tests done first, each a glob compiled into a
 * bit-parallel NFA: state bit j means "the first j pattern items matched";
 * on byte c, state = ((state & accept[c]) << 1) | (state & stars), where
 * stars marks the items a '*' precedes (it may absorb bytes). The string
 * matches when bit len is set at its end.
 */
#define UT_PRED_OPS		32
#define UT_PRED_STACK		8
#define UT_PRED_TESTS		4
#define UT_PRED_SRC_COMM	0xff	/* ut_str_test.src: the process name */

enum ut_pred_opcode {
	UT_OP_ARG = 1,		/* push args[arg] */
	UT_OP_CONST,		/* push val */
	UT_OP_PID,
	UT_OP_TID,
	UT_OP_UID,
	UT_OP_TEST,		/* push the result of string test arg */
	UT_OP_EQ,		/* pop b, a; push a OP b */
	UT_OP_NE,
	UT_OP_LT,
	UT_OP_LE,
	UT_OP_GT,
	UT_OP_GE,
	UT_OP_BITAND,
	UT_OP_AND,		/* logical */
	UT_OP_OR,
	UT_OP_NOT,
};

/* ut_pred_op.sign of a comparison */
#define UT_CMP_UNSIGNED		0
#define UT_CMP_SIGNED		1
#define UT_CMP_ARG_SIGN		2	/* signed iff argument arg's spec is */

struct ut_pred_op {
	__u8 code;		/* enum ut_pred_opcode */
	__u8 arg;		/* argument, or string test index */
	__u8 sign;		/* UT_CMP_* for comparisons */
	__u8 pad[5];
	__u64 val;
};

struct ut_str_test {
	__u8 src;		/* argument index, or UT_PRED_SRC_COMM */
	__u8 len;		/* pattern items (stars not counted), <= 63 */
	__u8 negate;		/* != */
	__u8 pad[5];
	__u64 stars;
	__u64 accept[256];
};

struct ut_pred {
	__u32 nr_ops;
	__u32 nr_tests;
	struct ut_pred_fast fast;
	struct ut_pred_op ops[UT_PRED_OPS];
	struct ut_str_test tests[UT_PRED_TESTS];
};

/*
 * Latency histogram: log-linear buckets, 4 per power of two, so each is at
 * most 25% wide relative to its lower bound. Values below 4 ns get a
 * bucket each; bucket 4*e + s (e >= 2) holds [(4+s) << (e-2), (5+s) << (e-2)).
 */
#define UT_LAT_BUCKETS		256
#define UT_LAT_DEPTH		32	/* nested BEGINs per thread */

struct ut_lat_key {
	__u64 key;		/* BEGIN's key argument, 0 without --key */
	__u32 bucket;
	__u32 pad;
};

/* latency --key argN by a string's content: the bytes kept of it */
#define UT_LAT_KEY_STR		128

struct ut_lat_stats {
	__u64 count;
	__u64 sum_ns;
	__u64 min_ns;
	__u64 max_ns;
};

/* calls: a method's name parts and its figures. */
struct ut_method_key {
	char name[UT_IDENT_MAX][UT_NAME_LEN];
};

struct ut_method_stats {
	__u64 count;		/* returns seen */
	__u64 total_ns;		/* inclusive time of the timed calls */
	__u64 self_ns;		/* exclusive time of the timed calls */
	__u64 untimed;		/* returns whose entry was not seen */
};

#define UT_CALL_DEPTH		64

/* Per thread: the open calls, innermost last. */
struct ut_call_stack {
	__u32 depth;
	__u32 pad;
	__u64 ts[UT_CALL_DEPTH];
	__u64 fp[UT_CALL_DEPTH];	/* fingerprint of the method's name pointers */
	__u64 child_ns[UT_CALL_DEPTH];
};

/* Highest set bit of @v > 0, loop-free (the BPF verifier likes it so). */
static __always_inline __u32 ut_fls64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

/* The histogram bucket of @ns: one definition for BPF and user space. */
static __always_inline __u32 ut_lat_bucket(__u64 ns)
{
	__u32 e;

	if (ns < 4)
		return (__u32)ns;
	e = ut_fls64(ns);
	return e * 4 + (__u32)((ns >> (e - 2)) & 3);
}

/*
 * hist: one argument's values. Powers of two: bucket 0 holds negative
 * values, 1 holds 0 ([0,1)), 2 + k holds [2^k, 2^(k+1)). Linear: bucket 0
 * below MIN, 1 + k holds [MIN + k*STEP, MIN + (k+1)*STEP), the last one MAX
 * and above.
 */
#define UT_HIST_LOG2_BUCKETS	66
#define UT_HIST_MAX_STEPS	1024
#define UT_HIST_BUCKETS		(UT_HIST_MAX_STEPS + 2)

struct ut_hist_stats {
	__u64 count;
	__u64 sum;		/* wraps like the values' type */
	__u64 min;		/* compared signed when the argument is */
	__u64 max;
};

/* Is @a below @b, as the argument's type orders them? */
static __always_inline int ut_hist_lt(__u64 a, __u64 b, int is_signed)
{
	return is_signed ? (__s64)a < (__s64)b : a < b;
}

/* The bucket of value @v (one definition for BPF and user space). */
static __always_inline __u32 ut_hist_bucket(__u64 v, int is_signed, int linear, __s64 min,
					    __s64 max, __u64 step, __u32 steps)
{
	__u64 k;

	if (!linear) {
		if (is_signed && (__s64)v < 0)
			return 0;
		return v ? 2 + ut_fls64(v) : 1;
	}
	if (ut_hist_lt(v, (__u64)min, is_signed))
		return 0;
	if (!ut_hist_lt(v, (__u64)max, is_signed))
		return steps + 1;
	k = (v - (__u64)min) / (step ? step : 1);
	return 1 + (__u32)(k < steps ? k : steps - 1);
}

/* Per thread: the open BEGINs, innermost last. */
struct ut_lat_stack {
	__u32 depth;
	__u32 kept;		/* --min: bit d, BEGIN d's event is in lat_open */
	__u64 ts[UT_LAT_DEPTH];
	__u64 key[UT_LAT_DEPTH];
};

/*
 * latency's pairing rule, one for the kernel (latency.bpf.c) and user
 * space (--timeline pairs there): per thread, a BEGIN takes the next
 * level of the stack, an END the innermost open one, last in first out.
 * Each returns the level, or -1 when the hit is unmatched (UT_LAT_DEPTH
 * already open; no BEGIN open).
 */
static __always_inline int ut_lat_push(__u32 *depth)
{
	if (*depth >= UT_LAT_DEPTH)
		return -1;
	return (int)(*depth)++;
}

static __always_inline int ut_lat_pop(__u32 *depth)
{
	if (!*depth || *depth > UT_LAT_DEPTH)
		return -1;
	return (int)--(*depth);
}

/* --follow: processes followed at once (bpf/followed.h) */
#define FOLLOWED_MAX		8192

/* Event kinds in the ring buffer. */
#define UT_EV_PROBE		1
#define UT_EV_DLOPEN		2	/* the traced process stopped in the ld.so hook */
/*
 * latency --min: a slow pair. The record is END's event (this kind, its
 * args and string slots), then BEGIN's event (kind UT_EV_PROBE, or
 * UT_EV_NOARGS when BEGIN's args could not be kept: ts and ids only).
 */
#define UT_EV_SLOW		3
#define UT_EV_NOARGS		4
/*
 * profile: one sample of a thread on a CPU. Its interpreter frames ride in
 * the string slots (nr_strs frames of str_len = sizeof(struct
 * ut_interp_frame) bytes, innermost first), args[0] holds UT_SAMPLE_*
 * flags, args[1] the interpreter (UT_INTERP_*), args[2] (dump) the
 * thread's state, args[3] the CPU ns the thread ran since its last sample
 * (with cfg.cpu_time; 0: its first, or not a sample on a CPU), then the
 * user stack.
 */
#define UT_EV_SAMPLE		5

/*
 * calls -l postgresql (bpf/stmts.bpf.c): the text of a statement seen for
 * the first time, in pieces: args[0] its key's hash, args[1] its length
 * (bit 63: a utility statement, kept as sent; bit 62: longer than
 * UT_STMT_TEXT_MAX, cut), args[2] the piece's offset; the piece in the one
 * string slot (str_len bytes, NUL-terminated).
 */
#define UT_EV_STMT_TEXT		6
/*
 * ... and a statement at least --min long: args[0..1] as above, args[2]
 * its execution ns, args[3] its whole ns, args[4] its rows; its text as
 * sent (literals and all) in the string slot, cut at str_len.
 */
#define UT_EV_STMT_SLOW		7
/*
 * profile --off-cpu: a thread that left the CPU blocked came back: args[0]
 * the ns it was off (its stack came as a UT_EV_SAMPLE flagged
 * UT_SAMPLE_OFF_CPU when it left). No payload.
 */
#define UT_EV_OFF_CPU_END	8

/* latency --min: slots of open BEGINs, over every thread (powers of 2) */
#define UT_LAT_OPEN		4096
#define UT_LAT_OPEN_STACKS	512	/* ... with their stacks (--stack) */
#define UT_LAT_OPEN_STRIDE	1031	/* slot distance of depth d + 1 from d */

struct ut_event {
	__u64 ts;		/* bpf_ktime_get_ns() */
	__u32 pid;		/* process (tgid) */
	__u32 tid;
	__u32 site_id;		/* the cookie */
	__u16 kind;		/* UT_EV_* */
	__u16 nr_strs;		/* string slots that follow args[] */
	__u32 str_len;		/* bytes per string slot */
	__u16 faulted;		/* bit i: argument i could not be read */
	__u16 truncated;	/* bit i: string argument i was cut at str_len */
	char comm[UT_COMM_LEN];
	__u32 stack_len;	/* bytes of the stack after the string slots, 0: none */
	__u32 pad;
	__u64 args[UT_MAX_ARGS];
	/* then nr_strs slots of str_len bytes, each NUL-terminated */
	/* then, with --stack, stack_len bytes: struct ut_stack and its data */
};

/* --stack-mode */
#define UT_STACK_FP		1	/* the kernel's frame-pointer walk: return addresses */
#define UT_STACK_DWARF		2	/* registers and a copy of the stack, unwound later */

#define UT_STACK_FP_MAX		127	/* frames (the kernel's perf_event_max_stack) */
#define UT_STACK_MAX		16384	/* bytes of stack copied, at most (--stack-size) */
#define UT_STACK_DEFAULT	8192
#define UT_STACK_REGS		34	/* u64 words of struct pt_regs kept, at most */

/* ut_stack.flags */
#define UT_STACK_CUT		0x1	/* DWARF: less than --stack-size could be read */
#define UT_STACK_FAILED		0x2	/* nothing could be read */

struct ut_stack {
	__u16 mode;		/* UT_STACK_FP or UT_STACK_DWARF */
	__u16 flags;
	__u32 nr;		/* FP: return addresses; DWARF: bytes of stack */
	/*
	 * DWARF: the user stack pointer, where data starts. FP: the word at
	 * it, the return address when the probe is a function's first
	 * instruction (the frame-pointer walk misses that caller), or 0.
	 */
	__u64 sp;
	__u64 regs[UT_STACK_REGS];	/* DWARF: the user registers, as struct pt_regs */
	/* then FP: nr __u64 addresses, innermost first; DWARF: nr bytes from sp */
};

/*
 * profile: where a process's interpreter keeps its frames, set by user
 * space per process once it has checked the runtime's version, so one BPF
 * walk serves every version whose layout the table knows. Offsets are of
 * the interpreter's structs; each frame is read whole (at most
 * UT_INTERP_FRAME_READ bytes) and its fields taken from the copy.
 */
#define UT_INTERP_PYTHON	1	/* CPython 3.11's _PyInterpreterFrame chain */
#define UT_INTERP_RUBY		2	/* Ruby 3.1's control frames */
#define UT_INTERP_PHP		3	/* PHP 8.2's zend_execute_data chain */

#define UT_INTERP_FRAMES	64	/* interpreter frames read per sample */
#define UT_INTERP_FRAME_READ	72	/* bytes of one frame read at once, at most */

/* CPython: the thread state from a pthread key's slot, then the frame chain. */
struct ut_py_proc {
	__u32 tss_key_off;	/* _PyRuntime's gilstate.autoTSSkey._key */
	__u32 tls_specific;	/* glibc: struct pthread's specific_1stblock[] */
	__u16 tstate_cframe;	/* PyThreadState.cframe */
	__u16 cframe_frame;	/* _PyCFrame.current_frame */
	__u16 frame_code;	/* _PyInterpreterFrame.f_code, then the others */
	__u16 frame_previous;
	__u16 frame_instr;	/* prev_instr: the instruction last run */
	__u16 frame_entry;	/* is_entry: where C entered the eval loop */
	__u16 frame_owner;
	__u16 pad;
};

/*
 * Ruby: the execution context from libruby's TLS block (the module id in
 * the GOT slot at ut_interp_proc.runtime, glibc's dtv at fsbase + 8), then
 * its control frames from cfp up to the stack's end, each with the flags
 * and method entry its ep holds.
 */
struct ut_rb_proc {
	__u32 tls_ec;		/* ruby_current_ec in libruby's TLS block */
	__u32 magic_mask;	/* VM_FRAME_MAGIC_MASK of ep[0] */
	__u32 magic_cfunc;	/* a C method's frame */
	__u32 magic_method;	/* a Ruby method's frame: ep[-2] is its method entry */
	__u32 flag_finish;	/* VM_FRAME_FLAG_FINISH: where C entered rb_vm_exec */
	__u16 ec_vm_stack;	/* rb_execution_context_t.vm_stack (then _size, words) */
	__u16 ec_vm_stack_size;
	__u16 ec_cfp;
	__u16 cfp_size;		/* sizeof(rb_control_frame_t) */
	__u16 cfp_pc;
	__u16 cfp_iseq;
	__u16 cfp_ep;
	__u16 pad;
};

/*
 * PHP: the current execute_data in executor_globals (at .runtime), then
 * each prev_execute_data. The innermost frame's opline is stale while the
 * hybrid VM runs: inside execute_ex ([seam_start, seam_end)) with r14 at
 * that frame, the line is r15's.
 */
struct ut_php_proc {
	__u16 eg_current;	/* executor_globals.current_execute_data */
	__u16 ex_opline;
	__u16 ex_func;
	__u16 ex_type_info;	/* This.u1.type_info: ZEND_CALL_* flags */
	__u16 ex_prev;
	__u16 op_lineno;	/* zend_op.lineno: the line, read with the frame */
	__u32 call_top;		/* ZEND_CALL_TOP: where C entered execute_ex */
	__u64 seam_start;	/* execute_ex, in the process */
	__u64 seam_end;
};

struct ut_interp_proc {
	__u32 kind;		/* UT_INTERP_* */
	__u32 pad;
	__u64 runtime;		/* python: _PyRuntime; ruby: libruby's TLS module id's
				 * GOT slot; php: executor_globals */
	union {
		struct ut_py_proc py;
		struct ut_rb_proc rb;
		struct ut_php_proc php;
	};
};

/* One interpreter frame as the sampler read it; named in user space. */
struct ut_interp_frame {
	__u64 code;		/* python: the code object; ruby: the iseq, or a C method's
				 * method entry; php: the zend_function */
	__u64 instr;		/* the instruction pointer into it (ruby: pc, php: opline) */
	__u64 aux;		/* ruby: a method frame's method entry; php: the line of
				 * instr (0: unknown); else 0 */
	__u32 flags;		/* UT_IFRAME_* */
	__u32 pad;
};

#define UT_IFRAME_ENTRY		0x1	/* the eval loop was entered from C here */
#define UT_IFRAME_CSTACK	0x2	/* owned by the C stack (a generator's shim) */
#define UT_IFRAME_CFUNC		0x4	/* ruby: a C method (code: its method entry) */

/* profile sample flags (args[0]) */
#define UT_SAMPLE_NO_INTERP	0x2	/* no interpreter known for the process yet */
#define UT_SAMPLE_INTERP_FAULT	0x4	/* a frame could not be read: the walk stopped */
#define UT_SAMPLE_INTERP_CUT	0x8	/* more than UT_INTERP_FRAMES frames */
#define UT_SAMPLE_NO_THREAD	0x10	/* the thread has no interpreter state (yet) */
#define UT_SAMPLE_OFF_CPU	0x20	/* taken as the thread blocked (--off-cpu) */
#define UT_SAMPLE_ON_CPU	0x40	/* dump: running on a CPU as it was read: its registers
					 * are those of its last entry into the kernel */

/*
 * calls -l postgresql: what pg_stat_statements reads, read from the
 * executor's own calls (standard_ExecutorStart/Run/Finish/End,
 * standard_ProcessUtility, standard_planner): where PostgreSQL keeps it,
 * per version (lang-adapters/postgresql.c; checked against its headers).
 */
/*
 * SQL's byte classes, one definition for the kernel's literal-blind key
 * (bpf/stmts.bpf.c) and user space's normalization and canonical form
 * (sql/normalize.c): the key keeps apart only what the canonical form
 * does as long as both read bytes alike.
 */
static __always_inline int ut_sql_ident_start(__u8 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static __always_inline int ut_sql_ident(__u8 c)
{
	return ut_sql_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static __always_inline int ut_sql_space(__u8 c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A byte of an operator: white space between two of them is kept. */
static __always_inline int ut_sql_op(__u8 c)
{
	switch (c) {
	case '+': case '-': case '*': case '/': case '<': case '>': case '=': case '~':
	case '!': case '@': case '#': case '%': case '^': case '&': case '|': case '`':
	case '?':
		return 1;
	}
	return 0;
}

#define UT_STMT_TYPMOD_WORDS	18

/* One step of a word's hash (lowercased bytes), in BPF and user space alike. */
static __always_inline __u32 ut_word_hash(__u32 h, __u8 c)
{
	return (h ^ c) * 16777619u;
}
#define UT_WORD_HASH_INIT	2166136261u

struct ut_pg_layout {
	__u16 qd_plannedstmt;	/* QueryDesc */
	__u16 qd_source_text;
	__u16 qd_estate;
	__u16 qd_already_executed;	/* bool: set at its first ExecutorRun */
	__u16 ps_utility;	/* PlannedStmt.utilityStmt */
	__u16 ps_location;	/* PlannedStmt.stmt_location, stmt_len (int) */
	__u16 ps_len;
	__u16 es_processed;	/* EState: rows */
	__u16 query_location;	/* Query.stmt_location, stmt_len */
	__u16 query_len;
	__u16 qc_tag;		/* QueryCompletion.commandTag, nprocessed */
	__u16 qc_processed;
	__u16 tag_execute;	/* NodeTags of EXECUTE, PREPARE, DEALLOCATE: not counted */
	__u16 tag_prepare;
	__u16 tag_deallocate;
	__u16 cmd_rows[4];	/* CommandTags whose rows count (COPY, FETCH, SELECT, REFRESH) */
	__u16 qc_sp_off;	/* ProcessUtility's 8th argument, qc: at sp + this at entry */
	__u16 sp_off;		/* offsetof(struct pt_regs, stack pointer) */
	__u16 pad[2];
	/* words the literal-blind key must know, as ut_word_hash() makes them */
	__u32 word_by, word_group, word_order;
	__u32 word_typmod[UT_STMT_TYPMOD_WORDS];	/* types with modifiers: varchar(10) */
};

/* The probes of a statement, in this order (the site's probe_id). */
enum ut_stmt_role {
	UT_STMT_XRUN,		/* standard_ExecutorRun(queryDesc) ... */
	UT_STMT_XRUN_RET,	/* ... and its return */
	/* ExecutorFinish: every caller calls ExecutorEnd right after it, so its
	 * time ends there and its return costs no trap */
	UT_STMT_XFINISH,
	UT_STMT_XEND,		/* standard_ExecutorEnd(queryDesc): a statement counts */
	UT_STMT_UTIL,		/* standard_ProcessUtility(pstmt, queryString, ..., qc) */
	UT_STMT_UTIL_RET,
	UT_STMT_ABORT,		/* transaction__abort: frames an error skipped are gone */
	UT_STMT_ERROR,		/* AbortCurrentTransaction: an error caught at the top
				 * (a savepoint's rollback fires no transaction__abort) */
	/* last, so that --no-plan attaches the roles before them */
	UT_STMT_PLAN,		/* standard_planner(parse, query_string) */
	UT_STMT_PLAN_RET,
	UT_STMT_NR_ROLES,
};

#define UT_STMT_DEPTH		8	/* nested executor calls kept per backend */
#define UT_STMT_CANON_MAX	2048	/* texts up to this are keyed with literals out */
#define UT_STMT_PIECE		2048	/* bytes of text per UT_EV_STMT_TEXT */
#define UT_STMT_TEXT_MAX	(32 * UT_STMT_PIECE)	/* bytes of a text read, at most */
#define UT_STMT_UTILITY		(1ULL << 63)
#define UT_STMT_CUT		(1ULL << 62)

/* A statement's row in the kernel: its text's hash (literals out), and kind. */
struct ut_stmt_key {
	__u64 hash;
	__u32 utility;		/* kept as sent: hashed as it is */
	__u32 pad;
};

/* Its figures (per CPU; the minima start at ~0). */
struct ut_stmt_stats {
	__u64 calls;
	__u64 rows;
	__u64 exec_ns;
	__u64 exec_min;
	__u64 exec_max;
	__u64 plans;
	__u64 plan_ns;
	__u64 plan_min;
	__u64 plan_max;
	__u64 whole_ns;		/* planning, then executor start to end */
	__u64 whole_max;
};

/* One bucket (ut_lat_bucket) of a statement's execution times. */
struct ut_stmt_bucket {
	struct ut_stmt_key key;
	__u32 bucket;
	__u32 pad;
};

#endif /* USDTRACE_BPF_SHARED_H */
