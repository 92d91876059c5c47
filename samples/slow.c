// SPDX-License-Identifier: MIT
/*
 * slow.c - a query runner with some slow queries: each query fires
 * slow:begin(id, text) before its work and slow:end(id, rows) after it,
 * what `usdtrace latency --min` turns into "the slow ones, with their
 * text" (bcc's dbslower, on any program).
 *
 *   slow [-n QUERIES] [-e EVERY] [-m MS] [-l LEN]
 *
 * Query i is "SELECT * FROM t WHERE id = i"; every EVERY-th one (i % EVERY
 * == EVERY - 1) sleeps MS milliseconds, the others do no work. rows is
 * i * 10. -l LEN makes the slow queries' text LEN bytes long (padded with
 * 'x'), to show a text longer than --strlen marked as cut. The buffer is
 * overwritten before slow:end: a tracer must read the text at BEGIN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

int main(int argc, char **argv)
{
	long n = 10, every = 5, ms = 20, len = 0, i;
	char text[4096];
	int c;

	while ((c = getopt(argc, argv, "n:e:m:l:")) != -1) {
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 'e': every = atol(optarg); break;
		case 'm': ms = atol(optarg); break;
		case 'l': len = atol(optarg); break;
		default:
			fprintf(stderr, "usage: slow [-n QUERIES] [-e EVERY] [-m MS] [-l LEN]\n");
			return 2;
		}
	}
	if (every < 1 || len < 0 || len >= (long)sizeof(text)) {
		fprintf(stderr, "slow: -e must be >= 1, -l below %zu\n", sizeof(text));
		return 2;
	}
	for (i = 0; i < n; i++) {
		int slow = i % every == every - 1;
		long rows = i * 10;
		size_t k;

		k = (size_t)snprintf(text, sizeof(text), "SELECT * FROM t WHERE id = %ld", i);
		while (slow && k < (size_t)len)
			text[k++] = 'x';
		text[k] = '\0';
		DTRACE_PROBE2(slow, begin, i, text);
		if (slow)
			pause_ms(ms);
		strcpy(text, "overwritten");	/* read at END, the text would be lost */
		DTRACE_PROBE2(slow, end, i, rows);
	}
	return 0;
}
