// SPDX-License-Identifier: MIT
/*
 * cmd_stat.c - `usdtrace stat -l LANG`: per interval, a runtime's GC runs
 * and GC time, allocations (and bytes, where the runtime says), threads
 * started and stopped, and classes or files loaded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"
#include "db_stat.h"
#include "lang_cmd.h"

#define GC_THREADS 64

struct stat_counts {
	uint64_t gc;
	uint64_t gc_ns;
	uint64_t allocs;
	uint64_t alloc_bytes;
	uint64_t threads_started;
	uint64_t threads_stopped;
	uint64_t loaded;
	uint64_t exceptions;
};

struct stat_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	struct stat_counts total;
	struct stat_counts prev;
	struct {
		uint32_t tid;
		uint64_t ts;
	} gc_open[GC_THREADS];		/* GC begins waiting for their end */
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

static void gc_begin(struct stat_state *st, const struct ut_event *ev)
{
	int i;

	for (i = 0; i < GC_THREADS; i++) {
		if (!st->gc_open[i].ts || st->gc_open[i].tid == ev->tid) {
			st->gc_open[i].tid = ev->tid;
			st->gc_open[i].ts = ev->ts;
			break;
		}
	}
	st->total.gc++;
}

static void gc_end(struct stat_state *st, const struct ut_event *ev)
{
	int i;

	for (i = 0; i < GC_THREADS; i++) {
		if (st->gc_open[i].ts && st->gc_open[i].tid == ev->tid) {
			st->total.gc_ns += ev->ts - st->gc_open[i].ts;
			st->gc_open[i].ts = 0;
			break;
		}
	}
}

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct stat_state *st = ctx;
	int size_arg = st->lc.a->alloc_size_arg;

	st->w->events++;
	switch (lang_cmd__event(&st->lc, site)) {
	case LANG_GC_BEGIN:
		gc_begin(st, ev);
		break;
	case LANG_GC_END:
		gc_end(st, ev);
		break;
	case LANG_ALLOC:
		st->total.allocs++;
		if (size_arg >= 0 && size_arg < site->nr_args)
			st->total.alloc_bytes += ev->args[size_arg];
		break;
	case LANG_THREAD_START:
		st->total.threads_started++;
		break;
	case LANG_THREAD_STOP:
		st->total.threads_stopped++;
		break;
	case LANG_LOAD:
		st->total.loaded++;
		break;
	case LANG_EXCEPTION:
		st->total.exceptions++;
		break;
	default:
		break;
	}
}

static void print_counts(struct stat_state *st, const struct stat_counts *c, uint64_t now,
			 bool final)
{
	FILE *out = st->w->out;
	bool bytes = st->lc.a->alloc_size_arg >= 0;

	if (st->w->json) {
		fprintf(out, "{\"type\":\"stat\",\"lang\":\"%s\",\"ts\":%" PRIu64 ",%s\"gc\":%"
			PRIu64 ",\"gc_ns\":%" PRIu64 ",\"allocs\":%" PRIu64 ",\"alloc_bytes\":",
			st->lc.a->lang, now, final ? "" : "\"interval\":true,", c->gc, c->gc_ns,
			c->allocs);
		if (bytes)
			fprintf(out, "%" PRIu64, c->alloc_bytes);
		else
			fputs("null", out);
		fprintf(out, ",\"threads_started\":%" PRIu64 ",\"threads_stopped\":%" PRIu64
			",\"loaded\":%" PRIu64 ",\"exceptions\":%" PRIu64 "}\n",
			c->threads_started, c->threads_stopped, c->loaded, c->exceptions);
		return;
	}
	if (!st->last_ns)
		fprintf(out, "%-9s %6s %10s %10s %12s %9s %9s %8s %6s\n", "TIME(s)", "GC",
			"GC_MS", "ALLOCS", "ALLOC_BYTES", "THREADS+", "THREADS-", "LOADED", "EXC");
	char when[24] = "total";

	if (!final)
		snprintf(when, sizeof(when), "%.3f", (double)(now - st->w->t0_ns) / 1e9);
	fprintf(out, "%-9s %6" PRIu64 " %10.3f %10" PRIu64, when, c->gc,
		(double)c->gc_ns / 1e6, c->allocs);
	if (bytes)
		fprintf(out, " %12" PRIu64, c->alloc_bytes);
	else
		fprintf(out, " %12s", "-");
	fprintf(out, " %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %6" PRIu64 "\n",
		c->threads_started, c->threads_stopped, c->loaded, c->exceptions);
}

/* --serve: the totals so far, as counters labelled lang. */
static int stat_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct stat_state *st = ctx;
	const struct stat_counts *c = &st->total;
	const char *lang = st->lc.a->lang;

	serve_lang_counter(out, "usdtrace_gc_total", "Garbage collections begun.", lang, c->gc);
	serve_lang_seconds(out, "usdtrace_gc_seconds_total", "Time in garbage collections.",
			   lang, c->gc_ns);
	serve_lang_counter(out, "usdtrace_allocs_total", "Allocations the runtime reported.",
			   lang, c->allocs);
	if (st->lc.a->alloc_size_arg >= 0)
		serve_lang_counter(out, "usdtrace_alloc_bytes_total", "Bytes allocated.", lang,
				   c->alloc_bytes);
	serve_lang_counter(out, "usdtrace_threads_started_total", "Threads started.", lang,
			   c->threads_started);
	serve_lang_counter(out, "usdtrace_threads_stopped_total", "Threads stopped.", lang,
			   c->threads_stopped);
	serve_lang_counter(out, "usdtrace_loaded_total", "Classes, modules or files loaded.",
			   lang, c->loaded);
	serve_lang_counter(out, "usdtrace_exceptions_total", "Exceptions thrown.", lang,
			   c->exceptions);
	serve_common_families(out, s, 0);
	return 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct stat_state *st = ctx;
	struct stat_counts d = st->total;

	(void)s;
	if (st->lc.serve)	/* served, not printed */
		return;
	if (!final) {
		d.gc -= st->prev.gc;
		d.gc_ns -= st->prev.gc_ns;
		d.allocs -= st->prev.allocs;
		d.alloc_bytes -= st->prev.alloc_bytes;
		d.threads_started -= st->prev.threads_started;
		d.threads_stopped -= st->prev.threads_stopped;
		d.loaded -= st->prev.loaded;
		d.exceptions -= st->prev.exceptions;
		st->prev = st->total;
	}
	print_counts(st, final ? &st->total : &d, now, final);
	st->last_ns = now;
	fflush(st->w->out);
}

static int run_stat(const struct cli_command *cmd, struct cli_opts *o)
{
	struct event_writer w = {};
	struct stat_state st = { .w = &w };
	struct runner_hooks hooks = { .on_event = on_event, .on_tick = on_tick, .ctx = &st };
	unsigned int mask = (1u << LANG_GC_BEGIN) | (1u << LANG_GC_END) | (1u << LANG_ALLOC) |
			    (1u << LANG_THREAD_START) | (1u << LANG_THREAD_STOP) |
			    (1u << LANG_LOAD) | (1u << LANG_EXCEPTION);
	int err, status;

	if (o->lang && lang_adapter__queries(o->lang))
		return db_stat_run(cmd->name, o);
	lang_cmd__init(&st.lc, cmd->name, o);
	err = lang_cmd__prepare(&st.lc, mask, ATTACH_TRACE);
	if (!err)
		err = lang_cmd__serve(&st.lc, stat_render, &hooks);
	status = err ? 1 : lang_cmd__run(&st.lc, &hooks, &w);
	lang_cmd__free(&st.lc);
	return status;
}

const struct cli_command cmd_stat = {
	.name = "stat",
	.summary = "GC, allocations, threads and loads of a runtime per interval",
	.usage = stat_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_LANG) | OPT(OPT_SERVE),
	.str_len = 16,		/* its strings are only names of what loads */
	.interval = 1,
	.no_args = true,
	.run = run_stat,
};
