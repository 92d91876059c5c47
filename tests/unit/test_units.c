// SPDX-License-Identifier: MIT
/*
 * test_units.c - durations and sizes as written on a command line
 * (util/units.h): every unit, bare numbers, what is refused.
 */
#include <errno.h>
#include <string.h>

#include "../../util/units.h"
#include "test.h"

static void test_durations(struct test_stats *st)
{
	static const struct { const char *s; double bare; int err; uint64_t ns; } cases[] = {
		{ "250ms", 0, 0, 250000000 }, { "1.5s", 0, 0, 1500000000 },
		{ "2m", 0, 0, 120000000000ULL }, { "1h", 0, 0, 3600000000000ULL },
		{ "10us", 0, 0, 10000 }, { "7ns", 0, 0, 7 }, { ".5s", 0, 0, 500000000 },
		{ "2", 1e9, 0, 2000000000 }, { "0.25", 1e9, 0, 250000000 },
		{ "2", 0, -EINVAL, 0 }, { "0s", 0, -EINVAL, 0 }, { "-1s", 0, -EINVAL, 0 },
		{ "1e3ms", 0, -EINVAL, 0 }, { "0x10s", 0, -EINVAL, 0 }, { "inf", 1e9, -EINVAL, 0 },
		{ "nan", 1e9, -EINVAL, 0 }, { "5 s", 0, -EINVAL, 0 }, { "5sec", 0, -EINVAL, 0 },
		{ "0.1ns", 0, -EINVAL, 0 }, { "", 1e9, -EINVAL, 0 }, { "s", 0, -EINVAL, 0 },
		{ "99999999999h", 0, -ERANGE, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ns = 0;
		int err = units_duration_ns(cases[i].s, cases[i].bare, &ns);

		CHECK(st, err == cases[i].err && (err || ns == cases[i].ns), "duration",
		      "'%s': err %d ns %llu", cases[i].s, err, (unsigned long long)ns);
	}
}

static void test_sizes(struct test_stats *st)
{
	static const struct { const char *s; int err; uint64_t bytes; } cases[] = {
		{ "4096", 0, 4096 }, { "4k", 0, 4096 }, { "4K", 0, 4096 }, { "4KiB", 0, 4096 },
		{ "4kb", 0, 4096 }, { "1M", 0, 1 << 20 }, { "1g", 0, 1 << 30 }, { "0", 0, 0 },
		{ "4x", -EINVAL, 0 }, { "k", -EINVAL, 0 }, { "-4k", -EINVAL, 0 },
		{ "4kk", -EINVAL, 0 }, { " 4k", -EINVAL, 0 }, { "1.5M", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 }, { "5000000000g", -ERANGE, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t b = 0;
		int err = units_size(cases[i].s, &b);

		CHECK(st, err == cases[i].err && (err || b == cases[i].bytes), "size",
		      "'%s': err %d bytes %llu", cases[i].s, err, (unsigned long long)b);
	}
}

int main(void)
{
	struct test_stats st = {};

	test_durations(&st);
	test_sizes(&st);
	return st.failed ? 1 : 0;
}
