// SPDX-License-Identifier: MIT
/*
 * fuzz_units.c - libFuzzer target for durations and sizes (util/units.h):
 * any bytes as a string, parsed both ways; what is accepted must be in
 * range (a duration positive and under 2^63 ns, a size at most 2^62) and
 * parse again to the same value when written back in its smallest unit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), back[32];
	uint64_t v, again;
	int err;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err = units_duration_ns(s, size % 2 ? 1e9 : 0, &v);
	if (err && err != -EINVAL && err != -ERANGE)
		abort();
	if (!err) {
		if (!v || v > (1ULL << 63))
			abort();
		snprintf(back, sizeof(back), "%" PRIu64 "ns", v);
		if (units_duration_ns(back, 0, &again) || again != v)
			abort();
	}
	err = units_size(s, &v);
	if (err && err != -EINVAL && err != -ERANGE)
		abort();
	if (!err) {
		if (v > (1ULL << 62))
			abort();
		snprintf(back, sizeof(back), "%" PRIu64, v);
		if (units_size(back, &again) || again != v)
			abort();
	}
	free(s);
	return 0;
}
