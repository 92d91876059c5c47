/* SPDX-License-Identifier: MIT */
/*
 * flow.h - flow's records: one call or return of a method on a thread, as
 * an indented text line or a JSON `call`/`return` record. Pure.
 */
#ifndef USDTRACE_WRITER_FLOW_H
#define USDTRACE_WRITER_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct flow_line {
	uint64_t ts;		/* CLOCK_MONOTONIC ns */
	uint32_t pid, tid;
	bool call;		/* a call; else a return */
	int depth;
	const char *method;
	int64_t ns;		/* a return: the call's time, -1 when its entry was not seen */
};

/* @t0_ns: what text times are relative to. */
void flow_line__write(FILE *out, bool json, uint64_t t0_ns, const struct flow_line *l);

#endif /* USDTRACE_WRITER_FLOW_H */
