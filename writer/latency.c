// SPDX-License-Identifier: MIT
/*
 * latency.c - latency's series as bpftrace-like text, JSON `latency`
 * records and a Prometheus histogram (latency.h).
 */
#include <inttypes.h>
#include <string.h>

#include "hist.h"
#include "json.h"
#include "latency.h"
#include "prom.h"
#include "text.h"

static void write_json(FILE *out, const struct lat_series *sr, uint64_t unmatched,
		       const struct lat_view *v)
{
	struct lat_figures f;
	uint64_t lo, hi;
	uint32_t k;
	bool first = true;

	lat_series__figures(sr, &f);
	fputs("{\"type\":\"latency\",\"begin\":", out);
	json_write_str(out, v->begin);
	fputs(",\"end\":", out);
	json_write_str(out, v->end);
	if (v->str_key && sr->key) {
		fputs(",\"key\":", out);
		json_write_str(out, sr->text);
	} else if (v->keyed && !v->str_key) {
		fprintf(out, ",\"key\":%" PRIu64, sr->key);
	} else {
		fputs(",\"key\":null", out);	/* none, or a string not read */
	}
	fprintf(out, ",\"count\":%" PRIu64 ",\"unmatched\":%" PRIu64 ",\"min_ns\":%" PRIu64
		",\"max_ns\":%" PRIu64 ",\"mean_ns\":%" PRIu64 ",\"p50_ns\":%" PRIu64
		",\"p90_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64, sr->h.total, unmatched, f.min,
		f.max, f.mean, f.p50, f.p90, f.p99);
	if (!v->final)
		fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, v->now_ns);
	fputs(",\"buckets\":[", out);
	for (k = 0; k < UT_LAT_BUCKETS; k++) {
		if (!sr->h.counts[k])
			continue;
		hist_bucket_bounds(k, &lo, &hi);
		fprintf(out, "%s{\"lo_ns\":%" PRIu64 ",\"hi_ns\":%" PRIu64 ",\"count\":%" PRIu64
			"}", first ? "" : ",", lo, hi, sr->h.counts[k]);
		first = false;
	}
	fputs("]}\n", out);
}

static void write_text(FILE *out, const struct lat_series *sr, uint64_t unmatched,
		       const struct lat_view *v)
{
	struct lat_figures f;
	char d[7][24];

	lat_series__figures(sr, &f);
	if (!v->final)
		fprintf(out, "%.3fs: ", v->elapsed_s);
	fprintf(out, "%s -> %s", v->begin, v->end);
	if (v->str_key) {
		fprintf(out, " [arg%d = ", v->key_arg);
		if (sr->key)
			text_write_quoted(out, sr->text, strlen(sr->text));
		else
			fputs("<fault>", out);
		fputc(']', out);
	} else if (v->keyed) {
		fprintf(out, " [arg%d = %" PRIu64 "]", v->key_arg, sr->key);
	}
	fputc('\n', out);
	hist_print_text(out, &sr->h);
	fmt_duration(f.min, d[0], sizeof(d[0]));
	fmt_duration(f.mean, d[1], sizeof(d[1]));
	fmt_duration(f.p50, d[2], sizeof(d[2]));
	fmt_duration(f.p90, d[3], sizeof(d[3]));
	fmt_duration(f.p99, d[4], sizeof(d[4]));
	fmt_duration(f.max, d[5], sizeof(d[5]));
	fprintf(out, "count %" PRIu64, sr->h.total);
	if (!v->keyed)	/* keyed: the run's, said once after the keys */
		fprintf(out, "  unmatched %" PRIu64, unmatched);
	fprintf(out, "  min %s  mean %s  p50 %s  p90 %s  p99 %s  max %s\n\n", d[0], d[1],
		d[2], d[3], d[4], d[5]);
}

void lat_unmatched__write(FILE *out, uint64_t unmatched, const struct lat_view *v)
{
	if (v->json || !v->keyed)
		return;
	fprintf(out, "unmatched %" PRIu64 " (the run's: an END without its BEGIN has no key)\n",
		unmatched);
}

void lat_series__write(FILE *out, const struct lat_series *sr, uint64_t unmatched,
		       const struct lat_view *v)
{
	if (v->json)
		write_json(out, sr, unmatched, v);
	else
		write_text(out, sr, unmatched, v);
}

#define LAT_METRIC	"usdtrace_latency_seconds"

void lat_table__prom(FILE *out, const struct lat_table *t, uint64_t unmatched,
		     const struct lat_view *v)
{
	char key[UT_LAT_KEY_STR + 24], le[32];
	struct prom_label l[4];
	uint64_t lo, hi, cum;
	int nl, last;
	size_t i;
	uint32_t k;

	prom_family(out, LAT_METRIC, "histogram", "Time from BEGIN to END on one thread, "
		    "in the kernel's log-linear buckets.");
	for (i = 0; i < t->nr; i++) {
		const struct lat_series *sr = &t->series[i];

		l[0] = (struct prom_label){ "begin", v->begin };
		l[1] = (struct prom_label){ "end", v->end };
		nl = 2;
		if (v->keyed) {
			if (v->str_key)
				snprintf(key, sizeof(key), "%s", sr->key ? sr->text : "<fault>");
			else
				snprintf(key, sizeof(key), "%" PRIu64, sr->key);
			l[nl++] = (struct prom_label){ "key", key };
		}
		for (last = UT_LAT_BUCKETS - 1; last > 0 && !sr->h.counts[last]; last--)
			;
		for (k = 0, cum = 0; k <= (uint32_t)last; k++) {
			cum += sr->h.counts[k];
			hist_bucket_bounds(k, &lo, &hi);
			if (hi == lo)
				continue;
			snprintf(le, sizeof(le), "%.9g", (double)hi / 1e9);
			l[nl] = (struct prom_label){ "le", le };
			prom_sample(out, LAT_METRIC "_bucket", l, nl + 1, cum);
		}
		l[nl] = (struct prom_label){ "le", "+Inf" };
		prom_sample(out, LAT_METRIC "_bucket", l, nl + 1, sr->h.total);
		prom_sample_f(out, LAT_METRIC "_sum", l, nl, (double)sr->st.sum_ns / 1e9);
		prom_sample(out, LAT_METRIC "_count", l, nl, sr->h.total);
	}
	prom_family(out, "usdtrace_unmatched_total", "counter",
		    "ENDs without a BEGIN, BEGINs past the depth or never ended.");
	l[0] = (struct prom_label){ "begin", v->begin };
	l[1] = (struct prom_label){ "end", v->end };
	prom_sample(out, "usdtrace_unmatched_total", l, 2, unmatched);
}
