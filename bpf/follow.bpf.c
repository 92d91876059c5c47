// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * follow.bpf.c - --follow: a followed process forks, its child is followed
 * too. Its own object, loaded only with --follow: reading the tasks needs
 * CO-RE, hence the kernel's BTF, which would cost every other run tens of
 * milliseconds to load. The `followed` map is usdt.bpf.c's, shared by fd.
 * A BTF tracepoint, so nothing depends on tracefs being mounted.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#include "followed.h"

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (ptgid != ctgid && bpf_map_lookup_elem(&followed, &ptgid))
		bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY);
	return 0;
}
