/* SPDX-License-Identifier: MIT */
/*
 * rt_stat.h - what a language runtime's probes add up to (stat -l LANG):
 * GC runs and GC time (each begin paired with its end per thread),
 * allocations and their bytes where the runtime gives them, threads
 * started and stopped, classes, modules or files loaded, exceptions.
 * Fed one hit at a time as plain values; pure, no I/O (writer/stat.h
 * prints the counts).
 */
#ifndef USDTRACE_LANG_RT_STAT_H
#define USDTRACE_LANG_RT_STAT_H

#include <stdint.h>

#include "lang.h"

#define RT_GC_THREADS	64	/* GC begins waiting for their end */

/* The events a runtime's stat needs (1 << enum lang_event). */
#define RT_STAT_EVENTS	((1u << LANG_GC_BEGIN) | (1u << LANG_GC_END) | (1u << LANG_ALLOC) |	\
			 (1u << LANG_THREAD_START) | (1u << LANG_THREAD_STOP) |		\
			 (1u << LANG_LOAD) | (1u << LANG_EXCEPTION))

struct rt_counts {
	uint64_t gc;
	uint64_t gc_ns;
	uint64_t allocs;
	uint64_t alloc_bytes;
	uint64_t threads_started;
	uint64_t threads_stopped;
	uint64_t loaded;
	uint64_t exceptions;
};

struct rt_stat {
	const struct lang_adapter *a;
	struct rt_counts total;
	struct rt_counts prev;		/* total at the last interval */
	struct {
		uint32_t tid;
		uint64_t ts;
	} gc_open[RT_GC_THREADS];
};

void rt_stat__init(struct rt_stat *st, const struct lang_adapter *a);
/* One hit of a probe meaning @event on thread @tid at @ts, its arguments @args. */
void rt_stat__hit(struct rt_stat *st, enum lang_event event, uint32_t tid, uint64_t ts,
		  const uint64_t *args, int nr_args);
/* The counts since the last interval into @out, and a new interval begins. */
void rt_stat__interval(struct rt_stat *st, struct rt_counts *out);

#endif /* USDTRACE_LANG_RT_STAT_H */
