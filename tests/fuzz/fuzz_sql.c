// SPDX-License-Identifier: MIT
/*
 * fuzz_sql.c - libFuzzer target for the SQL normalizer: any bytes, into a
 * buffer of the size normalize.h promises is enough (so -ENOSPC is a bug),
 * and into a tiny one (so a cut must stay in bounds and terminated); its
 * canonical key (len + 1 bytes must suffice, and be no longer), the trim
 * and the utility test on the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../sql/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = 3 * size + 16;
	char *out = malloc(cap), tiny[8];
	int n;

	if (!out)
		return 0;
	n = sql_normalize((const char *)data, size, out, cap);
	if (n < 0 || (size_t)n >= cap || strlen(out) != (size_t)n)
		abort();
	n = sql_normalize((const char *)data, size, tiny, sizeof(tiny));
	if (strlen(tiny) >= sizeof(tiny) || (n >= 0 && (size_t)n != strlen(tiny)))
		abort();
	n = sql_canonical((const char *)data, size, out, size + 1);
	if (n < 0 || (size_t)n > size || strlen(out) != (size_t)n)
		abort();
	{
		size_t at, len = sql_trim((const char *)data, size, &at);

		if (at + len > size)
			abort();
	}
	(void)sql_is_utility((const char *)data, size);
	free(out);
	return 0;
}
