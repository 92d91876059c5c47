// SPDX-License-Identifier: MIT
/*
 * server.c - a small server-like program: each request fires
 * server:request__begin(id, kind) and server:request__end(id, status)
 * around its work, which `usdtrace latency` turns into a histogram.
 *
 *   server [-n REQUESTS] [-s SLEEP_US] [-k KINDS] [-t THREADS] [-N] [-u]
 *
 * A request of kind k (id % KINDS) sleeps SLEEP_US * (k + 1). -N nests one
 * inner request in each: begin(outer) work begin(inner) work end(inner)
 * work end(outer): LIFO matching gives pairs of 1 and 3 units of work,
 * where first-in-first-out would give two of 2. -t runs REQUESTS on each of THREADS threads at once. -u adds an END
 * without BEGIN first and a BEGIN without END last.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>
#include <unistd.h>

struct server_opts {
	long requests;
	long sleep_us;
	long kinds;
	long threads;
	int nested;
	int unmatched;
};

static void work(long us)
{
	if (us > 0)
		usleep((useconds_t)us);
}

static void handle(const struct server_opts *o, long id)
{
	long kind = id % o->kinds;

	STAP_PROBE2(server, request__begin, id, kind);
	if (o->nested) {
		work(o->sleep_us * (kind + 1));
		STAP_PROBE2(server, request__begin, -id, kind);
		work(o->sleep_us * (kind + 1));
		STAP_PROBE2(server, request__end, -id, 200);
	}
	work(o->sleep_us * (kind + 1));
	STAP_PROBE2(server, request__end, id, 200);
}

static void *serve(void *arg)
{
	const struct server_opts *o = arg;
	long i;

	for (i = 0; i < o->requests; i++)
		handle(o, i);
	return NULL;
}

int main(int argc, char **argv)
{
	struct server_opts o = { .requests = 100, .sleep_us = 1000, .kinds = 1, .threads = 1 };
	pthread_t tids[64];
	long t;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:k:t:Nu")) != -1) {
		switch (opt) {
		case 'n':
			o.requests = atol(optarg);
			break;
		case 's':
			o.sleep_us = atol(optarg);
			break;
		case 'k':
			o.kinds = atol(optarg) > 0 ? atol(optarg) : 1;
			break;
		case 't':
			o.threads = atol(optarg);
			break;
		case 'N':
			o.nested = 1;
			break;
		case 'u':
			o.unmatched = 1;
			break;
		default:
			fprintf(stderr, "usage: server [-n N] [-s US] [-k KINDS] [-t THREADS] "
				"[-N] [-u]\n");
			return 2;
		}
	}
	if (o.threads < 1 || o.threads > 64)
		o.threads = 1;
	if (o.unmatched)
		STAP_PROBE2(server, request__end, -1L, 500);
	for (t = 0; t < o.threads; t++)
		pthread_create(&tids[t], NULL, serve, &o);
	for (t = 0; t < o.threads; t++)
		pthread_join(tids[t], NULL);
	if (o.unmatched)
		STAP_PROBE2(server, request__begin, -2L, 0L);
	return 0;
}
