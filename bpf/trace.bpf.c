// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * trace.bpf.c - the trace mode: one ring-buffer event per hit, with the
 * arguments fetched as the site's spec says and strings copied when asked.
 */
#include "common.bpf.h"

/* Events are built here, then copied to the ring buffer at their size. */
struct scratch {
	struct ut_event ev;
	char strs[UT_MAX_ARGS * UT_STR_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_buf SEC(".maps");

SEC("uprobe")
int usdt_hit(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx), zero = 0;
	struct ut_site_spec *spec;
	struct scratch *buf;
	struct ut_event *ev;
	__u64 id, size;
	__u16 nstr = 0;
	int i;

	if (!wanted())
		return 0;
	spec = bpf_map_lookup_elem(&site_specs, &site);
	buf = bpf_map_lookup_elem(&scratch_buf, &zero);
	if (!spec || !buf)
		return 0;
	ev = &buf->ev;
	id = bpf_get_current_pid_tgid();
	ev->ts = bpf_ktime_get_ns();
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->site_id = site;
	ev->kind = UT_EV_PROBE;
	ev->str_len = cfg.str_len;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));

	for (i = 0; i < UT_MAX_ARGS; i++) {
		if (i >= spec->nr_args)
			break;
		ev->args[i] = fetch_arg(ctx, &spec->args[i]);
	}
	/* strings second: a string's length may be a later argument */
	for (i = 0; i < UT_MAX_ARGS; i++) {
		const struct ut_arg_spec *a = &spec->args[i];
		__u64 off;

		if (i >= spec->nr_args)
			break;
		if (!(a->flags & UT_ARG_STR))
			continue;
		off = (__u64)nstr * cfg.str_len;
		if (off > (UT_MAX_ARGS - 1) * UT_STR_MAX || cfg.str_len > UT_STR_MAX)
			break;
		read_str(buf->strs + off, cfg.str_len, a, ev->args[i], ev->args);
		nstr++;
	}
	ev->nr_strs = nstr;
	size = sizeof(*ev) + (__u64)nstr * cfg.str_len;
	if (size > sizeof(*buf))
		return 0;
	if (bpf_ringbuf_output(&events, buf, size, wakeup_flag()))
		count_drop();
	return 0;
}

