// SPDX-License-Identifier: MIT
/*
 * vhist.c - value histograms as text, JSON and Prometheus samples
 * (vhist.h).
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "keys.h"
#include "prom.h"
#include "vhist.h"

#define BAR_WIDTH 40

static void put_value(FILE *out, const struct vhist *h, uint64_t v)
{
	if (h->is_signed)
		fprintf(out, "%" PRId64, (int64_t)v);
	else
		fprintf(out, "%" PRIu64, v);
}

/* "[lo, hi)" with "..." for an open side, left-aligned in 24 columns. */
static void print_range(FILE *out, const struct vhist *h, uint32_t b)
{
	char buf[64];
	uint64_t lo, hi;
	bool no_lo, no_hi;
	int n = 0;

	vhist_bounds(h, b, &lo, &hi, &no_lo, &no_hi);
	if (no_lo)
		n = snprintf(buf, sizeof(buf), "(..., ");
	else
		n = snprintf(buf, sizeof(buf), h->is_signed ? "[%" PRId64 ", " : "[%" PRIu64 ", ",
			     lo);
	if (no_hi)
		snprintf(buf + n, sizeof(buf) - (size_t)n, "...)");
	else
		snprintf(buf + n, sizeof(buf) - (size_t)n, h->is_signed ? "%" PRId64 ")" :
			 "%" PRIu64 ")", hi);
	fprintf(out, "%-24s", buf);
}

void vhist_print_text(FILE *out, const struct vhist *h)
{
	uint32_t b, first = UINT32_MAX, last = 0, n = vhist_nr_buckets(h);
	uint64_t top = 0;
	int bar;

	for (b = 0; b < n; b++) {
		if (!h->counts[b])
			continue;
		first = first == UINT32_MAX ? b : first;
		last = b;
		top = h->counts[b] > top ? h->counts[b] : top;
	}
	for (b = first; first != UINT32_MAX && b <= last; b++) {
		bar = (int)((h->counts[b] * BAR_WIDTH + top - 1) / top);
		print_range(out, h, b);
		fprintf(out, " %8" PRIu64 " |%.*s%*s|\n", h->counts[b], bar,
			"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@", BAR_WIDTH - bar, "");
	}
	fprintf(out, "count %" PRIu64 "  sum ", (uint64_t)h->st.count);
	put_value(out, h, h->st.sum);
	fputs("  min ", out);
	put_value(out, h, h->st.count ? h->st.min : 0);
	fputs("  max ", out);
	put_value(out, h, h->st.count ? h->st.max : 0);
	fprintf(out, "  mean %.1Lf  p50 ", h->st.count ? vhist_value(h, h->st.sum) /
		(long double)h->st.count : 0.0L);
	put_value(out, h, vhist_percentile(h, 0.50));
	fputs("  p90 ", out);
	put_value(out, h, vhist_percentile(h, 0.90));
	fputs("  p99 ", out);
	put_value(out, h, vhist_percentile(h, 0.99));
	fputs("\n\n", out);
}

void vhist_print_json_fields(FILE *out, const struct vhist *h)
{
	uint32_t b, n = vhist_nr_buckets(h);
	uint64_t lo, hi;
	bool no_lo, no_hi, first = true;

	fprintf(out, "\"count\":%" PRIu64 ",\"sum\":", (uint64_t)h->st.count);
	put_value(out, h, h->st.sum);
	fputs(",\"min\":", out);
	put_value(out, h, h->st.count ? h->st.min : 0);
	fputs(",\"max\":", out);
	put_value(out, h, h->st.count ? h->st.max : 0);
	fputs(",\"p50\":", out);
	put_value(out, h, vhist_percentile(h, 0.50));
	fputs(",\"p90\":", out);
	put_value(out, h, vhist_percentile(h, 0.90));
	fputs(",\"p99\":", out);
	put_value(out, h, vhist_percentile(h, 0.99));
	fputs(",\"buckets\":[", out);
	for (b = 0; b < n; b++) {
		if (!h->counts[b])
			continue;
		vhist_bounds(h, b, &lo, &hi, &no_lo, &no_hi);
		fputs(first ? "{\"lo\":" : ",{\"lo\":", out);
		if (no_lo)
			fputs("null", out);
		else
			put_value(out, h, lo);
		fputs(",\"hi\":", out);
		if (no_hi)
			fputs("null", out);
		else
			put_value(out, h, hi);
		fprintf(out, ",\"count\":%" PRIu64 "}", h->counts[b]);
		first = false;
	}
	fputc(']', out);
}

void vhist_print_prom(FILE *out, const struct vhist *h, const char *name, struct prom_label *l,
		      int nl)
{
	uint32_t b, first, last, n = vhist_nr_buckets(h);
	uint64_t lo, hi, cum = 0;
	bool no_lo, no_hi;
	char metric[128], le[32];

	/* unsigned log2: nothing is below 0, no bucket for it */
	first = !h->linear && !h->is_signed ? 1 : 0;
	for (last = n - 1; last > first && !h->counts[last]; last--)
		;
	snprintf(metric, sizeof(metric), "%s_bucket", name);
	for (b = 0; b < n; b++) {
		cum += h->counts[b];
		if (b < first || b > last || !vhist_bounds(h, b, &lo, &hi, &no_lo, &no_hi) ||
		    no_hi)
			continue;
		if (h->is_signed)
			snprintf(le, sizeof(le), "%" PRId64, (int64_t)hi - 1);
		else
			snprintf(le, sizeof(le), "%" PRIu64, hi - 1);
		l[nl] = (struct prom_label){ "le", le };
		prom_sample(out, metric, l, nl + 1, cum);
	}
	l[nl] = (struct prom_label){ "le", "+Inf" };
	prom_sample(out, metric, l, nl + 1, cum);
	snprintf(metric, sizeof(metric), "%s_sum", name);
	if (h->is_signed)
		prom_sample_i(out, metric, l, nl, (int64_t)h->st.sum);
	else
		prom_sample(out, metric, l, nl, h->st.sum);
	snprintf(metric, sizeof(metric), "%s_count", name);
	prom_sample(out, metric, l, nl, cum);
}

void vhist_record__write(FILE *out, const struct vhist_view *v, const struct keytab_row *head,
			 const struct vhist *h)
{
	if (!v->json) {
		fprintf(out, "%s %s", v->probe, v->arg);
		if (head)
			keys_write_fields(out, v->layout, &head->si, head->key, false);
		fputc('\n', out);
		vhist_print_text(out, h);
		return;
	}
	fputs("{\"type\":\"hist\",\"probe\":", out);
	json_write_str(out, head ? head->si.label : v->probe);
	fputs(",\"arg\":", out);
	json_write_str(out, v->arg);
	if (head)
		keys_write_fields(out, v->layout, &head->si, head->key, true);
	fputc(',', out);
	vhist_print_json_fields(out, h);
	if (!v->final)
		fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, v->now_ns);
	fputs("}\n", out);
}

/* Keyed: a label per --by key; past @max_series, one histogram "other". */
static uint64_t rows_prom(FILE *out, const struct vhist_view *v, const struct keytab *rows,
			  const struct vhist *tmpl, uint32_t max_series, struct prom_label *l)
{
	char vals[UT_MAX_KEYS][UT_KEY_MAX + 8], names[UT_MAX_KEYS][16];
	int k, nparts = v->layout->nr;
	struct vhist other = *tmpl;
	uint64_t folded = 0;
	size_t i;

	memset(other.counts, 0, sizeof(other.counts));
	memset(&other.st, 0, sizeof(other.st));
	for (i = 0; i < rows->nr; i++) {
		const struct vhist_row *r = (const struct vhist_row *)keytab__at(rows, i);

		if (i >= max_series) {
			vhist_add(&other, &r->h);
			folded++;
			continue;
		}
		l[0] = (struct prom_label){ "probe", r->head.si.label };
		for (k = 0; k < nparts; k++) {
			l[2 + k].value = keys_label(v->layout, &r->head.si, r->head.key, k, vals[k],
						    sizeof(vals[k]), names[k], sizeof(names[k]));
			l[2 + k].name = names[k];
		}
		vhist_print_prom(out, &r->h, VHIST_METRIC, l, 2 + nparts);
	}
	if (folded) {
		l[0] = (struct prom_label){ "probe", "other" };
		for (k = 0; k < nparts; k++) {
			l[2 + k].name = key_part__name(&v->layout->parts[k], names[k],
						       sizeof(names[k]));
			l[2 + k].value = "other";
		}
		vhist_print_prom(out, &other, VHIST_METRIC, l, 2 + nparts);
	}
	return folded;
}

uint64_t vhist_rows__prom(FILE *out, const struct vhist_view *v, const struct keytab *rows,
			  const struct vhist *one, uint32_t max_series, uint64_t overflow)
{
	struct prom_label l[3 + UT_MAX_KEYS];
	uint64_t folded = 0;

	prom_family(out, VHIST_METRIC, "histogram", "Values of one argument at each hit, in the "
		    "kernel's buckets; le is the largest integer of a bucket.");
	l[1] = (struct prom_label){ "arg", v->arg };
	if (!rows) {
		l[0] = (struct prom_label){ "probe", v->probe };
		vhist_print_prom(out, one, VHIST_METRIC, l, 2);
		return 0;
	}
	folded = rows_prom(out, v, rows, one, max_series, l);
	prom_family(out, "usdtrace_keys_overflow_total", "counter",
		    "Hits past --max-keys, in no keyed series.");
	prom_sample(out, "usdtrace_keys_overflow_total", NULL, 0, overflow);
	return folded;
}
