// SPDX-License-Identifier: MIT
/*
 * samplelib.c - a shared library with a probe, loaded by `sample -l` with
 * dlopen() while the program runs: a tracer must find its probe when the
 * library appears, before acclib:fire first fires.
 */
#include <sys/sdt.h>

void acclib_fire(long i);

void acclib_fire(long i)
{
	STAP_PROBE2(acclib, fire, i, i * 3);
}
