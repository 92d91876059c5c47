// SPDX-License-Identifier: MIT
/*
 * test_prom.c - the Prometheus exposition text: families typed, labels
 * escaped so that a hostile key cannot forge a series or a line.
 */
#include <stdlib.h>
#include <string.h>

#include "../../writer/prom.h"
#include "../../writer/vhist.h"
#include "test.h"

static char *render(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f);
	fclose(f);
	return buf;
}

static void family(FILE *f)
{
	struct prom_label l[] = { { "probe", "acc:twelve" } };

	prom_family(f, "usdtrace_probe_hits_total", "counter", "Hits of each probe.\nIn the kernel.");
	prom_sample(f, "usdtrace_probe_hits_total", l, 1, 12);
}

static void hostile(FILE *f)
{
	struct prom_label l[] = { { "probe", "a:b" },
				  { "arg0", "x\"} 1\nusdtrace_probe_hits_total{probe=\"forged\\" } };

	prom_sample(f, "usdtrace_probe_hits_total", l, 2, 3);
}

static void not_utf8(FILE *f)
{
	prom_write_label_value(f, "ok \xc3\xa9 \xff\xfe \xe2\x82 end");
}

static void unlabelled(FILE *f)
{
	prom_sample(f, "usdtrace_events_dropped_total", NULL, 0, 0);
	prom_sample_f(f, "usdtrace_latency_seconds_sum", NULL, 0, 0.0125);
}

/* hist: values 0, 1, 5, 5, 9 (log2, unsigned) with a probe label */
static void log2_hist(FILE *f)
{
	struct vhist h = { .st = { .count = 5, .sum = 20, .min = 0, .max = 9 } };
	struct prom_label l[2] = { { "probe", "s:loop" } };

	h.counts[1] = 1;	/* [0, 1) */
	h.counts[2] = 1;	/* [1, 2) */
	h.counts[4] = 2;	/* [4, 8) */
	h.counts[5] = 1;	/* [8, 16) */
	vhist_print_prom(f, &h, "usdtrace_hist", l, 1);
}

/* hist --linear -10,10,10, signed: -20 below, -5, 3, 3, 10 at MAX and above */
static void linear_hist(FILE *f)
{
	struct vhist h = { .is_signed = true, .linear = true, .min = -10, .max = 10, .step = 10,
			   .steps = 2, .st = { .count = 5, .sum = (uint64_t)-9 } };
	struct prom_label l[1];

	h.counts[0] = 1;
	h.counts[1] = 1;
	h.counts[2] = 2;
	h.counts[3] = 1;
	vhist_print_prom(f, &h, "h", l, 0);
}

int main(void)
{
	struct test_stats st = {};
	char *s;

	s = render(family);
	CHECK(&st, !strcmp(s, "# HELP usdtrace_probe_hits_total Hits of each probe.\\nIn the kernel.\n"
			      "# TYPE usdtrace_probe_hits_total counter\n"
			      "usdtrace_probe_hits_total{probe=\"acc:twelve\"} 12\n"),
	      "prom family: HELP, TYPE, a labelled sample", "%s", s);
	free(s);
	s = render(hostile);
	CHECK(&st, !strcmp(s, "usdtrace_probe_hits_total{probe=\"a:b\",arg0=\"x\\\"} 1\\n"
			      "usdtrace_probe_hits_total{probe=\\\"forged\\\\\"} 3\n"),
	      "prom hostile label: quotes, newline and backslash escaped, one line", "%s", s);
	CHECK(&st, strchr(s, '\n') == s + strlen(s) - 1, "prom hostile label stays one line",
	      "%s", s);
	free(s);
	s = render(not_utf8);
	CHECK(&st, !strcmp(s, "ok \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd end"),
	      "prom label values stay UTF-8: invalid bytes as U+FFFD, valid ones kept", "%s", s);
	free(s);
	s = render(unlabelled);
	CHECK(&st, !strcmp(s, "usdtrace_events_dropped_total 0\nusdtrace_latency_seconds_sum 0.0125\n"),
	      "prom samples without labels, integer and float", "%s", s);
	free(s);
	s = render(log2_hist);
	CHECK(&st, !strcmp(s, "usdtrace_hist_bucket{probe=\"s:loop\",le=\"0\"} 1\n"
			      "usdtrace_hist_bucket{probe=\"s:loop\",le=\"1\"} 2\n"
			      "usdtrace_hist_bucket{probe=\"s:loop\",le=\"3\"} 2\n"
			      "usdtrace_hist_bucket{probe=\"s:loop\",le=\"7\"} 4\n"
			      "usdtrace_hist_bucket{probe=\"s:loop\",le=\"15\"} 5\n"
			      "usdtrace_hist_bucket{probe=\"s:loop\",le=\"+Inf\"} 5\n"
			      "usdtrace_hist_sum{probe=\"s:loop\"} 20\n"
			      "usdtrace_hist_count{probe=\"s:loop\"} 5\n"),
	      "prom log2 hist: cumulative, le = hi - 1 exactly, up to the last used", "%s", s);
	free(s);
	s = render(linear_hist);
	CHECK(&st, !strcmp(s, "h_bucket{le=\"-11\"} 1\nh_bucket{le=\"-1\"} 2\n"
			      "h_bucket{le=\"9\"} 4\nh_bucket{le=\"+Inf\"} 5\n"
			      "h_sum -9\nh_count 5\n"),
	      "prom linear signed hist: below MIN, steps, MAX and above in +Inf, signed sum",
	      "%s", s);
	free(s);
	return st.failed ? 1 : 0;
}
