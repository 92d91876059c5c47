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

#include "commands.h"
#include "report.h"
#include "../writer/flamegraph.h"
#include "../writer/folded.h"
#include "../writer/json.h"
#include "lang_cmd.h"
#include "queries.h"
#include "../util/vec.h"

struct method_figures {
	uint64_t count;
	uint64_t total_ns;
	uint64_t self_ns;
	uint64_t untimed;
};

struct method_row {
	char name[3 * UT_NAME_LEN + 8];
	struct method_figures st;
};

struct calls_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	bool self;
	long top;
	struct method_row *rows;
	size_t nr;
	size_t cap;
	int err;
};

static const char calls_usage[] =
"usage: usdtrace calls -l LANG [--self] [-n TOP] [--json] [-i S] [-d S] [-o FILE]\n"
"                      (-p PID | -c 'CMD')\n"
"       usdtrace calls -l postgresql [--raw] [--min DURATION] [-n TOP] [--json]\n"
"                      [-i S] [-d S] [-o FILE] [-p POSTMASTER | -c 'CMD' | POSTGRES]\n"
"\n"
"Count the calls of every method of a language runtime, with their total\n"
"(inclusive) time, counted in the kernel. LANG: python, java, ruby, php.\n"
"\n"
"With -l postgresql: one row per query (literals replaced by $n, like\n"
"pg_stat_statements) with count, total, mean, max and p99 time, by total\n"
"time. Each backend's statements are paired in the kernel and sent whole\n"
"with their text (--strlen, default 1024 here; a longer one is marked as\n"
"cut). -p POSTMASTER follows the backends it forks; with neither -p nor -c\n"
"the run is system-wide on POSTGRES, or on the first postgres binary with\n"
"probes under /usr/lib/postgresql/*/bin.\n"
"      --raw          rows by the text as sent, literals kept\n"
"      --min D        also print each statement at least D long (10ms; ns,\n"
"                     us, ms, s) with its full text, pid and duration\n"
"\n"
"  -l, --lang LANG    the runtime\n"
"  -m, --method GLOB  only methods whose name matches (Python: the function,\n"
"                     Java, Ruby, PHP: the method), in the kernel\n"
"      --self         also the exclusive time (without callees)\n"
"      --folded FILE  also write \"LANG;method count\" lines (flow has stacks)\n"
"      --weight time  fold total nanoseconds instead of call counts\n"
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
"  usdtrace calls -l postgresql --min 30ms -d 60\n";

static void add_method(void *ctx, const struct ut_method_key *key,
		       const struct ut_method_stats *st)
{
	struct calls_state *cs = ctx;
	const char *parts[3];
	char n[3][UT_NAME_LEN + 1];
	struct method_row *r;
	int i;

	if (VEC_RESERVE(cs->rows, cs->cap, cs->nr + 1)) {
		cs->err = -ENOMEM;
		return;
	}
	for (i = 0; i < 3; i++) {
		memcpy(n[i], key->name[i], UT_NAME_LEN);
		n[i][UT_NAME_LEN] = '\0';
		parts[i] = cs->lc.a->ident[i] >= 0 ? n[i] : NULL;
	}
	r = &cs->rows[cs->nr++];
	lang_method_name(cs->lc.a, parts, r->name, sizeof(r->name));
	r->st.count = st->count;
	r->st.total_ns = st->total_ns;
	r->st.self_ns = st->self_ns;
	r->st.untimed = st->untimed;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct method_row *x = a, *y = b;

	if (x->st.count != y->st.count)
		return x->st.count < y->st.count ? 1 : -1;
	if (x->st.total_ns != y->st.total_ns)
		return x->st.total_ns < y->st.total_ns ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void print_rows(struct calls_state *cs, uint64_t now, bool final)
{
	FILE *out = cs->w->out;
	size_t i, n = cs->top > 0 && (size_t)cs->top < cs->nr ? (size_t)cs->top : cs->nr;
	int w = 6;

	for (i = 0; i < n; i++) {
		int len = (int)strlen(cs->rows[i].name);

		w = len > w ? len : w;
	}
	if (!cs->w->json) {
		if (!final)
			fprintf(out, "%.3fs:\n", (double)(now - cs->w->t0_ns) / 1e9);
		fprintf(out, "%-*s %10s %14s%s\n", w, "METHOD", "CALLS", "TOTAL_MS",
			cs->self ? "        SELF_MS" : "");
	}
	for (i = 0; i < n; i++) {
		const struct method_row *r = &cs->rows[i];

		if (cs->w->json) {
			fprintf(out, "{\"type\":\"calls\",\"lang\":\"%s\",\"method\":", cs->lc.a->lang);
			json_write_str(out, r->name);
			fprintf(out, ",\"count\":%" PRIu64 ",\"total_ns\":%" PRIu64, r->st.count,
				r->st.total_ns);
			if (cs->self)
				fprintf(out, ",\"self_ns\":%" PRIu64, r->st.self_ns);
			fprintf(out, ",\"untimed\":%" PRIu64, r->st.untimed);
			if (!final)
				fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, now);
			fputs("}\n", out);
			continue;
		}
		fprintf(out, "%-*s %10" PRIu64, w, r->name, r->st.count);
		if (r->st.untimed == r->st.count) {
			/* no call of it was timed: no time to show, not 0 */
			fprintf(out, " %14s", "-");
			if (cs->self)
				fprintf(out, " %14s", "-");
			fputc('\n', out);
			continue;
		}
		fprintf(out, " %14.3f", (double)r->st.total_ns / 1e6);
		if (cs->self)
			fprintf(out, " %14.3f", (double)r->st.self_ns / 1e6);
		fputc('\n', out);
	}
}

static void report_gaps(const struct calls_state *cs)
{
	uint64_t untimed = 0, total = 0;
	size_t i;

	for (i = 0; i < cs->nr; i++) {
		untimed += cs->rows[i].st.untimed;
		total += cs->rows[i].st.count;
	}
	const char *q = cs->lc.a->quirk;

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
	char stack[sizeof(cs->rows[0].name) + 16];
	size_t i;
	int err = 0;

	if (!cs->lc.o.folded_path && !cs->lc.o.flamegraph_path)
		return;
	for (i = 0; i < cs->nr && !err; i++) {
		const struct method_row *r = &cs->rows[i];

		snprintf(stack, sizeof(stack), "%s;%s", cs->lc.a->lang, r->name);
		err = folded__add(&f, stack, cs->lc.o.weight_time ? r->st.total_ns : r->st.count);
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

	cs->nr = 0;
	cs->err = 0;
	err = attach_session__methods(s, add_method, cs);
	if (err || cs->err)
		return err ? err : cs->err;
	if (cs->nr > 1)
		qsort(cs->rows, cs->nr, sizeof(*cs->rows), cmp_rows);
	return 0;
}

/* --serve: the calls' families as the kernel's counters are now. */
static int calls_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct calls_state *cs = ctx;
	struct serve_call *v;
	uint64_t folded;
	size_t i;
	int err = read_rows(cs, s);

	if (err)
		return err;
	v = calloc(cs->nr ? cs->nr : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < cs->nr; i++)
		v[i] = (struct serve_call){ cs->rows[i].name, cs->rows[i].st.count,
					    cs->rows[i].st.total_ns, cs->rows[i].st.untimed };
	folded = serve_calls_families(out, cs->lc.a->lang, v, cs->nr, cs->lc.max_series);
	serve_common_families(out, s, folded);
	free(v);
	return 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct calls_state *cs = ctx;
	struct attach_stats st;
	size_t i;
	int err = read_rows(cs, s);

	if (err) {
		usdtrace_err("calls: reading the methods: %s", strerror(-err));
		return;
	}
	if (!cs->lc.serve)	/* served, not printed: the summary still counts them */
		print_rows(cs, now, final);
	fflush(cs->w->out);
	if (!final)
		return;
	cs->w->events = 0;
	for (i = 0; i < cs->nr; i++)
		cs->w->events += cs->rows[i].st.count;
	report_gaps(cs);
	write_folded(cs);
	attach_session__stats(s, &st);
	if (!st.sites)
		fprintf(stderr, "usdtrace: warning: no %s probes in the traced objects (%s)\n",
			cs->lc.a->lang, cs->lc.a->runtime);
}

static int run_calls(const struct cli_command *cmd, struct cli_opts *o)
{
	struct event_writer w = {};
	struct calls_state cs = { .w = &w, .self = o->self, .top = o->top };
	struct runner_hooks hooks = { .on_tick = on_tick, .ctx = &cs };
	int err, status;

	if (o->lang && lang_adapter__queries(o->lang))
		return queries_run(cmd->name, o);
	if (o->slow_ns || o->raw) {
		usdtrace_err("%s: %s is for a database runtime (-l postgresql)", cmd->name,
			     o->slow_ns ? "--min" : "--raw");
		return 1;
	}
	lang_cmd__init(&cs.lc, cmd->name, o);
	err = lang_cmd__prepare(&cs.lc, (1u << LANG_ENTRY) | (1u << LANG_RETURN), ATTACH_CALLS);
	if (!err)
		err = lang_cmd__serve(&cs.lc, calls_render, &hooks);
	status = err ? 1 : lang_cmd__run(&cs.lc, &hooks, &w);
	lang_cmd__free(&cs.lc);
	free(cs.rows);
	return status;
}

const struct cli_command cmd_calls = {
	.name = "calls",
	.summary = "per-method call counts and times of a runtime (-l LANG)",
	.usage = calls_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_LANG) | OPT(OPT_METHOD) | OPT(OPT_SELF) |
		OPT(OPT_TOP) | OPT(OPT_FOLDED) | OPT(OPT_WEIGHT) | OPT(OPT_MIN) | OPT(OPT_RAW) |
		OPT(OPT_FLAMEGRAPH) | OPT(OPT_SERVE) | OPT(OPT_MAX_SERIES),
	.no_args = true,
	.run = run_calls,
};
