// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * trace.bpf.c - the trace mode: one ring-buffer event per hit, with the
 * arguments fetched as the site's spec says and strings copied when asked.
 * No value is shown that was not read: an argument whose memory faulted is
 * flagged in ev->faulted, a string cut at the slot size in ev->truncated.
 *
 * Two programs share the body: usdt_hit for sites without string
 * arguments, and the sleepable usdt_hit_s for sites with them, which may
 * take the page fault of a string in a page the process never touched
 * (a non-faulting read would give "" there, on every hit).
 */
#include "common.bpf.h"

/*
 * Events are built here, then copied to the ring buffer at their size.
 * Per CPU, and a program may be preempted (a sleepable one sleeps on a
 * page fault) while another hit on the same CPU wants it: `busy` lets one
 * hit at a time use it; the other is counted as dropped, never mixed in.
 */
struct scratch {
	struct ut_event ev;
	char strs[UT_MAX_ARGS * UT_STR_MAX];
	__u64 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_buf SEC(".maps");

static __always_inline int hit(struct pt_regs *ctx, bool sleepable)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx), zero = 0;
	struct ut_site_spec *spec;
	struct scratch *buf;
	struct ut_event *ev;
	__u64 id, size, off;
	__u16 nstr = 0;
	bool fault;
	int i;

	if (!wanted())
		return 0;
	spec = bpf_map_lookup_elem(&site_specs, &site);
	buf = bpf_map_lookup_elem(&scratch_buf, &zero);
	if (!spec || !buf)
		return 0;
	if (!pred_pass(ctx, spec, sleepable))
		return 0;
	if (__sync_lock_test_and_set(&buf->busy, 1)) {
		count_drop();
		return 0;
	}
	ev = &buf->ev;
	id = bpf_get_current_pid_tgid();
	ev->ts = bpf_ktime_get_ns();
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->site_id = site;
	ev->kind = UT_EV_PROBE;
	ev->str_len = cfg.str_len;
	ev->faulted = 0;
	ev->truncated = 0;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));

	for (i = 0; i < UT_MAX_ARGS; i++) {
		if (i >= spec->nr_args)
			break;
		ev->args[i] = fetch_arg(ctx, &spec->args[i], &fault);
		if (fault)
			ev->faulted |= 1 << i;
		if (spec->args[i].flags & UT_ARG_STR)
			nstr = spec->args[i].slot + 1;
	}
	/*
	 * Strings second: a string's length may be a later argument. Each
	 * string's slot comes from its spec, so no count runs through the
	 * loop and the verifier can prune its iterations.
	 */
	for (i = 0; i < UT_MAX_ARGS; i++) {
		const struct ut_arg_spec *a = &spec->args[i];
		enum str_read r;

		if (i >= spec->nr_args)
			break;
		if (!(a->flags & UT_ARG_STR))
			continue;
		off = (__u64)a->slot * cfg.str_len;
		if (off > (UT_MAX_ARGS - 1) * UT_STR_MAX || cfg.str_len > UT_STR_MAX)
			break;
		if (ev->faulted & (1 << i)) {
			buf->strs[off] = '\0';	/* no pointer to read */
			continue;
		}
		r = fetch_str(buf->strs + off, a, ev->args[i], ev->args, sleepable);
		if (r == STR_FAULT)
			ev->faulted |= 1 << i;
		else if (r == STR_CUT)
			ev->truncated |= 1 << i;
	}
	ev->nr_strs = nstr;
	size = sizeof(*ev) + (__u64)nstr * cfg.str_len;
	if (size <= sizeof(buf->ev) + sizeof(buf->strs) &&
	    bpf_ringbuf_output(&events, buf, size, wakeup_flag()))
		count_drop();
	buf->busy = 0;
	return 0;
}

SEC("uprobe")
int usdt_hit(struct pt_regs *ctx)
{
	return hit(ctx, false);
}

SEC("uprobe.s")
int usdt_hit_s(struct pt_regs *ctx)
{
	return hit(ctx, true);
}
