// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * profile.bpf.c - the profile mode: a perf event on every CPU (the software
 * cpu-clock, -F times a second) runs usdt_profile on whatever thread is
 * there. For a thread of a traced process (every process, system-wide) it
 * sends one record: the thread's ids and name, its interpreter's frames
 * (read here by frames.bpf.h's walkers, for a process whose runtime user
 * space recognised: interp_procs), and its user registers and the top of its user stack,
 * unwound later with the objects' CFI (stack.bpf.h). Names, files and
 * lines are all made in user space; the kernel sends raw pointers only.
 *
 * --off-cpu runs usdt_off_cpu on sched_switch instead: a traced thread that
 * blocks (leaves the CPU not runnable) sends the same sample, flagged
 * UT_SAMPLE_OFF_CPU, and when it is switched back in a UT_EV_OFF_CPU_END
 * with the ns it was away; user space weighs the stack by them.
 */
#include "common.bpf.h"
#include "frames.bpf.h"
#include "stack.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* tgid */
	__type(value, struct ut_interp_proc);
} interp_procs SEC(".maps");

/* Per CPU, built here and copied to the ring at its size. */
struct sample_buf {
	struct ut_event ev;
	struct frames_buf f;
	struct ut_stack stack;
	char stack_data[UT_STACK_MAX];
	__u64 busy;
};

/* the event and its frames go to the ring as one copy */
_Static_assert(__builtin_offsetof(struct sample_buf, f) == sizeof(struct ut_event),
	       "the interpreter frames follow the event");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sample_buf);
} sample_bufs SEC(".maps");

/* Each thread's CPU time (ns) at its last sample: the next one weighs the difference. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);		/* tid */
	__type(value, __u64);
} cpu_seen SEC(".maps");

/*
 * Address spaces (a process, until it execs) whose first sample of no
 * known runtime woke the reader at once: it reads the runtime then, so the
 * samples taken before the kernel knows it (lost_late) are a few
 * milliseconds' rather than a poll interval's.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* the mm */
	__type(value, __u8);
} announced SEC(".maps");

/* Wake the reader now at the first sample of an address space it does not know. */
static __always_inline __u64 sample_wakeup(struct task_struct *task, __u64 flags)
{
	__u64 mm = (__u64)BPF_CORE_READ(task, mm);
	__u8 one = 1;

	if (!(flags & UT_SAMPLE_NO_INTERP) || bpf_map_lookup_elem(&announced, &mm))
		return wakeup_flag();
	bpf_map_update_elem(&announced, &mm, &one, BPF_ANY);
	return BPF_RB_FORCE_WAKEUP;
}

/* Threads blocked since (ns), for --off-cpu. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);		/* tid */
	__type(value, __u64);
} off_since SEC(".maps");

FRAMES_WALKERS(cur, false)
FRAMES_WALKERS(task, true)

/* Is the current thread one to sample: not idle, usdtrace, a kernel thread, or untraced? */
static __always_inline bool sampled(struct task_struct *task, __u32 tgid)
{
	return tgid && tgid != cfg.self_tgid && task->mm && wanted();
}

/* @task's interpreter frames into @b by its runtime's walker; how many. */
static __always_inline int walk(struct task_struct *task, const struct ut_interp_proc *ip,
				struct sample_buf *b, struct pt_regs *regs, __u64 *flags,
				const bool remote)
{
	struct ut_php_regs pr;

	switch (ip->kind) {
	case UT_INTERP_PYTHON:
		return remote ? python_frames_task(task, ip, &b->f, flags) :
				python_frames_cur(task, ip, &b->f, flags);
	case UT_INTERP_RUBY:
		return remote ? ruby_frames_task(task, ip, &b->f, flags) :
				ruby_frames_cur(task, ip, &b->f, flags);
	case UT_INTERP_PHP:
		pr.ip = BPF_CORE_READ(regs, ip);
		pr.r14 = BPF_CORE_READ(regs, r14);
		pr.r15 = BPF_CORE_READ(regs, r15);
		return remote ? php_frames_task(task, ip, &b->f, &pr, flags) :
				php_frames_cur(task, ip, &b->f, &pr, flags);
	default:
		*flags |= UT_SAMPLE_NO_INTERP;
		return 0;
	}
}

/*
 * @task's sample (@flags added), to the ring buffer: the current thread's,
 * or, @remote, any thread's from the task iterator (its state in args[2]).
 */
static __always_inline int send_sample(struct task_struct *task, __u64 flags, __u64 weight,
				       const bool remote)
{
	__u64 id = remote ? ((__u64)BPF_CORE_READ(task, tgid) << 32 | BPF_CORE_READ(task, pid)) :
		   bpf_get_current_pid_tgid(), size, slen;
	__u32 tgid = id >> 32, zero = 0;
	struct ut_interp_proc *ip;
	struct sample_buf *b;
	struct pt_regs *regs;
	struct bpf_dynptr ptr;
	int n = 0;

	b = bpf_map_lookup_elem(&sample_bufs, &zero);
	if (!b)
		return 0;
	if (__sync_lock_test_and_set(&b->busy, 1)) {
		count_drop();
		return 0;
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (remote && BPF_CORE_READ(task, on_cpu))
		flags |= UT_SAMPLE_ON_CPU;
	/* in the kernel or not, the user registers are those saved at its entry */
	ip = bpf_map_lookup_elem(&interp_procs, &tgid);
	if (ip)
		n = walk(task, ip, b, regs, &flags, remote);
	else
		flags |= UT_SAMPLE_NO_INTERP;
	b->ev.ts = bpf_ktime_get_ns();
	b->ev.pid = tgid;
	b->ev.tid = (__u32)id;
	b->ev.site_id = 0;
	b->ev.kind = UT_EV_SAMPLE;
	b->ev.nr_strs = (__u16)n;
	b->ev.str_len = sizeof(struct ut_interp_frame);
	b->ev.faulted = 0;
	b->ev.truncated = 0;
	b->ev.pad = 0;
	b->ev.args[0] = flags;
	b->ev.args[1] = ip ? ip->kind : 0;
	b->ev.args[3] = weight;
	if (remote) {
		b->ev.args[2] = BPF_CORE_READ(task, __state);
		bpf_probe_read_kernel_str(b->ev.comm, sizeof(b->ev.comm), task->comm);
		slen = stack_capture_task(task, regs, &b->stack, b->stack_data);
	} else {
		b->ev.args[2] = 0;
		bpf_get_current_comm(b->ev.comm, sizeof(b->ev.comm));
		slen = stack_capture(regs, &b->stack, b->stack_data);
	}
	b->ev.stack_len = (__u32)slen;
	size = sizeof(b->ev) + (__u64)n * sizeof(struct ut_interp_frame);
	if (size > sizeof(b->ev) + sizeof(b->f.frames) ||
	    slen > sizeof(b->stack) + sizeof(b->stack_data)) {
		b->busy = 0;
		return 0;
	}
	if (bpf_ringbuf_reserve_dynptr(&events, size + slen, 0, &ptr)) {
		bpf_ringbuf_discard_dynptr(&ptr, 0);
		count_drop();
		b->busy = 0;
		return 0;
	}
	bpf_dynptr_write(&ptr, 0, &b->ev, size, 0);
	bpf_dynptr_write(&ptr, size, &b->stack, slen, 0);
	bpf_ringbuf_submit_dynptr(&ptr, remote ? wakeup_flag() : sample_wakeup(task, flags));
	b->busy = 0;
	return 0;
}

/*
 * The CPU time @task ran since its last sample (0: its first), from the
 * scheduler's own count: what a sample weighs in wall time, exact over a
 * thread's samples whatever the clock's misses (this VM's cpu-clock fires
 * at about 60% of -F).
 */
static __always_inline __u64 cpu_since_last(struct task_struct *task)
{
	__u64 now = BPF_CORE_READ(task, se.sum_exec_runtime), *last;
	__u32 tid = BPF_CORE_READ(task, pid);

	last = bpf_map_lookup_elem(&cpu_seen, &tid);
	if (!last) {
		bpf_map_update_elem(&cpu_seen, &tid, &now, BPF_ANY);
		return 0;
	}
	if (now < *last) {
		*last = now;	/* a tid reused */
		return 0;
	}
	now -= *last;
	*last += now;
	return now;
}

SEC("perf_event")
int usdt_profile(struct bpf_perf_event_data *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	(void)ctx;	/* the thread's user registers come from its task */
	if (!sampled(task, bpf_get_current_pid_tgid() >> 32))
		return 0;
	/* the CPU time only where it weighs (wall time): a map update a sample */
	return send_sample(task, 0, cfg.cpu_time ? cpu_since_last(task) : 0, false);
}

/* A thread blocked a while ago comes back: the time it was away. */
static __always_inline void off_cpu_end(struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(next, pid);
	__u64 *since = bpf_map_lookup_elem(&off_since, &tid);
	struct ut_event *ev;

	if (!since)
		return;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		count_drop();
		bpf_map_delete_elem(&off_since, &tid);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts = bpf_ktime_get_ns();
	ev->pid = BPF_CORE_READ(next, tgid);
	ev->tid = tid;
	ev->kind = UT_EV_OFF_CPU_END;
	ev->args[0] = ev->ts - *since;
	bpf_map_delete_elem(&off_since, &tid);
	bpf_ringbuf_submit(ev, wakeup_flag());
}

/*
 * sched_switch (a tracepoint: no kprobes needed): @prev, the current
 * thread, leaves the CPU; when it blocks (not runnable: a sleep, a lock,
 * I/O; a preempted thread only waits for a CPU) its stack is sent and the
 * time noted; @next's time away, if it blocked traced, is sent.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(usdt_off_cpu, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)id;

	off_cpu_end(next);
	if (preempt || BPF_CORE_READ(prev, __state) == 0 || !sampled(prev, id >> 32))
		return 0;
	now = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&off_since, &tid, &now, BPF_ANY))
		return 0;
	return send_sample(prev, UT_SAMPLE_OFF_CPU, 0, false);
}

/*
 * dump: every thread of the process the iterator is bound to, running or
 * blocked, once: the same sample, read from the thread's memory and its
 * saved user registers without stopping it (a sleepable iterator may
 * fault pages in). A thread running on a CPU at that instant shows where
 * it last entered the kernel.
 */
SEC("iter.s/task")
int usdt_dump(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task || !task->mm)
		return 0;	/* a kernel thread */
	return send_sample(task, 0, 0, true);
}
