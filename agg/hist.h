/* SPDX-License-Identifier: MIT */
/*
 * hist.h - the latency histogram of the results layer: the kernel's
 * log-linear buckets summed, their bounds (the inverse of ut_lat_bucket()
 * in bpf/usdtrace.h) and percentiles. Pure; writer/hist.h prints it.
 */
#ifndef USDTRACE_AGG_HIST_H
#define USDTRACE_AGG_HIST_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/usdtrace.h"

struct hist {
	uint64_t counts[UT_LAT_BUCKETS];
	uint64_t total;
};

/* [*lo, *hi) of bucket @b; an unused bucket gets lo == hi. */
void hist_bucket_bounds(uint32_t b, uint64_t *lo, uint64_t *hi);
void hist_add(struct hist *h, uint32_t bucket, uint64_t count);
/*
 * The @p-quantile (0 < p <= 1): the bucket holding it, and in it the
 * place of its rank with the bucket's values spread evenly over the part
 * of it that [@min, @max], the exact extremes, leave (quantile.h). 0 for
 * an empty histogram.
 */
uint64_t hist_percentile(const struct hist *h, double p, uint64_t min, uint64_t max);

#endif /* USDTRACE_AGG_HIST_H */
