/* SPDX-License-Identifier: MIT */
/*
 * quantile.h - a quantile from a histogram: where, inside the bucket that
 * holds it, the k-th value is put. Shared by the latency histogram
 * (hist.c) and the value histogram (vhist.c). Pure.
 */
#ifndef USDTRACE_AGG_QUANTILE_H
#define USDTRACE_AGG_QUANTILE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The @k-th (1-based) of a bucket's @c values, taken as spread evenly over
 * [@from, @to]: the part of the bucket the data can occupy (its bounds
 * narrowed by the known minimum and maximum), the first value at @from and
 * the last at @to. A bucket of one value: the known extreme it holds
 * (@from_exact: @from is the minimum; @to_exact: @to the maximum), else
 * its middle.
 */
static inline long double quantile_in_bucket(long double from, long double to, uint64_t k,
					     uint64_t c, bool from_exact, bool to_exact)
{
	if (to < from)
		to = from;
	if (c <= 1)
		return from_exact ? from : to_exact ? to : from + (to - from) / 2;
	return from + (to - from) * (long double)(k - 1) / (long double)(c - 1);
}

/* The 1-based rank of the @p-quantile of @n values: the smallest covering p. */
static inline uint64_t quantile_rank(double p, uint64_t n)
{
	uint64_t rank = (uint64_t)(p * (double)n + 0.999999);

	return rank ? rank : 1;
}

#endif /* USDTRACE_AGG_QUANTILE_H */
