// SPDX-License-Identifier: MIT
/*
 * db_stat.c - `usdtrace stat` on a database runtime (-l postgresql): its
 * probes stream as events, lang-adapters/db_stat.c adds them up, and the
 * counts go to the writer per interval and in total (writer/db.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lang-adapters/db_stat.h"
#include "../writer/db.h"
#include "../writer/decode.h"
#include "db_stat.h"
#include "lang_cmd.h"
#include "report.h"

struct db_stat_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	struct db_stat st;
	uint64_t last_ns;
};

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct db_stat_state *ds = ctx;
	struct db_hit h = {
		.event = lang_cmd__event(&ds->lc, site), .tid = ev->tid, .ts = ev->ts,
		.args = (const uint64_t *)ev->args, .nr_args = site->nr_args,
	};

	if (!(ev->faulted & 1) && site->nr_args && site->fmt[0] == 's')
		h.str0 = event_str_arg(ev, site, 0, &h.len0);
	ds->w->events++;
	db_stat__hit(&ds->st, &h);
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct db_stat_state *ds = ctx;
	struct db_counts *d;
	char when[24] = "total";

	(void)s;
	if (ds->lc.serve)	/* served, not printed */
		return;
	d = malloc(sizeof(*d));
	if (!d) {
		usdtrace_err("stat: %s", strerror(ENOMEM));
		return;
	}
	if (final)
		*d = ds->st.total;
	else
		db_stat__interval(&ds->st, d);
	if (ds->w->json) {
		db_counts__write_json(ds->w->out, ds->lc.a->lang, d, now, final);
	} else {
		if (!final)
			snprintf(when, sizeof(when), "%.3f", (double)(now - ds->w->t0_ns) / 1e9);
		db_counts__write_text(ds->w->out, d, !ds->last_ns, when);
	}
	ds->last_ns = now;
	fflush(ds->w->out);
	free(d);
}

/* --serve: the totals so far. */
static int db_stat_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct db_stat_state *ds = ctx;

	db_counts__prom(out, ds->lc.a->lang, &ds->st.total);
	serve_common_families(out, s, 0);
	return 0;
}

int db_stat_run(const char *name, struct cli_opts *o)
{
	struct event_writer w = {};
	struct db_stat_state *ds = calloc(1, sizeof(*ds));
	struct runner_hooks hooks = { .on_event = on_event, .on_tick = on_tick };
	int err, status;

	if (!ds) {
		usdtrace_err("%s: %s", name, strerror(ENOMEM));
		return 1;
	}
	ds->w = &w;
	hooks.ctx = ds;
	if (!o->strlen_set)
		o->run.str_len = DB_NAME_LEN;	/* lwlock tranche names */
	lang_cmd__init(&ds->lc, name, o);
	db_stat__init(&ds->st, ds->lc.a);
	err = lang_cmd__prepare(&ds->lc, DB_STAT_EVENTS, ATTACH_TRACE);
	if (!err)
		err = lang_cmd__serve(&ds->lc, db_stat_render, &hooks);
	status = err ? 1 : lang_cmd__run(&ds->lc, &hooks, &w);
	lang_cmd__free(&ds->lc);
	free(ds);
	return status;
}
