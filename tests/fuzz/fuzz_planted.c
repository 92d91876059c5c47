// SPDX-License-Identifier: MIT
/*
 * fuzz_planted.c - a fuzz target with a bug planted on purpose, for
 * tests/integration/test_fuzz.py only (never in FUZZERS): it aborts on the
 * input "plant", so that `make fuzz` must fail, naming and keeping it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 5 && !memcmp(data, "plant", 5))
		abort();
	return 0;
}
