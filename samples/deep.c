// SPDX-License-Identifier: MIT
/*
 * deep.c - a probe three calls deep, in a binary built as Debian builds
 * its own (-O2 -fomit-frame-pointer, with -g): `usdtrace trace --stack`
 * shows main -> outer -> middle -> inner, innermost first, with file and
 * line, where a frame-pointer walk stops after a frame or two.
 *
 *   deep [-n TIMES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>
#include <unistd.h>

/* noinline, and each uses its callee's result: no frame folds into another */
__attribute__((noinline)) static long inner(long i)
{
	DTRACE_PROBE1(deep, leaf, i);
	return i * 3 + 1;
}

__attribute__((noinline)) static long middle(long i)
{
	long r = inner(i + 1);

	return r ^ (i << 1);
}

__attribute__((noinline)) static long outer(long i)
{
	long r = middle(i + 2);

	return r + (i & 7);
}

int main(int argc, char **argv)
{
	long n = 1, i, sum = 0;
	int c;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n') {
			fprintf(stderr, "usage: deep [-n TIMES]\n");
			return 2;
		}
		n = atol(optarg);
	}
	for (i = 0; i < n; i++)
		sum += outer(i);
	printf("%ld\n", sum);
	return 0;
}
