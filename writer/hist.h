/* SPDX-License-Identifier: MIT */
/*
 * hist.h - the latency histogram (agg/hist.h) in bpftrace's text shape,
 * folded into power-of-two rows, and durations as people read them. Pure.
 */
#ifndef USDTRACE_HIST_H
#define USDTRACE_HIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/hist.h"

/* Power-of-two rows "[2K, 4K)  count |@@@@  |" of the non-empty range (ns). */
void hist_print_text(FILE *out, const struct hist *h);
/* "950ns", "12.3us", "2.09ms", "1.50s" */
void fmt_duration(uint64_t ns, char *buf, size_t size);

#endif /* USDTRACE_HIST_H */
