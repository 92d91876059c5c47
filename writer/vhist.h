/* SPDX-License-Identifier: MIT */
/*
 * vhist.h - histograms of an argument's values (agg/vhist.h) as text,
 * JSON and Prometheus samples, written to the FILE given. Pure code.
 */
#ifndef USDTRACE_VHIST_H
#define USDTRACE_VHIST_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/vhist.h"

/* "[lo, hi)  count |@@@@   |" rows of the non-empty range, then the figures. */
void vhist_print_text(FILE *out, const struct vhist *h);
/* "count":N,"sum":N,...,"buckets":[{"lo":N,"hi":N,"count":N},...] (no braces). */
void vhist_print_json_fields(FILE *out, const struct vhist *h);

struct prom_label;
/*
 * The Prometheus histogram samples of @h: NAME_bucket cumulative, NAME_sum,
 * NAME_count, each with labels @l[0..@nl) (@l has room for one more, le).
 * A bucket [lo, hi) of integers is le="hi - 1", exactly; the buckets from
 * the first that can hold a value up to the last one used, then +Inf.
 */
void vhist_print_prom(FILE *out, const struct vhist *h, const char *name, struct prom_label *l,
		      int nl);

/* What every histogram of one hist run is written with. */
struct vhist_view {
	const char *probe;		/* "provider:name" */
	const char *arg;		/* "arg2", as given */
	const struct key_layout *layout;	/* --by */
	bool json;
	bool final;			/* totals; else an interval's JSON ts */
	uint64_t now_ns;
};

/*
 * One histogram: a JSON `hist` record, or its heading line and bars; @head
 * its keyed row (its probe and key fields), NULL without --by.
 */
void vhist_record__write(FILE *out, const struct vhist_view *v, const struct keytab_row *head,
			 const struct vhist *h);

#define VHIST_METRIC	"usdtrace_hist"
/*
 * The usdtrace_hist family: the histograms of @rows (struct vhist_row),
 * labelled probe, arg and each key part, past @max_series summed into one
 * labelled "other", and usdtrace_keys_overflow_total (@overflow); or with
 * @rows NULL the one histogram @one. Returns the rows folded.
 */
uint64_t vhist_rows__prom(FILE *out, const struct vhist_view *v, const struct keytab *rows,
			  const struct vhist *one, uint32_t max_series, uint64_t overflow);

#endif /* USDTRACE_VHIST_H */
