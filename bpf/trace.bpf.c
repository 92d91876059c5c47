// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * trace.bpf.c - the trace mode: one ring-buffer event per hit, with the
 * arguments fetched as the site's spec says and strings copied when asked
 * (event.bpf.h builds it).
 *
 * Two programs share the body: usdt_hit for sites without string
 * arguments, and the sleepable usdt_hit_s for sites with them, which may
 * take the page fault of a string in a page the process never touched
 * (a non-faulting read would give "" there, on every hit).
 */
#include "common.bpf.h"
#include "event.bpf.h"
#include "stack.bpf.h"

/*
 * Events are built here, then copied to the ring buffer at their size.
 * Per CPU, and a program may be preempted (a sleepable one sleeps on a
 * page fault) while another hit on the same CPU wants it: `busy` lets one
 * hit at a time use it; the other is counted as dropped, never mixed in.
 */
struct scratch {
	struct ut_event ev;
	char strs[EV_STRS_MAX];
	struct ut_stack stack;		/* --stack */
	char stack_data[UT_STACK_MAX];
	__u64 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_buf SEC(".maps");

/* --stack: the event, then its stack, as one record. */
static __always_inline void emit_with_stack(struct pt_regs *ctx, struct scratch *buf,
					    __u64 size)
{
	struct bpf_dynptr ptr;
	__u32 slen;

	slen = stack_capture(ctx, &buf->stack, buf->stack_data);
	if (size > sizeof(buf->ev) + sizeof(buf->strs) ||
	    slen > sizeof(buf->stack) + sizeof(buf->stack_data))
		return;
	buf->ev.stack_len = slen;
	if (bpf_ringbuf_reserve_dynptr(&events, size + slen, 0, &ptr)) {
		bpf_ringbuf_discard_dynptr(&ptr, 0);
		count_drop();
		return;
	}
	bpf_dynptr_write(&ptr, 0, &buf->ev, size, 0);
	bpf_dynptr_write(&ptr, size, &buf->stack, slen, 0);
	bpf_ringbuf_submit_dynptr(&ptr, wakeup_flag());
}

static __always_inline int hit(struct pt_regs *ctx, bool sleepable)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx), zero = 0;
	struct ut_site_spec *spec;
	struct scratch *buf;
	__u64 size;

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
	size = event_build(ctx, spec, site, bpf_ktime_get_ns(), &buf->ev, buf->strs,
			   sizeof(buf->strs), sleepable);
	if (cfg.stack_mode)
		emit_with_stack(ctx, buf, size);
	else if (size <= sizeof(buf->ev) + sizeof(buf->strs) &&
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
