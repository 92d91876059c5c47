/* SPDX-License-Identifier: MIT */
/*
 * latency.h - latency's series (agg/latency.h) written: the histogram and
 * its figures as text, a JSON `latency` record, or the Prometheus family
 * usdtrace_latency_seconds with usdtrace_unmatched_total. Pure.
 */
#ifndef USDTRACE_WRITER_LATENCY_H
#define USDTRACE_WRITER_LATENCY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/latency.h"

/* What every series of one run is written with. */
struct lat_view {
	const char *begin;	/* "provider:name" */
	const char *end;
	bool keyed;		/* --key argN */
	bool str_key;		/* ... by a string's content */
	int key_arg;
	bool json;
	bool final;		/* totals; else an interval's heading and JSON ts */
	uint64_t now_ns;
	double elapsed_s;
};

void lat_series__write(FILE *out, const struct lat_series *sr, uint64_t unmatched,
		       const struct lat_view *v);
/* Text of a keyed run: the run's unmatched pairs, once, after its keys. */
void lat_unmatched__write(FILE *out, uint64_t unmatched, const struct lat_view *v);
void lat_table__prom(FILE *out, const struct lat_table *t, uint64_t unmatched,
		     const struct lat_view *v);

#endif /* USDTRACE_WRITER_LATENCY_H */
