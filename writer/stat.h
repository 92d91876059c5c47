/* SPDX-License-Identifier: MIT */
/*
 * stat.h - a runtime's stat counts (lang-adapters/rt_stat.h) written: a
 * JSON `stat` record, a text row, or Prometheus counters labelled lang.
 * Formats to the FILE given; pure.
 */
#ifndef USDTRACE_WRITER_STAT_H
#define USDTRACE_WRITER_STAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../lang-adapters/rt_stat.h"

/* One `stat` record: an interval's counts (@final: the totals) at @now. */
void rt_counts__write_json(FILE *out, const struct lang_adapter *a, const struct rt_counts *c,
			   uint64_t now, bool final);
/* One text row headed @when ("1.000", "total"), the column header first if @header. */
void rt_counts__write_text(FILE *out, const struct lang_adapter *a, const struct rt_counts *c,
			   bool header, const char *when);
/* The usdtrace_gc_total, ... families of the totals @c. */
void rt_counts__prom(FILE *out, const struct lang_adapter *a, const struct rt_counts *c);

#endif /* USDTRACE_WRITER_STAT_H */
