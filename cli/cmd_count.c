// SPDX-License-Identifier: MIT
/*
 * cmd_count.c - `usdtrace count`: exact hit counts per probe, per site or
 * per process, counted in the kernel (no event crosses the ring buffer),
 * printed every -i seconds (the interval's counts) and at the end (totals).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agg/keytab.h"
#include "../attach/key_layout.h"
#include "../writer/keys.h"
#include "commands.h"
#include "report.h"
#include "runner.h"
#include "serve.h"
#include "stack_count.h"

struct count_state {
	struct key_layout layout;	/* --by; no parts: per probe, or per site */
	struct keytab rows;
	long top;			/* -n */
	struct event_writer *w;
	uint64_t t0_ns;
	struct serve *serve;		/* --serve */
	uint32_t max_series;
};

static const char count_usage[] =
"usage: usdtrace count [--json] [-i SECONDS] [--by KEY[,KEY...]] [--max-keys N] [-n TOP]\n"
"                      [-d SECONDS] [-o FILE] [-p PID | -c 'CMD'] PROBE...\n"
"       usdtrace count --by stack [--stack-mode fp|dwarf] [--folded FILE]\n"
"                      [--flamegraph FILE.svg] [-n TOP] [...] PROBE...\n"
"\n"
"Count every hit of each probe exactly, in the kernel: a hot probe costs no\n"
"more than the uprobe itself. PROBE as for trace: FMT is ignored, but a\n"
"predicate /EXPR/ counts only the hits it accepts (the rest: filtered).\n"
"\n"
"  --by KEY,...        one counter per probe (default) and value of each KEY:\n"
"                       site, pid, tid, comm, argN (a string's content where\n"
"                       FMT is s, the value otherwise); built in the kernel\n"
"  --by stack          one counter per probe and user stack (unwound and\n"
"                       symbolized as trace --stack does, counted here; with\n"
"                       --stack-mode fp counted in the kernel by stack id)\n"
"  --folded FILE        with --by stack: \"probe;root;...;leaf count\" lines\n"
"  --flamegraph FILE.svg  with --by stack: an SVG flame graph (hover, zoom)\n"
"  --serve HOST:PORT    run until stopped, serving the counts as Prometheus\n"
"                       metrics on GET /metrics (read from the kernel at each\n"
"                       scrape), /healthz once attached\n"
"  --max-series N       series served (default 10000); the rest summed into\n"
"                       one labelled \"other\"\n"
"  --max-keys N         keys the kernel keeps (default 10240); hits of keys\n"
"                       past that are counted in one overflow row\n"
"  -n, --top N          only the N largest counts\n"
"  -i, --interval S     also print each interval's counts every S seconds\n"
"  -c, -p, -d, -o, -v, --json, --no-multi  as for trace\n"
"\n"
"Examples:\n"
"  usdtrace count -c 'build/samples/sample -n 4000' 'sample:*'\n"
"  usdtrace count -p 1234 -i 1 'python:function__*'\n"
"  usdtrace count --by pid -d 10 /usr/bin/python3.11:python:gc__start\n"
"  usdtrace count --comm 'samp*' -c 'build/samples/sample -n 100' 'sample:loop /arg0 >= 90/'\n"
"  usdtrace count --by stack --flamegraph deep.svg -c 'build/samples/deep -n 100' deep:leaf\n"
"  usdtrace count --by arg0 -c 'build/samples/sample -n 300' 'sample:str(s,d)'\n";

/* Every counter read from the kernel again into the rows' totals, sorted. */
static int count_read(struct count_state *cs, struct attach_session *s)
{
	int err;

	keytab__zero(&cs->rows);
	err = attach_session__count_rows(s, &cs->rows);
	keytab__sort(&cs->rows, NULL);
	return err;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct count_state *cs = ctx;
	struct count_table_view v = {
		.json = cs->w->json, .final = final, .now_ns = now,
		.elapsed_s = (double)(now - cs->t0_ns) / 1e9, .top = cs->top,
		.overflow = attach_session__key_overflow(s),
	};
	int err;

	/* --serve: served, not printed; only the summary's count at the end */
	if (cs->serve && !final)
		return;
	err = count_read(cs, s);
	if (err) {
		usdtrace_err("count: reading the counters: %s", strerror(-err));
		return;
	}
	if (!cs->serve)
		count_table__write(cs->w->out, &cs->rows, &v);
	keytab__advance(&cs->rows);
	cs->w->events = keytab__sum(&cs->rows) + v.overflow;
	cs->w->overflow = v.overflow;
	fflush(cs->w->out);
}

/* --serve: the Prometheus text of the counters as they are now. */
static int count_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct count_state *cs = ctx;
	uint64_t folded;
	int err = count_read(cs, s);

	if (err)
		return err;
	folded = count_table__prom(out, &cs->rows, cs->max_series,
				   attach_session__key_overflow(s));
	serve_common_families(out, s, folded);
	return 0;
}

static int run_count(const struct cli_command *cmd, struct cli_opts *o)
{
	struct attach_opts ao = { .mode = ATTACH_COUNT };
	struct event_writer w = {};
	struct count_state cs = { .w = &w, .top = o->top };
	struct runner_hooks hooks = { .on_tick = on_tick, .ctx = &cs };
	char why[160];
	int status;

	if (o->by == BY_STACK)
		return stack_count_run(cmd->name, o);
	if (o->stack_mode || o->run.folded_path || o->run.flamegraph_path) {
		usdtrace_err("%s: %s is for --by stack", cmd->name, o->run.folded_path ? "--folded" :
			     o->run.flamegraph_path ? "--flamegraph" : "--stack-mode");
		return 1;
	}
	if (!o->nr_args) {
		usdtrace_err("%s: no PROBE given (see usdtrace %s --help)", cmd->name, cmd->name);
		return 1;
	}
	if (runner_opts__probes(&o->run, o->nr_args, o->args, 0))
		return 1;
	if (key_layout__make(o->by_list ? o->by_list : "probe", o->run.probes, o->run.nr_probes,
			     o->run.str_len, &cs.layout, why, sizeof(why))) {
		usdtrace_err("%s", why);
		return 1;
	}
	if (o->serve && cs.layout.site) {
		/* a label per site would be needed: two sites of a probe, one series */
		usdtrace_err("%s: --serve with --by site: not served (use --by pid or keys)",
			     cmd->name);
		return 1;
	}
	if (cs.layout.nr) {
		key_layout__apply(&cs.layout, o->max_keys, &ao);
		w.keyed = true;
	}
	keytab__init(&cs.rows, &cs.layout, sizeof(struct keytab_row));
	if (o->serve) {
		/* bound before anything is attached: a taken port attaches nothing */
		if (serve__start(&(struct serve_opts){ o->serve, o->web_config }, count_render, &cs,
				 &cs.serve))
			return 1;
		cs.max_series = o->max_series;
		hooks.serve = cs.serve;
	}
	cs.t0_ns = runner_now_ns();
	status = runner__run(&o->run, &ao, &hooks, &w);
	serve__stop(cs.serve);
	keytab__free(&cs.rows);
	return status;
}

const struct cli_command cmd_count = {
	.name = "count",
	.summary = "count probe hits exactly, in the kernel",
	.usage = count_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_BY) | OPT(OPT_MAX_KEYS) | OPT(OPT_TOP) |
		OPT(OPT_STACK_MODE) | OPT(OPT_STACK_SIZE) | OPT(OPT_FOLDED) | OPT(OPT_FLAMEGRAPH) |
		OPT(OPT_SERVE) | OPT(OPT_WEB_CONFIG) | OPT(OPT_MAX_SERIES),
	.run = run_count,
};
