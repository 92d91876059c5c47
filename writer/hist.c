// SPDX-License-Identifier: MIT
/*
 * hist.c - the latency histogram rendered as text (see hist.h).
 */
#include <string.h>

#include "hist.h"

#define BAR_WIDTH 40

/* Row of power of two 2^r holding bucket @b; row 0 also holds value 0. */
static uint32_t row_of(uint32_t b)
{
	if (b < 2)
		return 0;
	if (b < 4)
		return 1;
	return b / 4;
}

/* 2^@r ns as a duration in decimal units, as the summary line has them. */
static void fmt_pow2(unsigned int r, char *buf, size_t size)
{
	if (r >= 64)
		snprintf(buf, size, "inf");
	else
		fmt_duration(1ULL << r, buf, size);
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
			(int)(18 - strlen(lo) - strlen(hi)), "", (unsigned long long)rows[r],
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
