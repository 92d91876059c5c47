// SPDX-License-Identifier: MIT
/*
 * test_agg.c - the results layer's latency pairing (the kernel's LIFO
 * rule, ut_lat_push/pop), its series and their figures, and calls' rows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../agg/latency.h"
#include "../../agg/methods.h"
#include "test.h"

static struct ut_event ev_of(uint32_t tid, uint64_t ts)
{
	struct ut_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.tid = tid;
	ev.ts = ts;
	return ev;
}

static void test_pairs(struct test_stats *st)
{
	struct site_info site = { .label = "p:b" };
	struct lat_pairs p = {};
	struct lat_open o;
	struct ut_event ev;
	int i, err, ok = 1;

	ev = ev_of(1, 100);
	lat_pairs__begin(&p, &ev, &site, 7);
	ev = ev_of(1, 200);
	lat_pairs__begin(&p, &ev, &site, 8);
	ev = ev_of(2, 150);
	lat_pairs__begin(&p, &ev, &site, 9);
	err = lat_pairs__end(&p, 1, &o);
	CHECK(st, !err && o.ev->ts == 200 && o.key == 8, "pairs: an END takes its thread's "
	      "innermost BEGIN", "%d %llu", err, err ? 0ull : (unsigned long long)o.ev->ts);
	free(o.ev);
	err = lat_pairs__end(&p, 1, &o);
	CHECK(st, !err && o.ev->ts == 100, "pairs: then the outer one", "%d", err);
	free(o.ev);
	err = lat_pairs__end(&p, 1, &o);
	CHECK(st, err == -ENOENT && lat_pairs__unmatched(&p, false) == 1,
	      "pairs: an END with none open is unmatched", "%d", err);
	err = lat_pairs__end(&p, 3, &o);
	CHECK(st, err == -ENOENT && lat_pairs__unmatched(&p, false) == 2,
	      "pairs: so on a thread never seen", "%d", err);
	for (i = 0; i < UT_LAT_DEPTH; i++) {
		ev = ev_of(4, (uint64_t)i);
		ok &= !lat_pairs__begin(&p, &ev, &site, 0);
	}
	ev = ev_of(4, 99);
	err = lat_pairs__begin(&p, &ev, &site, 0);
	CHECK(st, ok && err == -ENOSPC && lat_pairs__unmatched(&p, false) == 3,
	      "pairs: a BEGIN past UT_LAT_DEPTH is unmatched", "%d", err);
	CHECK(st, lat_pairs__unmatched(&p, true) == 3 + 1 + UT_LAT_DEPTH,
	      "pairs: at the end the BEGINs still open count too", "%llu",
	      (unsigned long long)lat_pairs__unmatched(&p, true));
	lat_pairs__free(&p);
}

static void test_series(struct test_stats *st)
{
	struct lat_table t = {};
	struct lat_series *sr;
	struct lat_figures f;
	uint64_t v;

	sr = lat_table__series(&t, 5);
	for (v = 1; v <= 100; v++)
		lat_series__add(sr, v * 1000);
	lat_series__figures(sr, &f);
	CHECK(st, f.min == 1000 && f.max == 100000 && f.mean == 50500 && sr->h.total == 100,
	      "series: min, max, mean exact", "%llu %llu %llu", (unsigned long long)f.min,
	      (unsigned long long)f.max, (unsigned long long)f.mean);
	CHECK(st, f.p50 >= 40000 && f.p50 <= 60000 && f.p99 <= f.max && f.p50 <= f.p90,
	      "series: percentiles ordered and within the data", "%llu %llu %llu",
	      (unsigned long long)f.p50, (unsigned long long)f.p90, (unsigned long long)f.p99);
	CHECK(st, lat_table__series(&t, 5) == sr && lat_table__series(&t, 6) != sr &&
	      lat_table__count(&t) == 100, "series: one per key", "nr %zu", t.nr);
	lat_table__free(&t);
}

static void test_methods(struct test_stats *st)
{
	struct method_table t = {};
	struct method_row *r;
	uint64_t n, untimed;

	r = method_table__add(&t);
	snprintf(r->name, sizeof(r->name), "b");
	r->count = 3;
	r->untimed = 3;
	r = method_table__add(&t);
	snprintf(r->name, sizeof(r->name), "a");
	r->count = 9;
	method_table__sort(&t);
	method_table__sums(&t, &n, &untimed);
	CHECK(st, !strcmp(t.rows[0].name, "a") && n == 12 && untimed == 3,
	      "methods: most called first, sums", "%s %llu", t.rows[0].name,
	      (unsigned long long)n);
	method_table__free(&t);
}

int main(void)
{
	struct test_stats st = {};

	test_pairs(&st);
	test_series(&st);
	test_methods(&st);
	return st.failed ? 1 : 0;
}
