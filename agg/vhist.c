// SPDX-License-Identifier: MIT
/*
 * vhist.c - value histograms: bucket bounds, merging, percentiles
 * (vhist.h).
 */
#include "quantile.h"
#include "vhist.h"

uint32_t vhist_nr_buckets(const struct vhist *h)
{
	return h->linear ? h->steps + 2 : UT_HIST_LOG2_BUCKETS;
}

bool vhist_bounds(const struct vhist *h, uint32_t b, uint64_t *lo, uint64_t *hi, bool *no_lo,
		  bool *no_hi)
{
	*no_lo = *no_hi = false;
	*lo = *hi = 0;
	if (b >= vhist_nr_buckets(h))
		return false;
	if (!h->linear) {
		if (b == 0) {
			*no_lo = true;		/* the negatives: (.., 0) */
			return true;
		}
		if (b == 1) {
			*hi = 1;
			return true;
		}
		*lo = 1ull << (b - 2);
		if (b - 2 == 63 || (h->is_signed && b - 2 == 62))
			*no_hi = true;		/* 2^64, or 2^63 signed, does not fit */
		else
			*hi = 1ull << (b - 1);
		return true;
	}
	if (b == 0) {
		*no_lo = true;
		*hi = (uint64_t)h->min;
		return true;
	}
	if (b == h->steps + 1) {
		*lo = (uint64_t)h->max;
		*no_hi = true;
		return true;
	}
	*lo = (uint64_t)h->min + (uint64_t)(b - 1) * h->step;
	*hi = *lo + h->step;
	if (!ut_hist_lt(*lo, *hi, h->is_signed) || !ut_hist_lt(*hi, (uint64_t)h->max, h->is_signed))
		*hi = (uint64_t)h->max;		/* the last step ends at MAX */
	return true;
}

long double vhist_value(const struct vhist *h, uint64_t v)
{
	return h->is_signed ? (long double)(int64_t)v : (long double)v;
}

uint64_t vhist_percentile(const struct vhist *h, double p)
{
	long double v, from, to, min = vhist_value(h, h->st.min), max = vhist_value(h, h->st.max);
	uint64_t rank, cum = 0, lo, hi, c;
	bool no_lo, no_hi;
	uint32_t b, n = vhist_nr_buckets(h);

	if (!h->st.count)
		return 0;
	rank = quantile_rank(p, h->st.count);
	for (b = 0; b < n; b++) {
		c = h->counts[b];
		if (!c || cum + c < rank) {
			cum += c;
			continue;
		}
		vhist_bounds(h, b, &lo, &hi, &no_lo, &no_hi);
		/* [lo, hi) of integers, narrowed by the exact extremes */
		from = no_lo || vhist_value(h, lo) < min ? min : vhist_value(h, lo);
		to = no_hi || vhist_value(h, hi) - 1 > max ? max : vhist_value(h, hi) - 1;
		v = quantile_in_bucket(from, to, rank - cum, c, from == min, to == max);
		if (v < min)
			return h->st.min;
		if (v > max)
			return h->st.max;
		return h->is_signed ? (uint64_t)(int64_t)v : (uint64_t)v;
	}
	return h->st.max;
}

void vhist_add(struct vhist *dst, const struct vhist *src)
{
	const struct ut_hist_stats *a = &src->st;
	struct ut_hist_stats *m = &dst->st;
	bool sgn = src->is_signed;
	uint32_t b;

	for (b = 0; b < UT_HIST_BUCKETS; b++)
		dst->counts[b] += src->counts[b];
	if (!a->count)
		return;
	if (!m->count || ut_hist_lt(a->min, m->min, sgn))
		m->min = a->min;
	if (!m->count || ut_hist_lt(m->max, a->max, sgn))
		m->max = a->max;
	m->count += a->count;
	m->sum += a->sum;
	dst->is_signed = sgn;
}
