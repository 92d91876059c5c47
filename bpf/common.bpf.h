/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * common.bpf.h - what every mode's BPF object holds: the site specs found
 * by each attachment's BPF cookie, the ring buffer, the per-CPU drop
 * counter (a failed hand-over is never silent: the summary reports it),
 * the --follow filter, predicates (pred.bpf.h), and the dynamic linker
 * hook program. Each mode's
 * .bpf.c includes it once and adds its own program and maps.
 */
#ifndef USDTRACE_COMMON_BPF_H
#define USDTRACE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "args.bpf.h"
#include "followed.h"

#define SIGSTOP 19

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* resized before load */
	__type(key, __u32);
	__type(value, struct ut_site_spec);
} site_specs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);	/* resized before load (--ring-size) */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Values the in-kernel modes could not read (the summary's faults). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} faults SEC(".maps");

/*
 * With --follow the uprobes are attached for every process mapping the
 * objects, and this decides: the traced process and its descendants.
 */
static __always_inline bool wanted(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return !cfg.follow || bpf_map_lookup_elem(&followed, &tgid);
}


/* Per CPU: when this CPU last woke the reader (wakeup_flag). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_wake SEC(".maps");

#define WAKE_EVERY_NS	500000

/*
 * Wake the reader once cfg.wakeup_bytes wait, but from each CPU at most
 * every WAKE_EVERY_NS: a reader that far behind is awake already, and a
 * wakeup is an interrupt (a VM exit on a VM) that the traced process pays
 * at every record otherwise. Reads stay within half a millisecond.
 */
static __always_inline __u64 wakeup_flag(void)
{
	__u32 zero = 0;
	__u64 *last, now;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < cfg.wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	last = bpf_map_lookup_elem(&last_wake, &zero);
	now = bpf_ktime_get_ns();
	if (last && now - *last < WAKE_EVERY_NS)
		return BPF_RB_NO_WAKEUP;
	if (last)
		*last = now;
	return BPF_RB_FORCE_WAKEUP;
}

/* Add one to slot @idx of per-CPU counter map @map (drops, faults, ...). */
static __always_inline void count_in(void *map, __u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(map, &idx);

	if (c)
		__sync_fetch_and_add(c, 1);	/* a preempted program may share it */
}

static __always_inline void count_drop(void)
{
	count_in(&drops, 0);
}

static __always_inline void count_fault(void)
{
	count_in(&faults, 0);
}

#include "pred.bpf.h"

/*
 * Add one to this CPU's slot of @key in per-CPU hash @map, creating the
 * entry. Another CPU may create it between our lookup and our insert: then
 * the insert fails with -EEXIST and the second lookup finds it. Only a
 * full table is a drop, and it is counted.
 */
static __always_inline void percpu_inc(void *map, const void *key)
{
	__u64 *c = bpf_map_lookup_elem(map, key), one = 1;

	if (c) {
		*c += 1;
		return;
	}
	if (!bpf_map_update_elem(map, key, &one, BPF_NOEXIST))
		return;
	c = bpf_map_lookup_elem(map, key);
	if (c)
		*c += 1;
	else
		count_drop();
}

/*
 * The dynamic linker hook, in every mode: on ld.so's _dl_debug_state, stop
 * the process (SIGSTOP) when new objects are mapped and tell user space,
 * which attaches their probes and resumes it, so no hit of a dlopen()ed
 * library is missed.
 */
SEC("uprobe")
int usdt_dlhook(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx);
	struct ut_site_spec *spec;
	struct ut_event ev = {};
	__u64 id, state = 0;

	spec = bpf_map_lookup_elem(&site_specs, &site);
	if (!spec || !(spec->flags & UT_SITE_DLHOOK) || !wanted())
		return 0;
	id = bpf_get_current_pid_tgid();
	ev.ts = bpf_ktime_get_ns();
	ev.pid = id >> 32;
	ev.tid = (__u32)id;
	ev.site_id = site;
	ev.str_len = cfg.str_len;
	bpf_get_current_comm(ev.comm, sizeof(ev.comm));

	/* r_state: RT_CONSISTENT (0) once a load has finished; a failed
	 * read stops the process anyway, which is only slower */
	if (spec->hook_state_off &&
	    !read_user(read_reg(ctx, cfg.ip_off) + spec->hook_state_off, 4, &state) && state != 0)
		return 0;
	ev.kind = UT_EV_DLOPEN;
	bpf_send_signal(SIGSTOP);
	if (bpf_ringbuf_output(&events, &ev, sizeof(ev), BPF_RB_FORCE_WAKEUP))
		count_drop();
	return 0;
}

#endif /* USDTRACE_COMMON_BPF_H */
