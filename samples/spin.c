// SPDX-License-Identifier: MIT
/*
 * spin.c - a CPU-bound program for `usdtrace profile` to be checked
 * against: hot_a and hot_b share the main thread 3:1, a second thread runs
 * hot_c; each function's thread CPU time is measured here
 * (CLOCK_THREAD_CPUTIME_ID) and written, with the process's, as JSON to
 * the file given by -o. Built -O2 -fomit-frame-pointer, as Debian builds.
 *
 *   spin [-s SECONDS] [-o TRUTH.json]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static double cpu_now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void hot_a(long n)
{
	for (long i = 0; i < n; i++)
		sink += (unsigned long)i * 7;
}

__attribute__((noinline)) static void hot_b(long n)
{
	for (long i = 0; i < n; i++)
		sink += (unsigned long)i * 3;
}

__attribute__((noinline)) static void hot_c(long n)
{
	for (long i = 0; i < n; i++)
		sink += (unsigned long)i * 5;
}

static double seconds = 3, cpu_c;

static void *worker(void *arg)
{
	double end = cpu_now(CLOCK_MONOTONIC) + seconds, t;

	(void)arg;
	while (cpu_now(CLOCK_MONOTONIC) < end) {
		t = cpu_now(CLOCK_THREAD_CPUTIME_ID);
		hot_c(1000000);
		cpu_c += cpu_now(CLOCK_THREAD_CPUTIME_ID) - t;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double end, t, cpu_a = 0, cpu_b = 0;
	const char *out = NULL;
	pthread_t th;
	FILE *f;
	int c;

	while ((c = getopt(argc, argv, "s:o:")) != -1) {
		if (c == 's')
			seconds = atof(optarg);
		else if (c == 'o')
			out = optarg;
	}
	pthread_create(&th, NULL, worker, NULL);
	end = cpu_now(CLOCK_MONOTONIC) + seconds;
	while (cpu_now(CLOCK_MONOTONIC) < end) {
		t = cpu_now(CLOCK_THREAD_CPUTIME_ID);
		hot_a(3000000);
		cpu_a += cpu_now(CLOCK_THREAD_CPUTIME_ID) - t;
		t = cpu_now(CLOCK_THREAD_CPUTIME_ID);
		hot_b(1000000);
		cpu_b += cpu_now(CLOCK_THREAD_CPUTIME_ID) - t;
	}
	pthread_join(th, NULL);
	f = out ? fopen(out, "w") : stdout;
	if (!f)
		return 1;
	fprintf(f, "{\"hot_a\":%.6f,\"hot_b\":%.6f,\"hot_c\":%.6f,\"process\":%.6f}\n", cpu_a,
		cpu_b, cpu_c, cpu_now(CLOCK_PROCESS_CPUTIME_ID));
	if (out)
		fclose(f);
	return 0;
}
