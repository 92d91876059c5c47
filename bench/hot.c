// SPDX-License-Identifier: MIT
/*
 * hot.c - benchmark workload: fire bench:hit(i, 2i) N times in a tight
 * loop and print the mean wall time per iteration in ns. Traced, the
 * difference to the untraced run is the per-hit cost of the tracer.
 * Built twice: with <sys/sdt.h> (hot, a 1-byte nop site) and with
 * -DHOT_USDTRACE_HEADER through <usdtrace/sdt.h> (hot5, a 5-byte nop).
 *
 *   hot N        bench:hit(i, 2i)
 *   hot N str    bench:str(i, s), s a 32-byte string (the string-argument row)
 *   hot N pair   bench:begin(i, s) then bench:end(i, 0): a latency pair
 *   hot N deep   bench:deep(i) three calls deep (the stack rows)
 *   hot N deept  the same on a thread of its own (its stack is not main's)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HOT_USDTRACE_HEADER
#include <usdtrace/sdt.h>
#define HIT(i)	USDTRACE_PROBE(bench, hit, i, (i) * 2)
#define STR(i, s)	USDTRACE_PROBE(bench, str, i, s)
#define PAIR(i, s)	do { USDTRACE_PROBE(bench, begin, i, s); \
			     USDTRACE_PROBE(bench, end, i, 0); } while (0)
#define DEEP(i)	USDTRACE_PROBE(bench, deep, i)
#else
#include <sys/sdt.h>
#define HIT(i)	STAP_PROBE2(bench, hit, i, (i) * 2)
#define STR(i, s)	STAP_PROBE2(bench, str, i, s)
#define PAIR(i, s)	do { STAP_PROBE2(bench, begin, i, s); \
			     STAP_PROBE2(bench, end, i, 0); } while (0)
#define DEEP(i)	STAP_PROBE1(bench, deep, i)
#endif

static const char msg[] = "a 32-byte string argument, ok!..";

/* noinline, each using its callee's result: three real frames */
__attribute__((noinline)) static long deep3(long i)
{
	DEEP(i);
	return i * 3 + 1;
}

__attribute__((noinline)) static long deep2(long i)
{
	return deep3(i + 1) ^ (i << 1);
}

__attribute__((noinline)) static long deep1(long i)
{
	return deep2(i + 2) + (i & 7);
}

static void *deep_loop(void *arg)
{
	long i, n = *(long *)arg;
	volatile long sink = 0;

	for (i = 0; i < n; i++)
		sink += deep1(i);
	return NULL;
}

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 1000000;
	int str = argc > 2 && !strcmp(argv[2], "str");
	int pair = argc > 2 && !strcmp(argv[2], "pair");
	int deep = argc > 2 && !strcmp(argv[2], "deep");
	int deept = argc > 2 && !strcmp(argv[2], "deept");
	pthread_t t;
	volatile long sink = 0;
	struct timespec a, b;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (str) {
		for (i = 0; i < n; i++)
			STR(i, msg);
	} else if (pair) {
		for (i = 0; i < n; i++)
			PAIR(i, msg);
	} else if (deep) {
		for (i = 0; i < n; i++)
			sink += deep1(i);
	} else if (deept) {
		if (pthread_create(&t, NULL, deep_loop, &n) || pthread_join(t, NULL))
			return 1;
	} else {
		for (i = 0; i < n; i++)
			HIT(i);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("%.2f\n", n > 0 ? ns / (double)n : 0.0);
	return 0;
}
