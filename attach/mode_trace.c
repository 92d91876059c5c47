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

/* Its program (and what else the session takes from its skeleton). */
static void trace_setup(struct mode_skel *ms, struct trace_bpf *sk)
{
	ms->prog = sk->progs.usdt_hit;
	ms->prog_str = sk->progs.usdt_hit_s;
}

MODE_SKEL_OPS(trace, trace_setup)

const struct session_mode session_mode_trace = {
	.name = "trace",
	.source = MODE_SOURCE_UPROBES,
	.open = trace_open,
	.destroy = trace_destroy,
};
