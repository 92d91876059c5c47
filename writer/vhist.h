/* SPDX-License-Identifier: MIT */
/*
 * vhist.h - histograms of an argument's values (agg/vhist.h) as text,
 * JSON and Prometheus samples, written to the FILE given. Pure code.
 */
#ifndef USDTRACE_VHIST_H
#define USDTRACE_VHIST_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/vhist.h"

/* "[lo, hi)  count |@@@@   |" rows of the non-empty range, then the figures. */
void vhist_print_text(FILE *out, const struct vhist *h);
/* "count":N,"sum":N,...,"buckets":[{"lo":N,"hi":N,"count":N},...] (no braces). */
void vhist_print_json_fields(FILE *out, const struct vhist *h);

struct prom_label;
/*
 * The Prometheus histogram samples of @h: NAME_bucket cumulative, NAME_sum,
 * NAME_count, each with labels @l[0..@nl) (@l has room for one more, le).
 * A bucket [lo, hi) of integers is le="hi - 1", exactly; the buckets from
 * the first that can hold a value up to the last one used, then +Inf.
 */
void vhist_print_prom(FILE *out, const struct vhist *h, const char *name, struct prom_label *l,
		      int nl);

#endif /* USDTRACE_VHIST_H */
