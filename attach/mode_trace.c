// SPDX-License-Identifier: MIT
/*
 * mode_trace.c - the trace mode: one ring-buffer event per hit
 * (bpf/trace.bpf.c). Its results are the events attach_session__poll()
 * hands over; it needs no site roles and no map of its own to read. Sites
 * with string arguments run the sleepable usdt_hit_s, which can fault in
 * a string's page.
 */
#include "mode.h"
/* after the shared structs its .rodata uses */
#include "trace.skel.h"

const struct session_mode session_mode_trace = {
	.name = "trace",
	.elf_bytes = trace_bpf__elf_bytes,
	.prog = "usdt_hit",
	.prog_str = "usdt_hit_s",
};
