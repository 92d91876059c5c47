/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * frames.bpf.h - the interpreter frame walkers of `usdtrace profile` and
 * `usdtrace dump`: CPython 3.11, Ruby 3.1 and PHP 8.2, each from where its
 * runtime keeps the thread's current frame down its chain of callers, with
 * the offsets user space checked for the process (struct ut_interp_proc).
 * They send raw pointers (code object, instruction) only; names, files and
 * lines are made in user space. A walker reads the current thread's memory
 * (a sample) or, @remote, another thread's from a sleepable task iterator.
 * Owns no map: the caller gives the buffer (struct frames_buf).
 */
#ifndef USDTRACE_FRAMES_BPF_H
#define USDTRACE_FRAMES_BPF_H

#include "common.bpf.h"
#include <bpf/bpf_core_read.h>

struct frames_buf {
	struct ut_interp_frame frames[UT_INTERP_FRAMES];
	__u8 frame[136];		/* one interpreter frame, as read (and room) */
};

/* The user registers PHP's walker needs (the hybrid VM's). */
struct ut_php_regs {
	__u64 ip, r14, r15;
};

/*
 * @size bytes of @task's memory at @addr: the current thread's, or,
 * @remote, another's, which may fault pages in. @remote is a constant at
 * each caller, so a sampler's program never holds the sleepable call.
 */
static __always_inline long user_read(void *dst, __u32 size, __u64 addr,
				      struct task_struct *task, const bool remote)
{
	if (remote)
		return bpf_copy_from_user_task(dst, size, (void *)addr, task, 0);
	return bpf_probe_read_user(dst, size, (void *)addr);
}

static __always_inline __u64 read_u64(struct task_struct *task, __u64 addr, bool *fault,
				      const bool remote)
{
	__u64 v = 0;

	if (user_read(&v, sizeof(v), addr, task, remote))
		*fault = true;
	return v;
}

/*
 * A field of the frame copy in @b at offset @off: user space keeps every
 * offset below UT_INTERP_FRAME_READ; the mask shows the verifier the
 * copy's bounds (127 + 8 fits its 136 bytes).
 */
#define FRAME_U64(b, off)	(*(__u64 *)((b)->frame + ((off) & 0x7f)))
#define FRAME_U32(b, off)	(*(__u32 *)((b)->frame + ((off) & 0x7f)))
#define FRAME_U8(b, off)	((b)->frame[(off) & 0x7f])
#define FRAME_SIZE(n)		((n) > UT_INTERP_FRAME_READ ? UT_INTERP_FRAME_READ : (n))

static __always_inline void put_frame(struct frames_buf *b, int n, __u64 code, __u64 instr,
				      __u64 aux, __u32 flags)
{
	if (n < 0 || n >= UT_INTERP_FRAMES)
		return;
	b->frames[n].code = code;
	b->frames[n].instr = instr;
	b->frames[n].aux = aux;
	b->frames[n].flags = flags;
	b->frames[n].pad = 0;
}

/*
 * CPython: the thread state from the thread's TLS slot of the
 * interpreter's key (glibc keeps keys below 32 in the thread descriptor),
 * then its current frame, then each previous one.
 */
static __always_inline int python_frames(struct task_struct *task,
					 const struct ut_interp_proc *ip, struct frames_buf *b,
					 __u64 *flags, const bool remote)
{
	__u64 fsbase = BPF_CORE_READ(task, thread.fsbase), tstate, cframe, frame;
	const struct ut_py_proc *py = &ip->py;
	bool fault = false;
	__u32 key = 0;
	int n;

	if (user_read(&key, sizeof(key), ip->runtime + py->tss_key_off, task, remote) ||
	    key >= 32) {
		*flags |= UT_SAMPLE_NO_THREAD;
		return 0;
	}
	tstate = read_u64(task, fsbase + py->tls_specific + 16 * key + 8, &fault, remote);
	if (fault || !tstate) {
		*flags |= UT_SAMPLE_NO_THREAD;
		return 0;
	}
	cframe = read_u64(task, tstate + py->tstate_cframe, &fault, remote);
	frame = cframe && !fault ? read_u64(task, cframe + py->cframe_frame, &fault, remote) : 0;
	for (n = 0; n < UT_INTERP_FRAMES && frame && !fault; n++) {
		if (user_read(b->frame, UT_INTERP_FRAME_READ, frame, task, remote)) {
			fault = true;
			break;
		}
		put_frame(b, n, FRAME_U64(b, py->frame_code), FRAME_U64(b, py->frame_instr), 0,
			  (FRAME_U8(b, py->frame_entry) ? UT_IFRAME_ENTRY : 0) |
			  (FRAME_U8(b, py->frame_owner) == 3 ? UT_IFRAME_CSTACK : 0));
		frame = FRAME_U64(b, py->frame_previous);
	}
	if (fault)
		*flags |= UT_SAMPLE_INTERP_FAULT;
	else if (frame)
		*flags |= UT_SAMPLE_INTERP_CUT;
	return n;
}

/*
 * Ruby 3.1: the thread's execution context (libruby's general-dynamic TLS:
 * the module's block from glibc's dtv), then its control frames from the
 * current one up to the two dummy frames at the VM stack's end. A C
 * method's frame sends its method entry; a frame without a pc (a dummy)
 * sends code 0, which user space passes over.
 */
static __always_inline int ruby_frames(struct task_struct *task,
				       const struct ut_interp_proc *ip, struct frames_buf *b,
				       __u64 *flags, const bool remote)
{
	__u64 fsbase = BPF_CORE_READ(task, thread.fsbase), modid, dtv, block, ec, cfp, end;
	const struct ut_rb_proc *rb = &ip->rb;
	__u64 env[3], pc, code, aux, ecv[3];
	__u32 magic, fl, size = FRAME_SIZE(rb->cfp_size);
	bool fault = false;
	int n = 0;

	modid = read_u64(task, ip->runtime, &fault, remote);
	dtv = read_u64(task, fsbase + 8, &fault, remote);
	block = !fault && dtv && modid < 4096 ?
		read_u64(task, dtv + 16 * modid, &fault, remote) : 0;
	ec = !fault && block ? read_u64(task, block + rb->tls_ec, &fault, remote) : 0;
	/* vm_stack, vm_stack_size and cfp lie together (test_rblayout checks) */
	if (fault || !ec || user_read(ecv, sizeof(ecv), ec + rb->ec_vm_stack, task, remote)) {
		*flags |= UT_SAMPLE_NO_THREAD;
		return 0;
	}
	cfp = ecv[2];
	end = ecv[0] + 8 * ecv[1] - 2 * (__u64)rb->cfp_size;
	/* one slot per control frame, so the verifier sees one count */
	for (n = 0; n < UT_INTERP_FRAMES && cfp < end; n++, cfp += rb->cfp_size) {
		if (user_read(b->frame, size, cfp, task, remote) ||
		    user_read(env, sizeof(env), FRAME_U64(b, rb->cfp_ep) - 16, task, remote)) {
			fault = true;
			break;
		}
		pc = FRAME_U64(b, rb->cfp_pc);
		code = pc ? FRAME_U64(b, rb->cfp_iseq) : 0;
		magic = (__u32)env[2] & rb->magic_mask;
		aux = magic == rb->magic_method ? env[0] : 0;
		fl = env[2] & rb->flag_finish ? UT_IFRAME_ENTRY : 0;
		if (magic == rb->magic_cfunc) {
			code = env[0];
			pc = 0;
			fl |= UT_IFRAME_CFUNC;
		}
		put_frame(b, n, code, pc, aux, fl);
	}
	if (fault)
		*flags |= UT_SAMPLE_INTERP_FAULT;
	else if (cfp < end)
		*flags |= UT_SAMPLE_INTERP_CUT;
	return n;
}

/*
 * PHP 8.2: executor_globals' current execute_data, then each caller.
 * Debian's hybrid VM keeps the running frame in r14 and its opline in r15
 * while inside execute_ex: the innermost frame's stored opline is stale
 * there, and r15 is the truth (@regs: the thread's user registers). Each
 * frame's line is read here with it (in aux): the process may be gone when
 * user space names the frame.
 */
static __always_inline int php_frames(struct task_struct *task,
				      const struct ut_interp_proc *ip, struct frames_buf *b,
				      const struct ut_php_regs *regs, __u64 *flags,
				      const bool remote)
{
	const struct ut_php_proc *php = &ip->php;
	__u32 size = FRAME_SIZE(php->ex_prev + 8u);
	__u64 ex, opline, uip, r14, r15;
	bool fault = false;
	__u32 line;
	int n = 0;

	ex = read_u64(task, ip->runtime + php->eg_current, &fault, remote);
	if (fault) {
		*flags |= UT_SAMPLE_NO_THREAD;
		return 0;
	}
	uip = regs->ip;
	r14 = regs->r14;
	r15 = regs->r15;
	for (n = 0; n < UT_INTERP_FRAMES && ex; n++) {
		if (user_read(b->frame, size, ex, task, remote)) {
			fault = true;
			break;
		}
		opline = FRAME_U64(b, php->ex_opline);
		if (n == 0 && uip >= php->seam_start && uip < php->seam_end && r14 == ex)
			opline = r15;
		line = 0;
		if (opline)
			user_read(&line, sizeof(line), opline + php->op_lineno, task, remote);
		/* a frame without a function sends code 0: passed over */
		put_frame(b, n, FRAME_U64(b, php->ex_func), opline, line,
			  FRAME_U32(b, php->ex_type_info) & php->call_top ? UT_IFRAME_ENTRY : 0);
		ex = FRAME_U64(b, php->ex_prev);
	}
	if (fault)
		*flags |= UT_SAMPLE_INTERP_FAULT;
	else if (ex)
		*flags |= UT_SAMPLE_INTERP_CUT;
	return n;
}

/*
 * Each walker as a global function, verified once on its own rather than
 * inlined into every path of its caller (three walkers inlined took the
 * sampler to 56% of the verifier's million instructions). A sampler's
 * (_cur: the current thread's memory) and dump's (_task: another's, may
 * sleep) are separate functions, so a sampler never holds the sleepable
 * read.
 */
#define FRAMES_WALKERS(suffix, remote)						\
__noinline int python_frames_##suffix(struct task_struct *task __arg_trusted,	\
				      const struct ut_interp_proc *ip __arg_nonnull,	\
				      struct frames_buf *b __arg_nonnull,		\
				      __u64 *flags __arg_nonnull)			\
{										\
	return python_frames(task, ip, b, flags, remote);			\
}										\
__noinline int ruby_frames_##suffix(struct task_struct *task __arg_trusted,	\
				    const struct ut_interp_proc *ip __arg_nonnull,	\
				    struct frames_buf *b __arg_nonnull,			\
				    __u64 *flags __arg_nonnull)				\
{										\
	return ruby_frames(task, ip, b, flags, remote);				\
}										\
__noinline int php_frames_##suffix(struct task_struct *task __arg_trusted,	\
				   const struct ut_interp_proc *ip __arg_nonnull,	\
				   struct frames_buf *b __arg_nonnull,			\
				   const struct ut_php_regs *regs __arg_nonnull,	\
				   __u64 *flags __arg_nonnull)				\
{										\
	return php_frames(task, ip, b, regs, flags, remote);			\
}

#endif /* USDTRACE_FRAMES_BPF_H */
