// SPDX-License-Identifier: MIT
/*
 * deep.c - a probe three calls deep, in a binary built as Debian builds
 * its own (-O2 -fomit-frame-pointer, with -g): `usdtrace trace --stack`
 * shows main -> outer -> middle -> inner, innermost first, with file and
 * line, where a frame-pointer walk stops after a frame or two.
 *
 *   deep [-n TIMES] [-w] [-b] [-i]
 *
 * -i fires deep:inl instead, from two functions inlined into outer_inl():
 * one frame in the machine's stack, three in the DWARF's (their calls
 * inlined at the probe's address).
 *
 * -b calls middle directly every third time (i % 3 == 2): two stacks, in
 * the proportion 2:1, for count --by stack and flame graphs. -w waits for a line on stdin before firing (a test stops its tracer
 * meanwhile, so the event is read after this process has exited).
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

/* always_inline: these have no frame, only DWARF scopes in outer_inl() */
static inline __attribute__((always_inline)) long leaf_inl(long i)
{
	DTRACE_PROBE1(deep, inl, i);
	return i * 5 + 2;
}

static inline __attribute__((always_inline)) long mid_inl(long i)
{
	long r = leaf_inl(i + 1);

	return r ^ (i << 2);
}

__attribute__((noinline)) static long outer_inl(long i)
{
	long r = mid_inl(i + 2);

	return r + (i & 3);
}

int main(int argc, char **argv)
{
	long n = 1, i, sum = 0;
	char line[16];
	int c, branch = 0, inl = 0;

	while ((c = getopt(argc, argv, "n:wbi")) != -1) {
		if (c == 'b') {
			branch = 1;
		} else if (c == 'i') {
			inl = 1;
		} else if (c == 'n') {
			n = atol(optarg);
		} else if (c == 'w') {
			if (!fgets(line, sizeof(line), stdin))
				return 1;
		} else {
			fprintf(stderr, "usage: deep [-n TIMES] [-w] [-b] [-i]\n");
			return 2;
		}
	}
	for (i = 0; i < n; i++) {
		if (inl)
			sum += outer_inl(i);
		else if (branch && i % 3 == 2)
			sum += middle(i);
		else
			sum += outer(i);
	}
	printf("%ld\n", sum);
	return 0;
}
