// SPDX-License-Identifier: MIT
/*
 * hist.c - latency histogram arithmetic (hist.h).
 */
#include "hist.h"
#include "quantile.h"

void hist_bucket_bounds(uint32_t b, uint64_t *lo, uint64_t *hi)
{
	uint32_t e = b / 4, s = b % 4;

	if (b < 4) {
		*lo = b;
		*hi = b + 1;
		return;
	}
	if (e < 2 || b >= UT_LAT_BUCKETS) {
		*lo = *hi = 0;
		return;
	}
	*lo = (uint64_t)(4 + s) << (e - 2);
	/* the last bucket's end, 2^64, does not fit */
	*hi = (e == 63 && s == 3) ? UINT64_MAX : (uint64_t)(5 + s) << (e - 2);
}

void hist_add(struct hist *h, uint32_t bucket, uint64_t count)
{
	if (bucket >= UT_LAT_BUCKETS)
		return;
	h->counts[bucket] += count;
	h->total += count;
}

uint64_t hist_percentile(const struct hist *h, double p, uint64_t min, uint64_t max)
{
	uint64_t rank, cum = 0, lo, hi, from, to, v;
	uint32_t b;

	if (!h->total)
		return 0;
	rank = quantile_rank(p, h->total);
	for (b = 0; b < UT_LAT_BUCKETS; b++) {
		uint64_t c = h->counts[b];

		if (!c || cum + c < rank) {
			cum += c;
			continue;
		}
		hist_bucket_bounds(b, &lo, &hi);
		from = lo > min ? lo : min;
		to = hi - 1 < max ? hi - 1 : max;
		v = (uint64_t)quantile_in_bucket(from, to, rank - cum, c, from == min, to == max);
		return v < min ? min : v > max ? max : v;
	}
	return max;
}
