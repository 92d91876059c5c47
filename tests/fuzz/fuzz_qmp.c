// SPDX-License-Identifier: MIT
/*
 * fuzz_qmp.c - libFuzzer target for a QEMU monitor message's top-level
 * keys (lang-adapters/qmp.h): any bytes, scanned; what comes back is
 * NUL-ended inside its field, and a command name found scans back the same
 * from a message made of it alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lang-adapters/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1), again_text[QMP_NAME_MAX + 32];
	struct qmp_top q, again;
	int err;

	if (!s)
		return 0;
	memcpy(s, data, size);	/* no NUL: the scan keeps to its length */
	err = qmp_scan(s, size, &q);
	if (err && err != -22)
		abort();
	if (memchr(q.execute, '\0', sizeof(q.execute)) == NULL ||
	    memchr(q.id, '\0', sizeof(q.id)) == NULL)
		abort();
	if (!err && q.execute[0] && !strpbrk(q.execute, "\"\\")) {
		snprintf(again_text, sizeof(again_text), "{\"execute\":\"%s\"}", q.execute);
		if (qmp_scan(again_text, strlen(again_text), &again) ||
		    strcmp(again.execute, q.execute))
			abort();
	}
	free(s);
	return 0;
}
