/* SPDX-License-Identifier: MIT */
/*
 * timeline.h - Chrome Trace Event JSON (opens in the Perfetto UI and
 * chrome://tracing): trace events as instants with their arguments, flow
 * calls as complete slices nested per thread, processes and threads named
 * by metadata records. Timestamps are microseconds of CLOCK_MONOTONIC.
 *
 * Written incrementally as a JSON array, one record per line, and closed
 * with "]" when the run ends (SIGINT and SIGTERM included): the file is
 * valid JSON once usdtrace has exited, and readable by Perfetto even
 * before (the trace format allows the missing "]").
 */
#ifndef USDTRACE_TIMELINE_H
#define USDTRACE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/site.h"

struct timeline {
	FILE *f;
	bool first;
	uint64_t *named;	/* pid << 32 | tid already given a name */
	size_t nr_named;
	size_t cap_named;
};

int timeline__open(struct timeline *t, const char *path);
/* A probe hit: an instant on its thread, its arguments as "args". */
void timeline__instant(struct timeline *t, const struct ut_event *ev,
		       const struct site_info *site);
/* A call of @name on thread @tid from @ts_ns for @dur_ns. */
void timeline__slice(struct timeline *t, uint32_t pid, uint32_t tid, const char *comm,
		     const char *name, uint64_t ts_ns, uint64_t dur_ns);
/* A BEGIN..END pair as a slice named by BEGIN, with both events' args. */
void timeline__pair(struct timeline *t, const struct ut_event *begin,
		    const struct site_info *begin_site, const struct ut_event *end,
		    const struct site_info *end_site);
/* Writes the closing "]"; returns 0 or -EIO. Accepts a never opened one. */
int timeline__close(struct timeline *t);

#endif /* USDTRACE_TIMELINE_H */
