// SPDX-License-Identifier: MIT
/*
 * hist.c - latency histogram arithmetic and rendering (see hist.h).
 */
#include <string.h>

#include "hist.h"

#define BAR_WIDTH 40

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
	uint64_t rank, cum = 0, lo, hi, v;
	uint32_t b;

	if (!h->total)
		return 0;
	rank = (uint64_t)(p * (double)h->total + 0.999999);
	if (rank < 1)
		rank = 1;
	for (b = 0; b < UT_LAT_BUCKETS; b++) {
		uint64_t c = h->counts[b];

		if (!c || cum + c < rank) {
			cum += c;
			continue;
		}
		hist_bucket_bounds(b, &lo, &hi);
		v = lo + (uint64_t)((double)(hi - lo) * (double)(rank - cum) / (double)c);
		return v < min ? min : v > max ? max : v;
	}
	return max;
}

/* Row of power of two 2^r holding bucket @b; row 0 also holds value 0. */
static uint32_t row_of(uint32_t b)
{
	if (b < 2)
		return 0;
	if (b < 4)
		return 1;
	return b / 4;
}

static void fmt_pow2(unsigned int r, char *buf, size_t size)
{
	static const char suffix[] = { '\0', 'K', 'M', 'G', 'T', 'P', 'E' };
	unsigned int k = r / 10;

	if (r >= 64)
		snprintf(buf, size, "inf");
	else
		snprintf(buf, size, "%llu%.1s", 1ULL << (r - 10 * k), k ? &suffix[k] : "");
}

void hist_print_text(FILE *out, const struct hist *h)
{
	uint64_t rows[65] = {}, peak = 0;
	uint32_t b, r, first = 64, last = 0;
	char lo[16], hi[16], bar[BAR_WIDTH + 1];

	for (b = 0; b < UT_LAT_BUCKETS; b++) {
		if (!h->counts[b])
			continue;
		r = row_of(b);
		rows[r] += h->counts[b];
		first = r < first ? r : first;
		last = r > last ? r : last;
	}
	for (r = first; r <= last && r < 64; r++)
		peak = rows[r] > peak ? rows[r] : peak;
	for (r = first; r <= last && r < 64; r++) {
		size_t n = peak ? (size_t)(rows[r] * BAR_WIDTH / peak) : 0;

		memset(bar, '@', n);
		bar[n] = '\0';
		fmt_pow2(r, lo, sizeof(lo));
		fmt_pow2(r + 1, hi, sizeof(hi));
		if (r == 0)
			snprintf(lo, sizeof(lo), "0");
		fprintf(out, "[%s, %s)%*s %8llu |%-*s|\n", lo, hi,
			(int)(14 - strlen(lo) - strlen(hi)), "", (unsigned long long)rows[r],
			BAR_WIDTH, bar);
	}
}

void fmt_duration(uint64_t ns, char *buf, size_t size)
{
	if (ns < 1000)
		snprintf(buf, size, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.3gus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.3gms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.3gs", (double)ns / 1e9);
}
