/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * stack.bpf.h - the user stack of a hit, for --stack (struct ut_stack):
 * FP mode asks the kernel for its frame-pointer walk (return addresses:
 * short on binaries built without frame pointers, as Debian's are); DWARF
 * mode copies the user registers and the top --stack-size bytes of the
 * stack for user space to unwind with the objects' CFI, as perf does.
 * Owns no map: the caller gives the buffer.
 */
#ifndef USDTRACE_STACK_BPF_H
#define USDTRACE_STACK_BPF_H

#include "common.bpf.h"
#include <bpf/bpf_core_read.h>

/* Bytes past the main thread's initial stack pointer kept: _start's frame. */
#define STACK_TOP_SLACK	64

/*
 * DWARF mode: how many bytes from @sp to copy, at most @len: no further
 * than frames can be. On the main thread they end at the stack pointer
 * the process started with (mm->start_stack; above it lie argc, argv and
 * the environment, never a frame). The copy is most of what a stacked hit
 * costs the process. (Other threads' stacks end under their thread's
 * control block and TLS, a few KiB above the last frame: bounding them by
 * their mapping, through bpf_find_vma, saved 5% of a hit; not worth the
 * lock it takes.)
 */
static __always_inline __u64 stack_copy_len(__u64 sp, __u64 len)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 top = BPF_CORE_READ(task, mm, start_stack) + STACK_TOP_SLACK;

	return sp < top && top - sp < len ? top - sp : len;
}

/*
 * FP mode: the word at the user stack pointer into @out (0 if unreadable):
 * at a function's first instruction, the return address into its caller,
 * which the frame-pointer walk skips (the frame pointer is still the
 * caller's). User space uses it only there.
 */
static __always_inline void stack_top_word(struct pt_regs *ctx, __u64 *out)
{
	if (bpf_probe_read_user(out, sizeof(*out), (void *)PT_REGS_SP(ctx)))
		*out = 0;
}

/* Bytes of the stack from @sp copied to @data, a page at a time, up to @len. */
static __always_inline __u32 stack_pages(char *data, __u64 sp, __u64 len)
{
	__u64 n = 0, chunk = 4096 - (sp & 4095);
	int i;

	for (i = 0; i < UT_STACK_MAX / 4096 + 1; i++) {
		if (chunk > len - n)
			chunk = len - n;
		if (n > UT_STACK_MAX - 4096 || chunk > 4096 ||
		    bpf_probe_read_user(data + n, chunk, (void *)(sp + n)))
			break;
		n += chunk;
		chunk = 4096;
		if (n >= len)
			break;
	}
	return (__u32)n;
}

/*
 * The stack of this hit into @st and the @data after it (UT_STACK_MAX
 * bytes); returns the bytes used, header included.
 */
static __always_inline __u32 stack_capture(struct pt_regs *ctx, struct ut_stack *st,
					   char *data)
{
	__u64 sp, len;
	long n;

	st->mode = cfg.stack_mode;
	st->flags = 0;
	st->nr = 0;
	st->sp = 0;
	if (cfg.stack_mode == UT_STACK_FP) {
		stack_top_word(ctx, &st->sp);
		n = bpf_get_stack(ctx, data, UT_STACK_FP_MAX * 8, BPF_F_USER_STACK);
		if (n <= 0) {
			st->flags = UT_STACK_FAILED;
			return sizeof(*st);
		}
		if (n > UT_STACK_FP_MAX * 8)
			n = UT_STACK_FP_MAX * 8;
		st->nr = (__u32)n / 8;
		return sizeof(*st) + (__u32)n;
	}
	bpf_probe_read_kernel(st->regs, sizeof(struct pt_regs) < sizeof(st->regs) ?
					sizeof(struct pt_regs) : sizeof(st->regs), ctx);
	sp = PT_REGS_SP(ctx);
	st->sp = sp;
	len = cfg.stack_size;
	if (len > UT_STACK_MAX)
		len = UT_STACK_MAX;
	len = stack_copy_len(sp, len);
	if (!bpf_probe_read_user(data, len, (void *)sp)) {
		st->nr = len;
		return sizeof(*st) + len;
	}
	/* near the stack's top: page by page, as far as it is mapped */
	st->nr = stack_pages(data, sp, len);
	st->flags = st->nr ? UT_STACK_CUT : UT_STACK_FAILED;
	return sizeof(*st) + st->nr;
}

/*
 * dump: the stack of @task, another thread (a sleepable task iterator), as
 * stack_capture takes the current one's in DWARF mode: its registers saved
 * at its last kernel entry @regs and the top of its user stack, read with
 * bpf_copy_from_user_task (which faults pages in: no page-by-page retry).
 */
static __always_inline __u32 stack_capture_task(struct task_struct *task, struct pt_regs *regs,
						struct ut_stack *st, char *data)
{
	__u64 sp, len, top;
	__u32 n;
	int i;

	st->mode = UT_STACK_DWARF;
	st->flags = 0;
	st->nr = 0;
	bpf_probe_read_kernel(st->regs, sizeof(struct pt_regs) < sizeof(st->regs) ?
					sizeof(struct pt_regs) : sizeof(st->regs), regs);
	sp = BPF_CORE_READ(regs, sp);
	st->sp = sp;
	len = cfg.stack_size;
	if (len > UT_STACK_MAX)
		len = UT_STACK_MAX;
	top = BPF_CORE_READ(task, mm, start_stack) + STACK_TOP_SLACK;
	if (sp < top && top - sp < len)
		len = top - sp;
	/* near the top of a thread's stack, less: halves, down to 64 bytes */
	for (i = 0; i < 9 && len >= 64; i++, len /= 2) {
		n = len > UT_STACK_MAX ? UT_STACK_MAX : (__u32)len;
		if (!bpf_copy_from_user_task(data, n, (void *)sp, task, 0)) {
			st->nr = n;
			return sizeof(*st) + n;
		}
	}
	st->flags = UT_STACK_FAILED;
	return sizeof(*st);
}

#endif /* USDTRACE_STACK_BPF_H */
