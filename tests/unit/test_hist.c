// SPDX-License-Identifier: MIT
/*
 * test_hist.c - the latency and value histograms: every value lands in a
 * bucket that holds it, buckets are at most 25% wide, percentiles (exact
 * where the data are spread evenly) and rendering.
 */
#include <stdlib.h>
#include <string.h>

#include "../../agg/vhist.h"
#include "../../writer/hist.h"
#include "test.h"

static void test_buckets(struct test_stats *st)
{
	uint64_t v, lo, hi;
	int bad = 0, wide = 0, i;

	/* every value up to 2^20, then a sweep of larger ones to 2^64 */
	for (v = 0; v < (1u << 20); v++) {
		hist_bucket_bounds(ut_lat_bucket(v), &lo, &hi);
		bad += !(lo <= v && v < hi);
		wide += v >= 4 && (double)(hi - lo) > 0.25 * (double)lo;
	}
	for (i = 20; i < 64; i++) {
		uint64_t base = 1ULL << i, probe[] = { base, base + base / 3, base * 2 - 1 };
		size_t k;

		for (k = 0; k < 3; k++) {
			v = probe[k];
			hist_bucket_bounds(ut_lat_bucket(v), &lo, &hi);
			bad += !(lo <= v && (v < hi || hi == UINT64_MAX));
			wide += (double)(hi - lo) > 0.25 * (double)lo;
		}
	}
	CHECK(st, !bad, "hist every value inside its bucket", "%d misplaced", bad);
	CHECK(st, !wide, "hist buckets at most 25% wide", "%d too wide", wide);
	CHECK(st, ut_lat_bucket(UINT64_MAX) < UT_LAT_BUCKETS, "hist largest value fits",
	      "bucket %u", ut_lat_bucket(UINT64_MAX));
	/* 1 us .. 100 s are all distinct, well-formed buckets */
	CHECK(st, ut_lat_bucket(1000) < ut_lat_bucket(100000000000ULL) &&
	      ut_lat_bucket(100000000000ULL) < UT_LAT_BUCKETS, "hist covers 1us..100s", "no");
}

static void test_percentiles(struct test_stats *st)
{
	struct hist h = {};
	uint64_t p50, p90, p99, v;

	/* 1000 values uniformly from 2.0 ms to 2.999 ms */
	for (v = 0; v < 1000; v++)
		hist_add(&h, ut_lat_bucket(2000000 + v * 1000), 1);
	p50 = hist_percentile(&h, 0.50, 2000000, 2999000);
	p90 = hist_percentile(&h, 0.90, 2000000, 2999000);
	p99 = hist_percentile(&h, 0.99, 2000000, 2999000);
	CHECK(st, h.total == 1000, "hist total", "%llu", (unsigned long long)h.total);
	CHECK(st, p50 >= 2000000 * 1.0 && p50 <= 2500000 * 1.25 && p50 <= p90 && p90 <= p99 &&
	      p99 <= 2999000, "hist percentiles ordered and in range",
	      "p50 %llu p90 %llu p99 %llu", (unsigned long long)p50, (unsigned long long)p90,
	      (unsigned long long)p99);
	CHECK(st, p50 > 2499500 * 0.97 && p50 < 2499500 * 1.03 && p90 > 2899000 * 0.97 &&
	      p90 < 2899000 * 1.03 && p99 > 2989000 * 0.99 && p99 <= 2999000,
	      "hist p50, p90, p99 within 3% of the truth", "p50 %llu p90 %llu p99 %llu",
	      (unsigned long long)p50, (unsigned long long)p90, (unsigned long long)p99);
	/* 2.03 ms to 2.05 ms: no percentile below the minimum's neighbourhood */
	memset(&h, 0, sizeof(h));
	for (v = 0; v < 21; v++)
		hist_add(&h, ut_lat_bucket(2030000 + v * 1000), 1);
	p50 = hist_percentile(&h, 0.50, 2030000, 2050000);
	CHECK(st, p50 >= 2035000 && p50 <= 2045000, "hist p50 inside the data, not at its edge",
	      "p50 %llu", (unsigned long long)p50);
	memset(&h, 0, sizeof(h));
	CHECK(st, hist_percentile(&h, 0.5, 0, 0) == 0, "hist empty percentile", "non-zero");
	hist_add(&h, ut_lat_bucket(5000), 1);
	CHECK(st, hist_percentile(&h, 0.99, 5000, 5000) == 5000,
	      "hist single value clamps to min/max", "wrong");
}

/* hist sample:loop arg0 over 0..99: percentiles are the true ones. */
static void test_vhist_percentiles(struct test_stats *st)
{
	struct vhist h = { .st = { .min = 0, .max = 99 } };
	uint64_t v, p50, p90, p99;

	for (v = 0; v < 100; v++) {
		h.counts[ut_hist_bucket(v, 0, 0, 0, 0, 0, 0)]++;
		h.st.count++;
		h.st.sum += v;
	}
	p50 = vhist_percentile(&h, 0.50);
	p90 = vhist_percentile(&h, 0.90);
	p99 = vhist_percentile(&h, 0.99);
	CHECK(st, p50 == 49 && p90 == 89 && p99 == 98,
	      "value hist over 0..99: p50 49, p90 89, p99 98", "p50 %llu p90 %llu p99 %llu",
	      (unsigned long long)p50, (unsigned long long)p90, (unsigned long long)p99);
	memset(&h, 0, sizeof(h));
	h.is_signed = true;
	h.st.min = (uint64_t)-7;
	h.st.max = (uint64_t)-7;
	h.st.count = 1;
	h.counts[0] = 1;
	CHECK(st, vhist_percentile(&h, 0.5) == (uint64_t)-7, "value hist: one negative value",
	      "%lld", (long long)vhist_percentile(&h, 0.5));
}

static void test_render(struct test_stats *st)
{
	struct hist h = {};
	char *text = NULL, buf[32];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	hist_add(&h, ut_lat_bucket(3000000), 292);	/* [2^21, 2^22) ns */
	hist_add(&h, ut_lat_bucket(1500000), 4);	/* [2^20, 2^21) */
	hist_add(&h, ut_lat_bucket(5000000), 4);	/* [2^22, 2^23) */
	hist_print_text(f, &h);
	fclose(f);
	CHECK(st, strstr(text, "[1.05ms, 2.1ms)") && strstr(text, "[2.1ms, 4.19ms)") &&
	      strstr(text, "[4.19ms, 8.39ms)") && strstr(text, " 292 |@@@@") &&
	      !strstr(text, "[8.39ms"),
	      "hist text rows folded to powers of two, labelled in the summary's units", "%s",
	      text);
	free(text);
	fmt_duration(2090000, buf, sizeof(buf));
	CHECK(st, !strcmp(buf, "2.09ms"), "duration ms", "%s", buf);
	fmt_duration(950, buf, sizeof(buf));
	CHECK(st, !strcmp(buf, "950ns"), "duration ns", "%s", buf);
	fmt_duration(1500000000, buf, sizeof(buf));
	CHECK(st, !strcmp(buf, "1.5s"), "duration s", "%s", buf);
}

int main(void)
{
	struct test_stats st = {};

	test_buckets(&st);
	test_percentiles(&st);
	test_vhist_percentiles(&st);
	test_render(&st);
	return st.failed ? 1 : 0;
}
