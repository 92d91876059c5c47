// SPDX-License-Identifier: MIT
/*
 * sample.c - a small program instrumented with USDT probes, to show how
 * to add probes to C code and to give usdtrace something to trace.
 *
 *   sample [-n ITERATIONS] [-s SLEEP_MS] [-l LIBRARY] [-x] [-F] [-q]
 *
 * Each iteration fires:
 *   sample:loop(i)                       plain <sys/sdt.h> probe
 *   sample:types(c, uc, s, us, i, ui, l, ul)  signed and unsigned of every size
 *   sample:str(name, i)                  a user string
 *   sample:twosites(i, where)            one probe, two call sites
 *   sample:global(counter, table[i % 4]) globals: rip-relative operands
 *   sample:twelve(i, i+1, ..., i+11)     the most arguments a probe has
 *   sample:request__start/done(...)      semaphore-guarded (sample_request.c)
 * With -l, the library is dlopen()ed half-way and its acclib:fire probe
 * fires on every remaining iteration. -x crashes (SIGSEGV) after the last
 * iteration, -F forks half-way (parent and child both finish the loop), and
 * -q quits the moment a tracer raises sample:request__start's semaphore,
 * in the middle of its attaching: all for the reliability tests.
 * sample:hostile(s) fires a string no terminal should see raw.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sample.h"

static const char *const names[] = { "alpha", "beta", "gamma \"quoted\"" };
static const char hostile[] = "tab\there \"q\" back\\slash\nline\x1b[31mred\x1b[0m \xff\xfe end";

/* Globals the probes read in place: bumped elsewhere, so not in registers. */
long sample_counter;
int sample_table[4] = { 100, 200, 300, 400 };

static __attribute__((noinline)) void bump(long i)
{
	sample_counter = i * 10;
	sample_table[i % 4] += 1;
}

/* A plain function, for uprobe:/uretprobe: examples (arg0, retval). */
__attribute__((noinline)) long sample_square(long i);
__attribute__((noinline)) long sample_square(long i)
{
	return i * i;
}

static __attribute__((noinline)) void fire_globals(long i)
{
	STAP_PROBE2(sample, global, sample_counter, sample_table[3]);
	STAP_PROBE12(sample, twelve, i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7,
		     i + 8, i + 9, i + 10, i + 11);
}

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
	int opt, crash = 0, forks = 0, quit_when_traced = 0;
	pid_t child = 0;

	while ((opt = getopt(argc, argv, "n:s:l:xFq")) != -1) {
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
		case 'x':
			crash = 1;
			break;
		case 'F':
			forks = 1;
			break;
		case 'q':
			quit_when_traced = 1;
			break;
		default:
			fprintf(stderr, "usage: sample [-n N] [-s SLEEP_MS] [-l LIB] [-x] [-F] [-q]\n");
			return 2;
		}
	}
	while (quit_when_traced && !request_traced())
		usleep(50);
	if (quit_when_traced)
		_exit(0);
	for (i = 0; i < n; i++) {
		if (lib && !handle && i >= n / 2)
			handle = load_library(lib, &fire);
		if (forks && i == n / 2) {
			forks = 0;
			child = fork();	/* both go on with the remaining iterations */
		}
		STAP_PROBE1(sample, loop, i);
		fire_types(i);
		STAP_PROBE2(sample, str, names[i % 3], i);
		site_a(i);
		site_b(i);
		bump(i);
		fire_globals(i);
		if (sample_square(i) < 0)
			return 1;
		STAP_PROBE1(sample, hostile, hostile);
		handle_request(i);
		if (fire)
			fire(i);
		if (sleep_ms)
			usleep((useconds_t)sleep_ms * 1000);
	}
	if (handle)
		dlclose(handle);
	if (child > 0)
		waitpid(child, NULL, 0);
	if (crash)
		*(volatile int *)0 = 1;
	return 0;
}
