// SPDX-License-Identifier: MIT
/*
 * hot5.c - bench/hot.c through <usdtrace/sdt.h>: the same 2-argument probe
 * in a tight loop, on a 5-byte nop instead of sys/sdt.h's 1-byte one.
 *
 *   hot5 N
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <usdtrace/sdt.h>

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 1000000;
	struct timespec a, b;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		USDTRACE_PROBE(bench, hit, i, i * 2);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("%.2f\n", n > 0 ? ns / (double)n : 0.0);
	return 0;
}
