// SPDX-License-Identifier: MIT
/*
 * mode_trace.c - the trace mode: one ring-buffer event per hit
 * (bpf/trace.bpf.c). Its results are the events attach_session__poll()
 * hands over; it needs no site roles and no map of its own to read. Sites
 * with string arguments run the sleepable usdt_hit_s, which can fault in
 * a string's page.
 */
#include <errno.h>

#include "mode.h"
/* after the shared structs its .rodata uses */
#include "trace.skel.h"

static int trace_open(struct mode_skel *ms, const struct bpf_object_open_opts *oo)
{
	struct trace_bpf *sk = trace_bpf__open_opts(oo);

	if (!sk)
		return -errno;
	MODE_SKEL_COMMON(ms, sk);
	ms->prog = sk->progs.usdt_hit;
	ms->prog_str = sk->progs.usdt_hit_s;
	return 0;
}

static void trace_destroy(void *skel)
{
	trace_bpf__destroy(skel);
}

const struct session_mode session_mode_trace = {
	.name = "trace",
	.source = MODE_SOURCE_UPROBES,
	.open = trace_open,
	.destroy = trace_destroy,
};
