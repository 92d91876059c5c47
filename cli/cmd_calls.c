// SPDX-License-Identifier: MIT
/*
 * cmd_calls.c - `usdtrace calls -l LANG`: per-method call counts and times
 * of a language runtime, aggregated in the kernel: a per-thread stack of
 * open calls and a hash of method name -> count, inclusive and exclusive
 * time. Counts come from returns, so they stay exact where a runtime skips
 * entries (CPython 3.11); such calls are counted but not timed, and said.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agg/methods.h"
#include "../writer/calls.h"
#include "../writer/flamegraph.h"
#include "../writer/folded.h"
#include "../writer/metrics.h"
#include "commands.h"
#include "lang_cmd.h"
#include "queries.h"
#include "rpcs.h"
#include "report.h"

struct calls_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	bool self;
	long top;
	struct method_table rows;
	int err;
};

static const char calls_usage[] =
"usage: usdtrace calls -l LANG [--self] [-n TOP] [--json] [-i S] [-d S] [-o FILE]\n"
"                      (-p PID | -c 'CMD')\n"
"       usdtrace calls -l postgresql [--raw | --no-plan] [--min DURATION] [-n TOP] [--json]\n"
"                      [-i S] [-d S] [-o FILE] [-p POSTMASTER | -c 'CMD' | POSTGRES]\n"
"       usdtrace calls -l libvirt [-n TOP] [--json] [-i S] [-d S] [-o FILE] [-p PID | -c 'CMD']\n"
"\n"
"Count the calls of every method of a language runtime, with their total\n"
"(inclusive) time, counted in the kernel. LANG: python, java, ruby, php.\n"
"A recursive method's total counts each outermost call once (as gprof).\n"
"\n"
"With -l postgresql: pg_stat_statements' rows (top-level statements of\n"
"every protocol, literals replaced by $n) with calls, rows, execution and\n"
"planning time, counted in the kernel from the executor's functions\n"
"(PostgreSQL 15; other versions: the query probes, simple protocol only).\n"
"-p POSTMASTER follows its backends, those already running too; with\n"
"neither -p nor -c the run is system-wide on POSTGRES, or on the first\n"
"postgres binary with probes under /usr/lib/postgresql/*/bin.\n"
"      --no-plan      planning not timed (as pgss's track_planning = off):\n"
"                     two probe hits a statement fewer\n"
"      --raw          rows by the text as sent, literals kept (the query\n"
"                     probes, paired in the kernel; --strlen, default 1024)\n"
"      --min D        also print each statement at least D long (10ms; ns,\n"
"                     us, ms, s) with its full text, pid and duration\n"
"\n"
"With -l libvirt: one row per RPC procedure and end (client: a call sent\n"
"until its reply came; server: received until answered), calls, errors and\n"
"latency, each call paired with its reply by serial whatever the thread;\n"
"procedures named from libvirtd's own dispatch tables (REMOTE_PROC_...).\n"
"Without -p or -c every process using libvirt.so.0, clients and daemons.\n"
"\n"
"  -l, --lang LANG    the runtime\n"
"  -m, --method GLOB  only methods whose name matches, in the kernel: as shown\n"
"                     (Work.mid*, Work#leaf, Work::*) or the method alone\n"
"      --self         also the exclusive time (without callees)\n"
"      --folded FILE  also write \"LANG;method count\" lines (flow has stacks)\n"
"      --weight time  fold self nanoseconds instead of call counts\n"
"      --flamegraph FILE.svg  also draw them as an SVG flame graph\n"
"  -n, --top N        only the N methods called most\n"
"      --serve HOST:PORT  run until stopped, serving the figures as Prometheus\n"
"                     metrics (usdtrace_calls_total, usdtrace_call_seconds_total)\n"
"      --max-series N methods served (default 10000); the rest as method other\n"
"  -i, --interval S   print the figures so far every S seconds\n"
"  -c, -p, -d, -o, --json  as for trace\n"
"\n"
"Java needs -XX:+ExtendedDTraceProbes for its method probes; PHP needs\n"
"USE_ZEND_DTRACE=1 (set for -c). Python 3.11 fires few entry probes: its\n"
"counts stay exact (from returns), the calls without an entry are not timed.\n"
"\n"
"Examples:\n"
"  usdtrace calls -l python -c 'python3.11 tests/workloads/work.py'\n"
"  usdtrace calls -l java --self -n 10 -c 'java -XX:+ExtendedDTraceProbes -cp build/workloads Work'\n"
"  usdtrace calls -l ruby -p 1234 -d 10\n"
"  usdtrace calls -l postgresql --min 30ms -d 60\n"
"  usdtrace calls -l libvirt -d 30 -n 10\n";

static void add_method(void *ctx, const struct ut_method_key *key,
		       const struct ut_method_stats *st)
{
	struct calls_state *cs = ctx;
	struct method_row *r = method_table__add(&cs->rows);
	const char *parts[3];
	char n[3][UT_NAME_LEN + 1];
	int i;

	if (!r) {
		cs->err = -ENOMEM;
		return;
	}
	for (i = 0; i < 3; i++) {
		memcpy(n[i], key->name[i], UT_NAME_LEN);
		n[i][UT_NAME_LEN] = '\0';
		parts[i] = cs->lc.a->ident[i] >= 0 ? n[i] : NULL;
	}
	lang_method_name(cs->lc.a, parts, r->name, sizeof(r->name));
	r->count = st->count;
	r->total_ns = st->total_ns;
	r->self_ns = st->self_ns;
	r->untimed = st->untimed;
}

static void report_gaps(const struct calls_state *cs)
{
	const char *q = cs->lc.a->quirk;
	uint64_t untimed, total;

	method_table__sums(&cs->rows, &total, &untimed);
	if (untimed)
		fprintf(stderr, "usdtrace: %s: %" PRIu64 " of %" PRIu64 " calls had no entry "
			"probe: counted, not timed%s%s%s\n", cs->lc.a->lang, untimed, total,
			q ? " (" : "", q ? q : "", q ? ")" : "");
}

/*
 * calls keeps no stacks (that is what makes it cheap): its folded output is
 * one frame per method under the runtime's name. flow gives full stacks.
 */
static void write_folded(const struct calls_state *cs)
{
	struct folded f = {};
	char stack[sizeof(cs->rows.rows[0].name) + 16];
	size_t i;
	int err = 0;

	if (!cs->lc.o.folded_path && !cs->lc.o.flamegraph_path)
		return;
	for (i = 0; i < cs->rows.nr && !err; i++) {
		const struct method_row *r = &cs->rows.rows[i];

		snprintf(stack, sizeof(stack), "%s;%s", cs->lc.a->lang, r->name);
		/* self time: a flame graph adds children into parents */
		err = folded__add(&f, stack, cs->lc.o.weight_time ? r->self_ns : r->count);
	}
	if (!err && cs->lc.o.folded_path && (err = folded__write(&f, cs->lc.o.folded_path)))
		usdtrace_err("%s: %s", cs->lc.o.folded_path, strerror(-err));
	if (!err && cs->lc.o.flamegraph_path &&
	    (err = flamegraph__write(&f, cs->lc.o.flamegraph_path, "usdtrace calls",
				     cs->lc.o.weight_time ? "ns" : "calls")))
		usdtrace_err("%s: %s", cs->lc.o.flamegraph_path, strerror(-err));
	folded__free(&f);
}

/* The methods' figures as the kernel has them now, sorted. 0 or -Exxx. */
static int read_rows(struct calls_state *cs, struct attach_session *s)
{
	int err;

	method_table__reset(&cs->rows);
	cs->err = 0;
	err = attach_session__methods(s, add_method, cs);
	if (err || cs->err)
		return err ? err : cs->err;
	method_table__sort(&cs->rows);
	return 0;
}

/* --serve: the calls' families as the kernel's counters are now. */
static int calls_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct calls_state *cs = ctx;
	struct metrics_call *v;
	uint64_t folded;
	size_t i;
	int err = read_rows(cs, s);

	if (err)
		return err;
	v = calloc(cs->rows.nr ? cs->rows.nr : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < cs->rows.nr; i++) {
		const struct method_row *r = &cs->rows.rows[i];

		v[i] = (struct metrics_call){ r->name, r->count, r->total_ns, r->untimed };
	}
	folded = metrics_calls(out, cs->lc.a->lang, v, cs->rows.nr, cs->lc.max_series);
	serve_common_families(out, s, folded);
	free(v);
	return 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct calls_state *cs = ctx;
	struct calls_view v = {
		.lang = cs->lc.a->lang, .json = cs->w->json, .final = final, .self = cs->self,
		.now_ns = now, .elapsed_s = (double)(now - cs->w->t0_ns) / 1e9, .top = cs->top,
	};
	uint64_t untimed;
	int err = read_rows(cs, s);

	if (err) {
		usdtrace_err("calls: reading the methods: %s", strerror(-err));
		return;
	}
	if (!cs->lc.serve)	/* served, not printed: the summary still counts them */
		method_rows__write(cs->w->out, &cs->rows, &v);
	fflush(cs->w->out);
	if (!final)
		return;
	method_table__sums(&cs->rows, &cs->w->events, &untimed);
	report_gaps(cs);
	write_folded(cs);
}

static int run_calls(const struct cli_command *cmd, struct cli_opts *o)
{
	struct event_writer w = {};
	struct calls_state cs = { .w = &w, .self = o->self, .top = o->top };
	struct runner_hooks hooks = { .on_tick = on_tick, .ctx = &cs };
	int err, status;

	if (o->lang && lang_adapter__queries(o->lang))
		return queries_run(cmd->name, o);
	if (o->lang && lang_adapter__rpcs(o->lang))
		return rpcs_run(cmd->name, o);
	if (o->slow_ns || o->raw || o->no_plan) {
		usdtrace_err("%s: %s is for a database runtime (-l postgresql)", cmd->name,
			     o->slow_ns ? "--min" : o->raw ? "--raw" : "--no-plan");
		return 1;
	}
	lang_cmd__init(&cs.lc, cmd->name, o);
	err = lang_cmd__prepare(&cs.lc, (1u << LANG_ENTRY) | (1u << LANG_RETURN), ATTACH_CALLS);
	if (!err)
		err = lang_cmd__serve(&cs.lc, calls_render, &hooks);
	status = err ? 1 : lang_cmd__run(&cs.lc, &hooks, &w);
	lang_cmd__free(&cs.lc);
	method_table__free(&cs.rows);
	return status;
}

const struct cli_command cmd_calls = {
	.name = "calls",
	.summary = "per-method call counts and times of a runtime (-l LANG)",
	.usage = calls_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_LANG) | OPT(OPT_METHOD) | OPT(OPT_SELF) |
		OPT(OPT_TOP) | OPT(OPT_FOLDED) | OPT(OPT_WEIGHT) | OPT(OPT_MIN) | OPT(OPT_RAW) |
		OPT(OPT_NO_PLAN) |
		OPT(OPT_FLAMEGRAPH) | OPT(OPT_SERVE) | OPT(OPT_WEB_CONFIG) | OPT(OPT_MAX_SERIES),
	.no_args = true,
	.run = run_calls,
};
