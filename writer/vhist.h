/* SPDX-License-Identifier: MIT */
/*
 * vhist.h - histograms of an argument's values (usdtrace hist): bucket
 * bounds (the inverse of ut_hist_bucket() in bpf/usdtrace.h), percentiles,
 * and the text, JSON and Prometheus renderings, written to the FILE given.
 * Pure code.
 */
#ifndef USDTRACE_VHIST_H
#define USDTRACE_VHIST_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../bpf/usdtrace.h"

struct vhist {
	uint64_t counts[UT_HIST_BUCKETS];
	struct ut_hist_stats st;
	bool is_signed;		/* the values are signed (the spec, or FMT d) */
	bool linear;
	int64_t min, max;	/* linear: [min, max) in steps of step */
	uint64_t step;
	uint32_t steps;
};

/*
 * [*lo, *hi) of bucket @b as signed or unsigned 64-bit values (per
 * h->is_signed); *no_lo / *no_hi when that side is open (below 0, below
 * MIN, at MAX and above, or past 2^63). False for a bucket that does not
 * exist.
 */
bool vhist_bounds(const struct vhist *h, uint32_t b, uint64_t *lo, uint64_t *hi, bool *no_lo,
		  bool *no_hi);
uint32_t vhist_nr_buckets(const struct vhist *h);
/* @src's counts and figures added into @dst (same bucket layout). */
void vhist_add(struct vhist *dst, const struct vhist *src);
/* The @p-quantile, interpolated in its bucket and clamped to [min, max]. */
uint64_t vhist_percentile(const struct vhist *h, double p);

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
