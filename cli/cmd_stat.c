// SPDX-License-Identifier: MIT
/*
 * cmd_stat.c - `usdtrace stat -l LANG`: per interval, a runtime's GC runs
 * and GC time, allocations (and bytes, where the runtime says), threads
 * started and stopped, and classes or files loaded: the probes stream as
 * events, lang-adapters/rt_stat.c adds them up, writer/stat.c prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lang-adapters/rt_stat.h"
#include "../writer/stat.h"
#include "commands.h"
#include "report.h"
#include "db_stat.h"
#include "lang_cmd.h"

struct stat_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	struct rt_stat st;
	uint64_t last_ns;
};

static const char stat_usage[] =
"usage: usdtrace stat -l LANG [-i SECONDS] [--json] [-d S] [-o FILE] (-p PID | -c 'CMD')\n"
"       usdtrace stat -l postgresql [-i S] [--json] [-d S] [-o FILE]\n"
"                     [-p POSTMASTER | -c 'CMD' | POSTGRES]\n"
"\n"
"Per interval (default 1 s) and in total: GC runs and time, allocations\n"
"(bytes where the runtime gives them), threads started and stopped,\n"
"classes, modules or files loaded, and exceptions thrown (PHP). LANG:\n"
"python, java, ruby, php.\n"
"\n"
"With -l postgresql: transactions committed and aborted, statements\n"
"finished, heavyweight lock waits (count and time, by lock mode), lwlock\n"
"waits (by tranche), buffer reads and shared-buffer hits, sorts,\n"
"checkpoints and deadlocks; -p POSTMASTER follows its backends, and with\n"
"neither -p nor -c the run is system-wide on POSTGRES or the one found.\n"
"\n"
"  --serve HOST:PORT  run until stopped, serving the totals as Prometheus\n"
"                     counters labelled lang (usdtrace_gc_total, ...,\n"
"                     usdtrace_db_commits_total, ...) on GET /metrics\n"
"\n"
"Examples:\n"
"  usdtrace stat -l java -c 'java -XX:+ExtendedDTraceProbes -cp build/workloads Work'\n"
"  usdtrace stat -l python -i 5 -p 1234\n"
"  usdtrace stat -l postgresql -i 10\n";

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct stat_state *ss = ctx;

	ss->w->events++;
	rt_stat__hit(&ss->st, lang_cmd__event(&ss->lc, site), ev->tid, ev->ts,
		     (const uint64_t *)ev->args, site->nr_args);
}

/* --serve: the totals so far, as counters labelled lang. */
static int stat_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct stat_state *ss = ctx;

	rt_counts__prom(out, ss->lc.a, &ss->st.total);
	serve_common_families(out, s, 0);
	return 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct stat_state *ss = ctx;
	struct rt_counts d = ss->st.total;
	char when[24] = "total";

	(void)s;
	if (ss->lc.serve)	/* served, not printed */
		return;
	if (!final)
		rt_stat__interval(&ss->st, &d);
	if (ss->w->json) {
		rt_counts__write_json(ss->w->out, ss->lc.a, &d, now, final);
	} else {
		if (!final)
			snprintf(when, sizeof(when), "%.3f", (double)(now - ss->w->t0_ns) / 1e9);
		rt_counts__write_text(ss->w->out, ss->lc.a, &d, !ss->last_ns, when);
	}
	ss->last_ns = now;
	fflush(ss->w->out);
}

static int run_stat(const struct cli_command *cmd, struct cli_opts *o)
{
	struct event_writer w = {};
	struct stat_state ss = { .w = &w };
	struct runner_hooks hooks = { .on_event = on_event, .on_tick = on_tick, .ctx = &ss };
	int err, status;

	if (o->lang && lang_adapter__queries(o->lang))
		return db_stat_run(cmd->name, o);
	lang_cmd__init(&ss.lc, cmd->name, o);
	rt_stat__init(&ss.st, ss.lc.a);
	err = lang_cmd__prepare(&ss.lc, RT_STAT_EVENTS, ATTACH_TRACE);
	if (!err)
		err = lang_cmd__serve(&ss.lc, stat_render, &hooks);
	status = err ? 1 : lang_cmd__run(&ss.lc, &hooks, &w);
	lang_cmd__free(&ss.lc);
	return status;
}

const struct cli_command cmd_stat = {
	.name = "stat",
	.summary = "GC, allocations, threads and loads of a runtime per interval",
	.usage = stat_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_LANG) | OPT(OPT_SERVE) | OPT(OPT_WEB_CONFIG),
	.str_len = 16,		/* its strings are only names of what loads */
	.interval = 1,
	.no_args = true,
	.run = run_stat,
};
