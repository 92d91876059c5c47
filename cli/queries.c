// SPDX-License-Identifier: MIT
/*
 * queries.c - `usdtrace calls -l postgresql`: one row per query, like
 * pg_stat_statements without installing anything. The kernel pairs each
 * statement's start and done on its backend (latency mode, pairs never
 * nesting) and sends every pair whole, its text read at the start; here
 * the text is normalized (literals -> $n, sql/normalize.h) unless --raw,
 * and the rows keep count, total, max and a histogram for p99. --min D
 * also prints each statement at least D long with its full text.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sql/normalize.h"
#include "../writer/decode.h"
#include "../writer/hist.h"
#include "../writer/json.h"
#include "../writer/prom.h"
#include "lang_cmd.h"
#include "queries.h"
#include "report.h"

#define QUERY_STR_LEN	1024	/* query text bytes read, unless --strlen */
#define ROW_BUCKETS	4096	/* hash chains of the row table */

struct query_row {
	char *text;		/* normalized (or raw) text, owned */
	bool cut;		/* the text was longer than --strlen */
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns;
	struct hist h;
	struct query_row *next;	/* hash chain */
};

struct queries_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	bool raw;
	long top;
	uint64_t slow_ns;		/* --min, 0: none */
	bool slow_header;
	struct query_row *buckets[ROW_BUCKETS];
	size_t nr;
	uint64_t not_kept;		/* pairs whose text was not kept */
	char *norm;			/* normalizing buffer */
	size_t norm_size;
	int err;
};

static uint64_t fnv(const char *s, bool cut)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ cut;
}

static struct query_row *row_of(struct queries_state *qs, const char *text, bool cut)
{
	uint64_t h = fnv(text, cut);
	struct query_row **head = &qs->buckets[h % ROW_BUCKETS], *r;

	for (r = *head; r; r = r->next) {
		if (r->cut == cut && !strcmp(r->text, text))
			return r;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->text = strdup(text))) {
		free(r);
		qs->err = -ENOMEM;
		return NULL;
	}
	r->cut = cut;
	r->next = *head;
	*head = r;
	qs->nr++;
	return r;
}

/* The row's key: the text normalized, or as sent with --raw. */
static const char *key_text(struct queries_state *qs, const char *text, size_t len)
{
	size_t need = 3 * len + 16;
	char *p;

	if (need > qs->norm_size) {
		p = realloc(qs->norm, need);
		if (!p) {
			qs->err = -ENOMEM;
			return NULL;
		}
		qs->norm = p;
		qs->norm_size = need;
	}
	if (qs->raw) {
		memcpy(qs->norm, text, len);
		qs->norm[len] = '\0';
	} else if (sql_normalize(text, len, qs->norm, qs->norm_size) < 0) {
		return NULL;	/* cannot happen: 3 * len + 16 bytes suffice */
	}
	return qs->norm;
}

static void add_pair(struct queries_state *qs, const char *text, size_t len, bool cut,
		     uint64_t dur)
{
	const char *key = key_text(qs, text, len);
	struct query_row *r = key ? row_of(qs, key, cut) : NULL;

	if (!r)
		return;
	r->count++;
	r->total_ns += dur;
	if (dur > r->max_ns)
		r->max_ns = dur;
	hist_add(&r->h, ut_lat_bucket(dur), 1);
}

static void on_pair(void *ctx, const struct ut_event *end, const struct site_info *end_site,
		    const struct ut_event *begin, const struct site_info *begin_site)
{
	struct queries_state *qs = ctx;
	uint64_t dur = end->ts - begin->ts;
	const char *text = NULL;
	size_t len = 0;

	if (begin_site && !(begin->faulted & 1))
		text = event_str_arg(begin, begin_site, 0, &len);
	if (!text) {
		qs->not_kept++;
		add_pair(qs, "<text not read>", 15, false, dur);
	} else {
		add_pair(qs, text, len, begin->truncated & 1, dur);
	}
	if (qs->slow_ns && dur >= qs->slow_ns) {
		if (!qs->slow_header) {
			event_writer__slow_header(qs->w);
			qs->slow_header = true;
		}
		event_writer__slow(qs->w, end, end_site, begin, begin_site,
				   begin_site ? begin_site->label : "postgresql:query__start", NULL);
		fflush(qs->w->out);
	}
}

static int cmp_rows(const void *a, const void *b)
{
	const struct query_row *x = *(const struct query_row *const *)a;
	const struct query_row *y = *(const struct query_row *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->text, y->text);
}

/* The rows, by total time, most first. */
static struct query_row **sorted_rows(struct queries_state *qs)
{
	struct query_row **v = calloc(qs->nr ? qs->nr : 1, sizeof(*v)), *r;
	size_t i, n = 0;

	if (!v)
		return NULL;
	for (i = 0; i < ROW_BUCKETS; i++) {
		for (r = qs->buckets[i]; r; r = r->next)
			v[n++] = r;
	}
	qsort(v, n, sizeof(*v), cmp_rows);
	return v;
}

static void print_json_row(struct queries_state *qs, const struct query_row *r, uint64_t now,
			   bool final)
{
	FILE *out = qs->w->out;
	uint64_t p99 = hist_percentile(&r->h, 0.99, 0, r->max_ns);

	fprintf(out, "{\"type\":\"calls\",\"lang\":\"%s\",\"method\":", qs->lc.a->lang);
	json_write_str(out, r->text);
	fprintf(out, ",\"count\":%" PRIu64 ",\"total_ns\":%" PRIu64 ",\"mean_ns\":%" PRIu64
		",\"max_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64 ",\"untimed\":0", r->count,
		r->total_ns, r->count ? r->total_ns / r->count : 0, r->max_ns, p99);
	if (r->cut)
		fputs(",\"truncated\":true", out);
	if (!final)
		fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, now);
	fputs("}\n", out);
}

static void print_text_row(struct queries_state *qs, const struct query_row *r)
{
	FILE *out = qs->w->out;
	uint64_t p99 = hist_percentile(&r->h, 0.99, 0, r->max_ns);

	fprintf(out, "%10" PRIu64 " %12.3f %10.3f %10.3f %10.3f  ", r->count,
		(double)r->total_ns / 1e6, (double)(r->total_ns / r->count) / 1e6,
		(double)r->max_ns / 1e6, (double)p99 / 1e6);
	text_write_quoted(out, r->text, strlen(r->text));
	if (r->cut)
		fputs("...", out);
	fputc('\n', out);
}

/* --serve: each query (normalized) as a method of lang postgresql. */
static int queries_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct queries_state *qs = ctx;
	struct query_row **v = sorted_rows(qs);
	struct serve_call *c = calloc(qs->nr ? qs->nr : 1, sizeof(*c));
	uint64_t folded;
	size_t i;

	if (!v || !c) {
		free(v);
		free(c);
		return -ENOMEM;
	}
	for (i = 0; i < qs->nr; i++)
		c[i] = (struct serve_call){ v[i]->text, v[i]->count, v[i]->total_ns, 0 };
	folded = serve_calls_families(out, qs->lc.a->lang, c, qs->nr, qs->lc.max_series);
	prom_family(out, "usdtrace_unmatched_total", "counter",
		    "Statements started that did not finish (an error ends one without "
		    "query__done).");
	prom_sample(out, "usdtrace_unmatched_total", NULL, 0, attach_session__unmatched(s));
	serve_common_families(out, s, folded);
	free(c);
	free(v);
	return 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct queries_state *qs = ctx;
	struct query_row **v = sorted_rows(qs);
	size_t i, n = qs->top > 0 && (size_t)qs->top < qs->nr ? (size_t)qs->top : qs->nr;
	uint64_t unmatched = attach_session__unmatched(s), total = 0;

	if (!v || qs->err) {
		usdtrace_err("calls: %s", strerror(ENOMEM));
		free(v);
		return;
	}
	if (qs->lc.serve)	/* served, not printed: the summary still counts them */
		n = 0;
	if (!qs->lc.serve && !qs->w->json) {
		if (!final)
			fprintf(qs->w->out, "%.3fs:\n", (double)(now - qs->w->t0_ns) / 1e9);
		fprintf(qs->w->out, "%10s %12s %10s %10s %10s  %s\n", "CALLS", "TOTAL_MS",
			"MEAN_MS", "MAX_MS", "P99_MS", "QUERY");
	}
	for (i = 0; i < qs->nr; i++) {
		total += v[i]->count;
		if (i >= n)
			continue;
		if (qs->w->json)
			print_json_row(qs, v[i], now, final);
		else
			print_text_row(qs, v[i]);
	}
	fflush(qs->w->out);
	free(v);
	if (!final)
		return;
	qs->w->events = total;
	if (unmatched)
		fprintf(stderr, "usdtrace: %s: %" PRIu64 " statement%s started but did not finish "
			"(an error ends a statement without query__done)\n", qs->lc.a->lang,
			unmatched, unmatched == 1 ? "" : "s");
	if (qs->not_kept)
		fprintf(stderr, "usdtrace: %s: %" PRIu64 " statements' text could not be read: "
			"counted as \"<text not read>\"\n", qs->lc.a->lang, qs->not_kept);
}

static void free_rows(struct queries_state *qs)
{
	struct query_row *r, *next;
	size_t i;

	for (i = 0; i < ROW_BUCKETS; i++) {
		for (r = qs->buckets[i]; r; r = next) {
			next = r->next;
			free(r->text);
			free(r);
		}
	}
	free(qs->norm);
}

int queries_run(const char *name, struct cli_opts *o)
{
	struct event_writer w = {};
	struct queries_state *qs = calloc(1, sizeof(*qs));
	struct runner_hooks hooks = { .on_tick = on_tick, .on_slow = on_pair };
	int err, status;

	if (!qs) {
		usdtrace_err("%s: %s", name, strerror(ENOMEM));
		return 1;
	}
	qs->w = &w;
	qs->raw = o->raw;
	qs->top = o->top;
	qs->slow_ns = o->slow_ns;
	hooks.ctx = qs;
	if (!o->strlen_set)
		o->run.str_len = QUERY_STR_LEN;
	lang_cmd__init(&qs->lc, name, o);
	err = lang_cmd__prepare(&qs->lc, (1u << LANG_QUERY_BEGIN) | (1u << LANG_QUERY_END),
				ATTACH_LATENCY);
	qs->lc.ao.slow_ns = 1;		/* every pair, whole: normalized here */
	qs->lc.ao.lat_flat = true;
	if (!err)
		err = lang_cmd__serve(&qs->lc, queries_render, &hooks);
	status = err ? 1 : lang_cmd__run(&qs->lc, &hooks, &w);
	lang_cmd__free(&qs->lc);
	free_rows(qs);
	free(qs);
	return status;
}
