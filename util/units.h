/* SPDX-License-Identifier: MIT */
/*
 * units.h - durations and sizes as people write them on a command line:
 * "250ms", "1.5s", "2m", "4k", "1MiB". Pure: unit-tested and fuzzed.
 */
#ifndef USDTRACE_UTIL_UNITS_H
#define USDTRACE_UTIL_UNITS_H

#include <stdint.h>

/*
 * A duration of @s into *@ns: a number (decimals allowed) with one of ns,
 * us, ms, s, m, h; a bare number counts @bare_ns each (1e9: seconds), or is
 * refused when @bare_ns is 0. Returns 0, -EINVAL (not a duration, or not
 * positive) or -ERANGE (over 2^63 ns).
 */
int units_duration_ns(const char *s, double bare_ns, uint64_t *ns);

/*
 * A size of @s into *@bytes: a whole number, optionally with k, m or g
 * (any case, "KiB" too): binary multiples, 4k = 4096. Returns 0, -EINVAL
 * or -ERANGE (over 2^62).
 */
int units_size(const char *s, uint64_t *bytes);

#endif /* USDTRACE_UTIL_UNITS_H */
