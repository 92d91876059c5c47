/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - the Prometheus families usdtrace serves beside each
 * command's own: the run's (dropped, filtered, sites attached, series
 * folded), calls' by lang and method, and one counter labelled lang.
 * Written to the FILE given (prom.h's format); pure.
 */
#ifndef USDTRACE_WRITER_METRICS_H
#define USDTRACE_WRITER_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What every command serves about the run itself. */
struct metrics_run {
	uint64_t dropped;	/* hits the kernel could not hand over or count */
	uint64_t filtered;	/* hits a predicate rejected */
	uint64_t sites;		/* uprobe sites attached now */
	uint64_t folded;	/* series past --max-series, in "other" */
};

void metrics_run(FILE *out, const struct metrics_run *r);

/* One row of calls' figures: a method (or a query) of a runtime. */
struct metrics_call {
	const char *method;
	uint64_t count;
	uint64_t total_ns;	/* of the timed calls */
	uint64_t untimed;	/* calls counted without an entry: not in total_ns */
};

/*
 * calls' families, labelled lang and method: usdtrace_calls_total,
 * usdtrace_call_seconds_total, usdtrace_calls_untimed_total. @rows past
 * @max_series are summed into method "other"; returns how many.
 */
uint64_t metrics_calls(FILE *out, const char *lang, const struct metrics_call *rows, size_t nr,
		       uint32_t max_series);

/* One counter family of one sample, labelled lang: "# HELP", "# TYPE", value. */
void metrics_lang_counter(FILE *out, const char *name, const char *help, const char *lang,
			  uint64_t value);
/* ... a time in nanoseconds, served in seconds. */
void metrics_lang_seconds(FILE *out, const char *name, const char *help, const char *lang,
			  uint64_t ns);

#endif /* USDTRACE_WRITER_METRICS_H */
