// SPDX-License-Identifier: MIT
/*
 * fuzz_jvm.c - libFuzzer target for what the Java frame reader decodes
 * from a JVM's memory (lang-adapters/jvmstream.c): any bytes as a line
 * number table and as scopes data. A line is never negative; a scope chain
 * walked from any offset ends (each sender before its callee), every
 * answer inside the data.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../lang-adapters/jvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t off, sender, idx;
	int bci, hops;

	if (jvm_line_of(data, size, size ? data[0] : 0) < 0 || jvm_line_of(data, size, 70000) < 0)
		abort();
	for (off = 0; off < size && off < 64; off++) {
		uint32_t at = off;

		for (hops = 0; !jvm_scope_at(data, size, at, &sender, &idx, &bci); hops++) {
			if (sender >= at || bci < -1 || bci > 65535 || hops > (int)size)
				abort();
			if (!sender)
				break;
			at = sender;
		}
	}
	return 0;
}
