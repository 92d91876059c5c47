// SPDX-License-Identifier: MIT
/*
 * stat.c - a runtime's stat counts written (stat.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "metrics.h"
#include "stat.h"

void rt_counts__write_json(FILE *out, const struct lang_adapter *a, const struct rt_counts *c,
			   uint64_t now, bool final)
{
	bool bytes = a->alloc_size_arg >= 0;

	fprintf(out, "{\"type\":\"stat\",\"lang\":\"%s\",\"ts\":%" PRIu64 ",%s\"gc\":%"
			PRIu64 ",\"gc_ns\":%" PRIu64 ",\"allocs\":%" PRIu64 ",\"alloc_bytes\":",
		a->lang, now, final ? "" : "\"interval\":true,", c->gc, c->gc_ns, c->allocs);
	if (bytes)
		fprintf(out, "%" PRIu64, c->alloc_bytes);
	else
		fputs("null", out);
	fprintf(out, ",\"threads_started\":%" PRIu64 ",\"threads_stopped\":%" PRIu64
		",\"loaded\":%" PRIu64 ",\"exceptions\":%" PRIu64 "}\n",
		c->threads_started, c->threads_stopped, c->loaded, c->exceptions);
}

void rt_counts__write_text(FILE *out, const struct lang_adapter *a, const struct rt_counts *c,
			   bool header, const char *when)
{
	bool bytes = a->alloc_size_arg >= 0;

	if (header)
		fprintf(out, "%-9s %6s %10s %10s %12s %9s %9s %8s %6s\n", "TIME(s)", "GC",
			"GC_MS", "ALLOCS", "ALLOC_BYTES", "THREADS+", "THREADS-", "LOADED", "EXC");
	fprintf(out, "%-9s %6" PRIu64 " %10.3f %10" PRIu64, when, c->gc,
		(double)c->gc_ns / 1e6, c->allocs);
	if (bytes)
		fprintf(out, " %12" PRIu64, c->alloc_bytes);
	else
		fprintf(out, " %12s", "-");
	fprintf(out, " %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %6" PRIu64 "\n",
		c->threads_started, c->threads_stopped, c->loaded, c->exceptions);
}

void rt_counts__prom(FILE *out, const struct lang_adapter *a, const struct rt_counts *c)
{
	const char *lang = a->lang;

	metrics_lang_counter(out, "usdtrace_gc_total", "Garbage collections begun.", lang, c->gc);
	metrics_lang_seconds(out, "usdtrace_gc_seconds_total", "Time in garbage collections.",
			     lang, c->gc_ns);
	metrics_lang_counter(out, "usdtrace_allocs_total", "Allocations the runtime reported.",
			     lang, c->allocs);
	if (a->alloc_size_arg >= 0)
		metrics_lang_counter(out, "usdtrace_alloc_bytes_total", "Bytes allocated.", lang,
				     c->alloc_bytes);
	metrics_lang_counter(out, "usdtrace_threads_started_total", "Threads started.", lang,
			     c->threads_started);
	metrics_lang_counter(out, "usdtrace_threads_stopped_total", "Threads stopped.", lang,
			     c->threads_stopped);
	metrics_lang_counter(out, "usdtrace_loaded_total", "Classes, modules or files loaded.",
			     lang, c->loaded);
	metrics_lang_counter(out, "usdtrace_exceptions_total", "Exceptions thrown.", lang,
			     c->exceptions);
}

