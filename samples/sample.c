// SPDX-License-Identifier: MIT
/*
 * sample.c - a small program instrumented with USDT probes, to show how
 * to add probes to C code and to give usdtrace something to trace.
 *
 *   sample [-n ITERATIONS] [-s SLEEP_MS] [-l LIBRARY]
 *
 * Each iteration fires:
 *   sample:loop(i)                       plain <sys/sdt.h> probe
 *   sample:types(c, uc, s, us, i, ui, l, ul)  signed and unsigned of every size
 *   sample:str(name, i)                  a user string
 *   sample:twosites(i, where)            one probe, two call sites
 *   sample:request__start/done(...)      semaphore-guarded (sample_request.c)
 * With -l, the library is dlopen()ed half-way and its acclib:fire probe
 * fires on every remaining iteration.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>
#include <unistd.h>

#include "sample.h"

static const char *const names[] = { "alpha", "beta", "gamma \"quoted\"" };

/* noinline keeps the two sites of sample:twosites in two places */
static __attribute__((noinline)) void site_a(long i)
{
	STAP_PROBE2(sample, twosites, i, 1);
}

static __attribute__((noinline)) void site_b(long i)
{
	STAP_PROBE2(sample, twosites, i, 2);
}

static void fire_types(long i)
{
	signed char c = (signed char)(-i);
	unsigned char uc = (unsigned char)(200 + i % 50);
	short s = (short)(-1000 - i);
	unsigned short us = (unsigned short)(60000 + i % 1000);
	int si = (int)(-100000 - i);
	unsigned int ui = 4000000000u + (unsigned int)i;
	long sl = -5000000000L - i;
	unsigned long ul = 0xfffffffffffffff0UL + (unsigned long)(i % 16);

	STAP_PROBE8(sample, types, c, uc, s, us, si, ui, sl, ul);
}

static void *load_library(const char *path, void (**fire)(long))
{
	void *h = dlopen(path, RTLD_NOW);

	if (!h) {
		fprintf(stderr, "sample: %s\n", dlerror());
		exit(1);
	}
	*(void **)fire = dlsym(h, "acclib_fire");
	if (!*fire) {
		fprintf(stderr, "sample: %s: no acclib_fire\n", path);
		exit(1);
	}
	return h;
}

int main(int argc, char **argv)
{
	void (*fire)(long) = NULL;
	const char *lib = NULL;
	long i, n = 10, sleep_ms = 0;
	void *handle = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:l:")) != -1) {
		switch (opt) {
		case 'n':
			n = atol(optarg);
			break;
		case 's':
			sleep_ms = atol(optarg);
			break;
		case 'l':
			lib = optarg;
			break;
		default:
			fprintf(stderr, "usage: sample [-n N] [-s SLEEP_MS] [-l LIB]\n");
			return 2;
		}
	}
	for (i = 0; i < n; i++) {
		if (lib && !handle && i >= n / 2)
			handle = load_library(lib, &fire);
		STAP_PROBE1(sample, loop, i);
		fire_types(i);
		STAP_PROBE2(sample, str, names[i % 3], i);
		site_a(i);
		site_b(i);
		handle_request(i);
		if (fire)
			fire(i);
		if (sleep_ms)
			usleep((useconds_t)sleep_ms * 1000);
	}
	if (handle)
		dlclose(handle);
	return 0;
}
