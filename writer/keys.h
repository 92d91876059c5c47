/* SPDX-License-Identifier: MIT */
/*
 * keys.h - keyed rows written (agg/keytab.h): a key's parts as text, JSON
 * fields or Prometheus label values, and count's table of rows: text
 * columns aligned, one JSON `count` record per row, or the
 * usdtrace_probe_hits_total samples. Formats to the FILE given; pure.
 */
#ifndef USDTRACE_WRITER_KEYS_H
#define USDTRACE_WRITER_KEYS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/keytab.h"

/*
 * The key's fields after the probe: JSON ',"pid":12,"arg0":"x"' (with
 * "truncated"), or text ' pid=12 arg0="x"'; the site's first when the
 * layout is per site.
 */
void keys_write_fields(FILE *out, const struct key_layout *l, const struct site_info *si,
		       const uint8_t *key, bool json);
/*
 * Part @k of @key as a plain label value in @buf (a string as it is, a
 * number as text, "<fault>"), its name ("arg1", "pid") in @name.
 */
const char *keys_label(const struct key_layout *l, const struct site_info *si,
		       const uint8_t *key, int k, char *buf, size_t size, char *name, size_t nsize);

/* How count's table is written this time. */
struct count_table_view {
	bool json;
	bool final;		/* totals; else the interval's counts (total - prev) */
	uint64_t now_ns;	/* an interval's JSON ts */
	double elapsed_s;	/* an interval's text heading */
	long top;		/* rows shown, 0: all */
	uint64_t overflow;	/* hits past --max-keys, in no row */
};

/* The rows of @t (sorted already) as count's text table or JSON records. */
void count_table__write(FILE *out, const struct keytab *t, const struct count_table_view *v);

#define COUNT_HITS_METRIC	"usdtrace_probe_hits_total"
/*
 * The usdtrace_probe_hits_total samples of @t's rows (family header
 * included), labelled probe and each key part; rows past @max_series and
 * @overflow summed into one series labelled "other". Returns the rows
 * folded into it.
 */
uint64_t count_table__prom(FILE *out, const struct keytab *t, uint32_t max_series,
			   uint64_t overflow);

#endif /* USDTRACE_WRITER_KEYS_H */
