// SPDX-License-Identifier: MIT
/*
 * sample_request.c - semaphore-guarded probes declared in sample_probes.d.
 *
 * The dtrace -h header defines _SDT_HAS_SEMAPHORES and then includes
 * <sys/sdt.h>, which makes *every* probe of the translation unit expect a
 * semaphore. So these probes live in their own file, and the header comes
 * before anything that could include <sys/sdt.h> first (the probes would
 * silently lose their semaphores).
 */
#include "sample_probes.h"

#include <stdio.h>

#include "sample.h"

int request_traced(void)
{
	return SAMPLE_REQUEST_START_ENABLED();
}

void handle_request(long i)
{
	/* Arguments that cost something are computed only when traced. */
	if (SAMPLE_REQUEST_START_ENABLED()) {
		char path[32];

		snprintf(path, sizeof(path), "/req/%ld", i);
		SAMPLE_REQUEST_START(i, path);
	}
	SAMPLE_REQUEST_DONE(i, (int)(i % 7));
}
