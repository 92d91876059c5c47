// SPDX-License-Identifier: MIT
/*
 * queries.c - `usdtrace calls` on a database runtime (-l postgresql): one
 * row per statement, like pg_stat_statements without installing
 * anything. The kernel pairs each statement's start and done on its
 * backend (latency mode, pairs never nesting) and sends every pair whole,
 * its text read at the start; lang-adapters/statements.c keeps the rows,
 * the writer prints them (writer/db.h). --min D also prints each
 * statement at least D long with its full text.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lang-adapters/statements.h"
#include "../writer/db.h"
#include "../writer/decode.h"
#include "../writer/metrics.h"
#include "lang_cmd.h"
#include "queries.h"
#include "report.h"

#define QUERY_STR_LEN	1024	/* query text bytes read, unless --strlen */

struct queries_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	long top;
	uint64_t slow_ns;		/* --min, 0: none */
	bool slow_header;
	struct stmt_table rows;
	uint64_t not_kept;		/* pairs whose text was not kept */
	char begin_label[128];		/* "provider:name" of a statement's start */
	const char *end_label;		/* ... and of its end ("query__done") */
	int err;
};

static void on_pair(void *ctx, const struct ut_event *end, const struct site_info *end_site,
		    const struct ut_event *begin, const struct site_info *begin_site)
{
	struct queries_state *qs = ctx;
	uint64_t dur = end->ts - begin->ts;
	const char *text = NULL;
	size_t len = 0;
	int err;

	if (begin_site && !(begin->faulted & 1))
		text = event_str_arg(begin, begin_site, 0, &len);
	if (!text) {
		qs->not_kept++;
		err = stmt_table__add(&qs->rows, "<text not read>", 15, false, dur);
	} else {
		err = stmt_table__add(&qs->rows, text, len, begin->truncated & 1, dur);
	}
	if (err)
		qs->err = err;
	if (qs->slow_ns && dur >= qs->slow_ns) {
		if (!qs->slow_header) {
			event_writer__slow_header(qs->w);
			qs->slow_header = true;
		}
		event_writer__slow(qs->w, end, end_site, begin, begin_site,
				   begin_site ? begin_site->label : qs->begin_label, NULL);
		fflush(qs->w->out);
	}
}

/* --serve: each query (normalized) as a method of the runtime's lang. */
static int queries_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct queries_state *qs = ctx;
	struct stmt_row **v = stmt_table__sorted(&qs->rows);
	struct metrics_call *c = calloc(qs->rows.nr ? qs->rows.nr : 1, sizeof(*c));
	uint64_t folded;
	size_t i;

	if (!v || !c) {
		free(v);
		free(c);
		return -ENOMEM;
	}
	for (i = 0; i < qs->rows.nr; i++)
		c[i] = (struct metrics_call){ v[i]->text, v[i]->count, v[i]->total_ns, 0 };
	folded = metrics_calls(out, qs->lc.a->lang, c, qs->rows.nr, qs->lc.max_series);
	stmt_unmatched__prom(out, attach_session__unmatched(s));
	serve_common_families(out, s, folded);
	free(c);
	free(v);
	return 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct queries_state *qs = ctx;
	struct stmt_row **v = stmt_table__sorted(&qs->rows);
	size_t i, nr = qs->rows.nr, n = qs->top > 0 && (size_t)qs->top < nr ? (size_t)qs->top : nr;
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
			event_writer__interval(qs->w, now);
		stmt_rows__header(qs->w->out);
	}
	for (i = 0; i < nr; i++) {
		total += v[i]->count;
		if (i >= n)
			continue;
		if (qs->w->json)
			stmt_row__write_json(qs->w->out, qs->lc.a->lang, v[i], now, final);
		else
			stmt_row__write_text(qs->w->out, v[i]);
	}
	fflush(qs->w->out);
	free(v);
	if (!final)
		return;
	qs->w->events = total;
	if (unmatched)
		fprintf(stderr, "usdtrace: %s: %" PRIu64 " statement%s started but did not finish "
			"(an error ends a statement without %s)\n", qs->lc.a->lang, unmatched,
			unmatched == 1 ? "" : "s", qs->end_label);
	if (qs->not_kept)
		fprintf(stderr, "usdtrace: %s: %" PRIu64 " statements' text could not be read: "
			"counted as \"<text not read>\"\n", qs->lc.a->lang, qs->not_kept);
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
	qs->rows.raw = o->raw;
	qs->top = o->top;
	qs->slow_ns = o->slow_ns;
	hooks.ctx = qs;
	if (!o->strlen_set)
		o->run.str_len = QUERY_STR_LEN;
	lang_cmd__init(&qs->lc, name, o);
	err = lang_cmd__prepare(&qs->lc, (1u << LANG_QUERY_BEGIN) | (1u << LANG_QUERY_END),
				ATTACH_LATENCY);
	if (!err) {
		const struct probe_spec *b = &qs->lc.o.probes[0], *e = &qs->lc.o.probes[1];

		snprintf(qs->begin_label, sizeof(qs->begin_label), "%s:%s", b->provider, b->name);
		qs->end_label = e->name;
	}
	qs->lc.ao.latency.slow_ns = 1;	/* every pair, whole: rows made here */
	qs->lc.ao.latency.flat = true;
	if (!err)
		err = lang_cmd__serve(&qs->lc, queries_render, &hooks);
	status = err ? 1 : lang_cmd__run(&qs->lc, &hooks, &w);
	lang_cmd__free(&qs->lc);
	stmt_table__free(&qs->rows);
	free(qs);
	return status;
}
