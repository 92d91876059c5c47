// SPDX-License-Identifier: MIT
/*
 * queries.c - `usdtrace calls` on a database runtime (-l postgresql): one
 * row per statement, pg_stat_statements' rows without installing
 * anything. Where the server's structs are known (its version in the
 * adapter's table), the kernel counts each statement from the executor's
 * own calls (ATTACH_STMTS, bpf/stmts.bpf.c) keyed by its text with the
 * literals out, and sends each text once; the rows are made again from
 * the kernel's tables at each tick. Otherwise (another version, --raw)
 * the kernel pairs each statement's query__start and done (latency mode)
 * and sends every pair whole, its text read at the start.
 * lang-adapters/statements.c keeps the rows, the writer prints them
 * (writer/db.h). --min D also prints each statement at least D long with
 * its text as sent.
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
	uint64_t not_kept;		/* pairs (calls) whose text was not kept */
	/* counted in the kernel (ATTACH_STMTS) */
	bool kernel;
	struct ut_pg_layout layout;
	struct stmt_texts texts;	/* each key's text */
	struct stmt_text no_text;	/* keys whose text never came: one row */
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

/* ATTACH_STMTS: a text's piece, or a slow statement. */
static void on_stmt_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct queries_state *qs = ctx;
	struct ut_stmt_key key = { .hash = ev->args[0], .utility = !!(ev->args[1] & UT_STMT_UTILITY) };
	const char *bytes = (const char *)(ev + 1);
	uint32_t len = (uint32_t)ev->args[1];

	(void)site;
	if (ev->nr_strs != 1 || !ev->str_len)
		return;
	if (ev->kind == UT_EV_STMT_TEXT && !ev->faulted) {
		uint64_t off = ev->args[2];
		size_t n = off < len ? len - off : 0;

		if (n > ev->str_len - 1)
			n = ev->str_len - 1;
		if (stmt_texts__piece(&qs->texts, &key, ev->args[1], off, bytes, n) == -ENOMEM)
			qs->err = -ENOMEM;
	} else if (ev->kind == UT_EV_STMT_SLOW && qs->slow_ns) {
		if (!qs->slow_header) {
			if (!qs->w->json)
				stmt_slow__header(qs->w->out);
			qs->slow_header = true;
		}
		stmt_slow__write(qs->w->out, qs->w->json, qs->w->t0_ns, ev, bytes,
				 ev->faulted ? 0 : strnlen(bytes, ev->str_len));
		qs->w->events++;
		fflush(qs->w->out);
	}
}

static void on_kernel_stmt(void *ctx, const struct ut_stmt_key *key,
			   const struct ut_stmt_stats *st)
{
	struct queries_state *qs = ctx;
	struct stmt_text *e = stmt_texts__find(&qs->texts, key);

	if (!e) {
		qs->not_kept += st->calls;
		e = &qs->no_text;
	}
	if (stmt_table__add_figures(&qs->rows, e, st))
		qs->err = -ENOMEM;
}

static void on_kernel_bucket(void *ctx, const struct ut_stmt_key *key, uint32_t bucket,
			     uint64_t count)
{
	struct queries_state *qs = ctx;
	struct stmt_text *e = stmt_texts__find(&qs->texts, key);
	struct stmt_row *row = e ? e->row : qs->no_text.row;

	if (row)
		hist_add(&row->h, bucket, count);
}

/* ATTACH_STMTS: the rows made again from the kernel's tables. */
static void kernel_rows(struct queries_state *qs, struct attach_session *s)
{
	int err;

	stmt_table__clear(&qs->rows);
	stmt_texts__unlink(&qs->texts);
	qs->no_text.row = NULL;
	qs->not_kept = 0;
	err = attach_session__stmts(s, on_kernel_stmt, qs);
	if (!err)
		err = attach_session__stmt_buckets(s, on_kernel_bucket, qs);
	if (err && !qs->err)
		qs->err = err;
}

/* --serve: each query (normalized) as a method of the runtime's lang. */
static int queries_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct queries_state *qs = ctx;
	struct metrics_call *c;
	struct stmt_row **v;
	uint64_t folded;
	size_t i;

	if (qs->kernel)
		kernel_rows(qs, s);
	v = stmt_table__sorted(&qs->rows);
	c = calloc(qs->rows.nr ? qs->rows.nr : 1, sizeof(*c));
	if (!v || !c) {
		free(v);
		free(c);
		return -ENOMEM;
	}
	for (i = 0; i < qs->rows.nr; i++)
		c[i] = (struct metrics_call){ v[i]->text, v[i]->count, v[i]->total_ns, 0 };
	folded = metrics_calls(out, qs->lc.a->lang, c, qs->rows.nr, qs->lc.max_series);
	if (!qs->kernel)	/* pairs: a failed statement ends without query__done */
		stmt_unmatched__prom(out, attach_session__unmatched(s));
	serve_common_families(out, s, folded);
	free(c);
	free(v);
	return 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct queries_state *qs = ctx;
	struct stmt_row **v;
	size_t i, nr, n;
	uint64_t unmatched = qs->kernel ? 0 : attach_session__unmatched(s), total = 0;

	if (qs->kernel)
		kernel_rows(qs, s);
	v = stmt_table__sorted(&qs->rows);
	nr = qs->rows.nr;
	n = qs->top > 0 && (size_t)qs->top < nr ? (size_t)qs->top : nr;
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
		stmt_rows__header(qs->w->out, qs->rows.figures);
	}
	for (i = 0; i < nr; i++) {
		total += v[i]->count;
		if (i >= n)
			continue;
		if (qs->w->json)
			stmt_row__write_json(qs->w->out, qs->lc.a->lang, v[i], qs->rows.figures,
					     now, final);
		else
			stmt_row__write_text(qs->w->out, v[i], qs->rows.figures);
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

/*
 * Statements timed from query__start to query__done, every pair sent: a
 * server whose structs are not known here, or --raw.
 */
static int prepare_pairs(struct queries_state *qs)
{
	int err = lang_cmd__prepare(&qs->lc, (1u << LANG_QUERY_BEGIN) | (1u << LANG_QUERY_END),
				    ATTACH_LATENCY);

	if (!err) {
		const struct probe_spec *b = &qs->lc.o.probes[0], *e = &qs->lc.o.probes[1];

		snprintf(qs->begin_label, sizeof(qs->begin_label), "%s:%s", b->provider, b->name);
		qs->end_label = e->name;
	}
	qs->lc.ao.latency.slow_ns = 1;	/* every pair, whole: rows made here */
	qs->lc.ao.latency.flat = true;
	return err;
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
	qs->no_text = (struct stmt_text){
		.text = "<text not read>", .len = 15, .got = 15, .seq = UINT64_MAX,
		.key.utility = true,
	};
	qs->rows.raw = o->raw;
	qs->top = o->top;
	qs->slow_ns = o->slow_ns;
	hooks.ctx = qs;
	if (!o->strlen_set)
		o->run.str_len = QUERY_STR_LEN;
	lang_cmd__init(&qs->lc, name, o);
	err = o->raw ? -EOPNOTSUPP : lang_cmd__prepare_stmts(&qs->lc, &qs->layout, !o->no_plan);
	if (!err) {
		qs->kernel = true;
		hooks.on_event = on_stmt_event;
		hooks.on_slow = NULL;
		qs->lc.ao.latency.slow_ns = o->slow_ns;	/* --min: the kernel sends those */
	} else if (err == -EOPNOTSUPP) {
		err = prepare_pairs(qs);
	}
	if (!err)
		err = lang_cmd__serve(&qs->lc, queries_render, &hooks);
	status = err ? 1 : lang_cmd__run(&qs->lc, &hooks, &w);
	lang_cmd__free(&qs->lc);
	stmt_table__free(&qs->rows);
	stmt_texts__free(&qs->texts);
	stmt_text__clear(&qs->no_text);
	free(qs);
	return status;
}
