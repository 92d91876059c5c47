/* SPDX-License-Identifier: MIT */
/*
 * vhist.h - histograms of an argument's values (usdtrace hist) in the
 * results layer: the kernel's buckets (powers of two or linear) summed,
 * bucket bounds (the inverse of ut_hist_bucket() in bpf/usdtrace.h),
 * merging, percentiles. Pure; writer/vhist.h prints them.
 */
#ifndef USDTRACE_AGG_VHIST_H
#define USDTRACE_AGG_VHIST_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>

#include "../bpf/usdtrace.h"
#include "keytab.h"

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
/* Value @v as a number, signed or not as the histogram's values are. */
long double vhist_value(const struct vhist *h, uint64_t v);
/* @src's counts and figures added into @dst (same bucket layout). */
void vhist_add(struct vhist *dst, const struct vhist *src);
/* The @p-quantile, interpolated in its bucket and clamped to [min, max]. */
uint64_t vhist_percentile(const struct vhist *h, double p);

/* hist --by: one histogram per key (merged over the sites of a probe), a keytab row. */
struct vhist_row {
	struct keytab_row head;
	struct vhist h;
};

#endif /* USDTRACE_AGG_VHIST_H */
