// SPDX-License-Identifier: MIT
/*
 * fuzz_perfmap.c - libFuzzer target for the perf map parser
 * (stack/perfmap.h): /tmp/perf-PID.map is written by any user, so any
 * bytes. What parses is sorted, and every entry is found again by a
 * lookup of its own start.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../stack/perfmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfmap m = {};
	uint64_t off;
	size_t i;

	if (perfmap__parse((const char *)data, size, &m))
		return 0;
	for (i = 0; i < m.nr; i++) {
		if (!m.entries[i].name)
			abort();
		if (i && m.entries[i].start < m.entries[i - 1].start)
			abort();
		if (m.entries[i].size &&
		    !perfmap__lookup(&m, m.entries[i].start, &off))
			abort();
	}
	(void)perfmap__lookup(&m, 0, &off);
	(void)perfmap__lookup(&m, UINT64_MAX, &off);
	perfmap__free(&m);
	return 0;
}
