/* SPDX-License-Identifier: MIT */
/*
 * calls.h - calls' method rows (agg/methods.h) written: a text table
 * (METHOD CALLS TOTAL_MS [SELF_MS], "-" where no call was timed) or one
 * JSON `calls` record each. Formats to the FILE given; pure.
 */
#ifndef USDTRACE_WRITER_CALLS_H
#define USDTRACE_WRITER_CALLS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/methods.h"

struct calls_view {
	const char *lang;
	bool json;
	bool final;		/* totals; else an interval's heading and JSON ts */
	bool self;		/* --self: the exclusive time too */
	uint64_t now_ns;
	double elapsed_s;
	long top;		/* rows shown, 0: all */
};

void method_rows__write(FILE *out, const struct method_table *t, const struct calls_view *v);

#endif /* USDTRACE_WRITER_CALLS_H */
