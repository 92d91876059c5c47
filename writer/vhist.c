// SPDX-License-Identifier: MIT
/*
 * vhist.c - value histograms: bounds, percentiles, text, JSON and
 * Prometheus samples (vhist.h).
 */
#include <inttypes.h>
#include <string.h>

#include "prom.h"
#include "vhist.h"

#define BAR_WIDTH 40

uint32_t vhist_nr_buckets(const struct vhist *h)
{
	return h->linear ? h->steps + 2 : UT_HIST_LOG2_BUCKETS;
}

bool vhist_bounds(const struct vhist *h, uint32_t b, uint64_t *lo, uint64_t *hi, bool *no_lo,
		  bool *no_hi)
{
	*no_lo = *no_hi = false;
	*lo = *hi = 0;
	if (b >= vhist_nr_buckets(h))
		return false;
	if (!h->linear) {
		if (b == 0) {
			*no_lo = true;		/* the negatives: (.., 0) */
			return true;
		}
		if (b == 1) {
			*hi = 1;
			return true;
		}
		*lo = 1ull << (b - 2);
		if (b - 2 == 63 || (h->is_signed && b - 2 == 62))
			*no_hi = true;		/* 2^64, or 2^63 signed, does not fit */
		else
			*hi = 1ull << (b - 1);
		return true;
	}
	if (b == 0) {
		*no_lo = true;
		*hi = (uint64_t)h->min;
		return true;
	}
	if (b == h->steps + 1) {
		*lo = (uint64_t)h->max;
		*no_hi = true;
		return true;
	}
	*lo = (uint64_t)h->min + (uint64_t)(b - 1) * h->step;
	*hi = *lo + h->step;
	if (!ut_hist_lt(*lo, *hi, h->is_signed) || !ut_hist_lt(*hi, (uint64_t)h->max, h->is_signed))
		*hi = (uint64_t)h->max;		/* the last step ends at MAX */
	return true;
}

static long double as_number(const struct vhist *h, uint64_t v)
{
	return h->is_signed ? (long double)(int64_t)v : (long double)v;
}

uint64_t vhist_percentile(const struct vhist *h, double p)
{
	uint64_t rank, cum = 0, lo, hi, c;
	long double v, from, to;
	bool no_lo, no_hi;
	uint32_t b, n = vhist_nr_buckets(h);

	if (!h->st.count)
		return 0;
	rank = (uint64_t)(p * (double)h->st.count + 0.999999);
	rank = rank ? rank : 1;
	for (b = 0; b < n; b++) {
		c = h->counts[b];
		if (!c || cum + c < rank) {
			cum += c;
			continue;
		}
		vhist_bounds(h, b, &lo, &hi, &no_lo, &no_hi);
		from = no_lo ? as_number(h, h->st.min) : as_number(h, lo);
		to = no_hi ? as_number(h, h->st.max) : as_number(h, hi);
		v = from + (to - from) * (long double)(rank - cum) / (long double)c;
		if (v < as_number(h, h->st.min))
			return h->st.min;
		if (v > as_number(h, h->st.max))
			return h->st.max;
		return h->is_signed ? (uint64_t)(int64_t)v : (uint64_t)v;
	}
	return h->st.max;
}

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
	fprintf(out, "  mean %.1Lf  p50 ", h->st.count ? as_number(h, h->st.sum) /
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

void vhist_add(struct vhist *dst, const struct vhist *src)
{
	const struct ut_hist_stats *a = &src->st;
	struct ut_hist_stats *m = &dst->st;
	bool sgn = src->is_signed;
	uint32_t b;

	for (b = 0; b < UT_HIST_BUCKETS; b++)
		dst->counts[b] += src->counts[b];
	if (!a->count)
		return;
	if (!m->count || ut_hist_lt(a->min, m->min, sgn))
		m->min = a->min;
	if (!m->count || ut_hist_lt(m->max, a->max, sgn))
		m->max = a->max;
	m->count += a->count;
	m->sum += a->sum;
	dst->is_signed = sgn;
}
