// SPDX-License-Identifier: MIT
/*
 * metrics.c - usdtrace's own Prometheus families (metrics.h).
 */
#include <stddef.h>

#include "metrics.h"
#include "prom.h"

void metrics_run(FILE *out, const struct metrics_run *r)
{
	prom_family(out, "usdtrace_events_dropped_total", "counter",
		    "Hits the kernel could not hand over or count.");
	prom_sample(out, "usdtrace_events_dropped_total", NULL, 0, r->dropped);
	prom_family(out, "usdtrace_filtered_total", "counter",
		    "Hits a predicate rejected.");
	prom_sample(out, "usdtrace_filtered_total", NULL, 0, r->filtered);
	prom_family(out, "usdtrace_sites_attached", "gauge", "Uprobe sites attached now.");
	prom_sample(out, "usdtrace_sites_attached", NULL, 0, r->sites);
	prom_family(out, "usdtrace_series_other", "gauge",
		    "Series past --max-series, summed into the series labelled other.");
	prom_sample(out, "usdtrace_series_other", NULL, 0, r->folded);
}

/* The rows' figures summed past @max_series, in @other. */
static uint64_t fold_calls(const struct metrics_call *rows, size_t nr, uint32_t max_series,
			   struct metrics_call *other)
{
	size_t i;

	*other = (struct metrics_call){ .method = "other" };
	for (i = max_series; i < nr; i++) {
		other->count += rows[i].count;
		other->total_ns += rows[i].total_ns;
		other->untimed += rows[i].untimed;
	}
	return nr > max_series ? nr - max_series : 0;
}

uint64_t metrics_calls(FILE *out, const char *lang, const struct metrics_call *rows, size_t nr,
		       uint32_t max_series)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
		{ "usdtrace_calls_total", "Calls of each method (or query), counted at return." },
		{ "usdtrace_call_seconds_total", "Inclusive time of the timed calls, seconds." },
		{ "usdtrace_calls_untimed_total", "Calls without an entry probe: counted, not "
		  "timed." },
	};
	struct metrics_call other;
	uint64_t folded = fold_calls(rows, nr, max_series, &other);
	size_t n = nr < max_series ? nr : max_series, i, f;
	struct prom_label l[2] = { { "lang", lang }, { "method", NULL } };
	const struct metrics_call *r;

	for (f = 0; f < 3; f++) {
		prom_family(out, fam[f].name, "counter", fam[f].help);
		for (i = 0; i <= n; i++) {
			r = i < n ? &rows[i] : &other;
			if (i == n && !folded)
				break;
			l[1].value = r->method;
			if (f == 0)
				prom_sample(out, fam[f].name, l, 2, r->count);
			else if (f == 1)
				prom_sample_f(out, fam[f].name, l, 2, (double)r->total_ns / 1e9);
			else
				prom_sample(out, fam[f].name, l, 2, r->untimed);
		}
	}
	return folded;
}

void metrics_lang_counter(FILE *out, const char *name, const char *help, const char *lang,
			  uint64_t value)
{
	struct prom_label l = { "lang", lang };

	prom_family(out, name, "counter", help);
	prom_sample(out, name, &l, 1, value);
}

void metrics_lang_seconds(FILE *out, const char *name, const char *help, const char *lang,
			  uint64_t ns)
{
	struct prom_label l = { "lang", lang };

	prom_family(out, name, "counter", help);
	prom_sample_f(out, name, &l, 1, (double)ns / 1e9);
}
