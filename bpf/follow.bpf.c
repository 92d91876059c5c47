// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * follow.bpf.c - --follow: a followed process forks, its child is followed
 * too; a followed process exits, its slot is freed. Its own object, loaded only with --follow: reading the tasks needs
 * CO-RE, hence the kernel's BTF, which would cost every other run tens of
 * milliseconds to load. The `followed` map is usdt.bpf.c's, shared by fd.
 * A BTF tracepoint, so nothing depends on tracefs being mounted.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#include "usdtrace.h"
#include "followed.h"

/* Children the table had no room for: never followed, and said so. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} unfollowed SEC(".maps");

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid, zero = 0;
	__u64 *n;
	__u8 one = 1;

	if (ptgid == ctgid || !bpf_map_lookup_elem(&followed, &ptgid))
		return 0;
	if (bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY)) {
		n = bpf_map_lookup_elem(&unfollowed, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return 0;
}

/*
 * A followed process is gone (its last thread, the group leader, exits):
 * its slot is free for the next child, so a server forking a process per
 * connection is followed however many it forks over a run.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid;

	if (task->pid == tgid)
		bpf_map_delete_elem(&followed, &tgid);
	return 0;
}
