// SPDX-License-Identifier: MIT
/*
 * cmd_latency.c - `usdtrace latency BEGIN END`: the time from BEGIN to END
 * on the same thread, nested pairs matched last-in-first-out, gathered in a
 * log-linear histogram in the kernel; optionally split by one of BEGIN's
 * arguments (--key argN). Printed at the end, and every -i seconds as
 * running totals. The series are agg/latency.h's, written by
 * writer/latency.h; with --timeline the pairs are made in user space by
 * the kernel's rule.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agg/latency.h"
#include "../writer/latency.h"
#include "commands.h"
#include "event_stacks.h"
#include "report.h"
#include "runner.h"
#include "serve.h"

struct lat_state {
	struct event_writer *w;
	struct lat_view view;		/* begin, end, key: fixed for the run */
	char begin[256], end[256];
	struct lat_table series;
	struct lat_pairs pairs;		/* --timeline: paired here */
	uint64_t t0_ns;
	int err;
	uint64_t slow_ns;		/* --min */
	bool slow_header;		/* its text header is out */
	struct event_stacks stacks;	/* --min --stack */
	struct serve *serve;		/* --serve */
};

static const char latency_usage[] =
"usage: usdtrace latency [--json] [-i SECONDS] [--key argN] [--min DURATION]\n"
"                        [-d SECONDS] [-o FILE] [-p PID | -c 'CMD'] BEGIN END\n"
"       usdtrace latency [...] uprobe:PATH:FUNCTION\n"
"\n"
"Time from each hit of BEGIN to the next hit of END on the same thread;\n"
"nested pairs match last-in-first-out (32 levels per thread). An END\n"
"without BEGIN, or a BEGIN never ended, counts as unmatched. The histogram\n"
"lives in the kernel: buckets at most 25% wide, from 1 ns up. BEGIN and\n"
"END may each have a predicate /EXPR/: a pair counts when both pass.\n"
"BEGIN and END may be uprobes; one uprobe alone times the function, from\n"
"its entry to its return (bcc's funclatency), recursion included.\n"
"\n"
"  --key argN          one histogram per value of BEGIN's argument N (per\n"
"                      content where BEGIN's FMT makes it a string)\n"
"  --min DURATION      also print each pair at least that long (10ms; units\n"
"                      ns, us, ms, s) with BEGIN's args, read at BEGIN, and\n"
"                      END's; faster pairs cost no ring-buffer traffic\n"
"  --stack             with --min: the user stack at BEGIN of each slow pair\n"
"                      (where the slow work started), as trace --stack shows\n"
"                      it; --stack-mode and --stack-size as for trace\n"
"  --serve HOST:PORT   run until stopped, serving the histogram as Prometheus\n"
"                      metrics (usdtrace_latency_seconds) on GET /metrics\n"
"  --timeline FILE     also write each pair as a slice of a Chrome Trace Event\n"
"                      JSON file (Perfetto); BEGIN and END then stream as\n"
"                      events and are paired in user space\n"
"  -i, --interval S    print the totals so far every S seconds\n"
"  -c, -p, -d, -o, -v, --json, --no-multi  as for trace\n"
"\n"
"Examples:\n"
"  usdtrace latency -c 'build/samples/server -n 300' server:request__begin server:request__end\n"
"  usdtrace latency --key arg1 -p 1234 server:request__begin server:request__end\n"
"  usdtrace latency -c 'build/samples/server -n 60 -k 3' 'server:request__begin /arg1 == 2/' server:request__end\n"
"  usdtrace latency --min 10ms -c 'build/samples/slow -n 10' 'slow:begin(d,s)' 'slow:end(d,d)'\n";

static void on_targets(void *ctx, const pid_t *pids, int nr)
{
	event_stacks__prime(&((struct lat_state *)ctx)->stacks, pids, nr);
}

static void lat_slow(struct lat_state *ls, const struct ut_event *end,
		     const struct site_info *end_site, const struct ut_event *begin,
		     const struct site_info *begin_site)
{
	if (!ls->slow_header) {
		event_writer__slow_header(ls->w);
		ls->slow_header = true;
	}
	/* --stack: BEGIN's stack, where the slow work started */
	event_writer__slow(ls->w, end, end_site, begin, begin_site, ls->begin,
			   event_stacks__of(&ls->stacks, begin));
	fflush(ls->w->out);
}

/* --min: a slow pair the kernel sent. */
static void on_slow(void *ctx, const struct ut_event *end, const struct site_info *end_site,
		    const struct ut_event *begin, const struct site_info *begin_site)
{
	lat_slow(ctx, end, end_site, begin, begin_site);
}

/*
 * User-space pairing for --timeline: the kernel's rule. Each pair is a
 * slice carrying BEGIN's and END's args; with --min a slow one is also
 * printed.
 */
static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct lat_state *ls = ctx;
	struct lat_series *sr;
	struct lat_open b;
	int k = ls->view.key_arg, err;
	uint64_t dur;

	if (site->probe_idx == 0) {
		err = lat_pairs__begin(&ls->pairs, ev, site, ls->view.keyed && k < site->nr_args ?
				       ev->args[k] : 0);
		if (err == -ENOMEM)
			ls->err = err;
		return;
	}
	if (lat_pairs__end(&ls->pairs, ev->tid, &b))
		return;
	dur = ev->ts - b.ev->ts;
	sr = lat_table__series(&ls->series, b.key);
	if (sr)
		lat_series__add(sr, dur);
	timeline__pair(ls->w->tl, b.ev, b.site, ev, site);
	if (ls->slow_ns && dur >= ls->slow_ns)
		lat_slow(ls, ev, site, b.ev, b.site);
	free(b.ev);
}

/* The series as the kernel has them now, and the unmatched count. */
static int lat_collect(struct lat_state *ls, struct attach_session *s, bool final,
		       uint64_t *unmatched)
{
	int err = 0;

	if (ls->w->tl) {
		/* paired here: BEGINs still open at the end never ended */
		*unmatched = lat_pairs__unmatched(&ls->pairs, final);
	} else {
		*unmatched = attach_session__unmatched(s);
		ls->err = 0;
		err = attach_session__latency_series(s, &ls->series);
	}
	if (!err && ls->err)
		err = ls->err;
	if (!err && !ls->view.keyed && !ls->series.nr && !lat_table__series(&ls->series, 0))
		err = -ENOMEM;	/* an empty histogram is still a result */
	return err;
}

/* --serve: one histogram family, buckets cumulative at the kernel's bounds. */
static int lat_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct lat_state *ls = ctx;
	uint64_t unmatched;
	int err = lat_collect(ls, s, false, &unmatched);

	if (err)
		return err;
	lat_table__prom(out, &ls->series, unmatched, &ls->view);
	serve_common_families(out, s, 0);
	return 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct lat_state *ls = ctx;
	struct lat_view v = ls->view;
	uint64_t unmatched;
	size_t i;
	int err;

	err = lat_collect(ls, s, final, &unmatched);
	if (err) {
		usdtrace_err("latency: reading the histogram: %s", strerror(-err));
		return;
	}
	ls->w->events = lat_table__count(&ls->series);
	if (ls->serve)	/* served, not printed: the summary still counts them */
		return;
	if (!ls->w->tl)	/* the user-space series keep their places */
		lat_table__sort(&ls->series);
	v.json = ls->w->json;
	v.final = final;
	v.now_ns = now;
	v.elapsed_s = (double)(now - ls->t0_ns) / 1e9;
	for (i = 0; i < ls->series.nr; i++)
		lat_series__write(ls->w->out, &ls->series.series[i], unmatched, &v);
	lat_unmatched__write(ls->w->out, unmatched, &v);
	fflush(ls->w->out);
}


static int check_probes(const struct runner_opts *o)
{
	int i;

	if (o->probes[0].type == PROBE_URETPROBE) {
		usdtrace_err("%s: a return cannot begin a pair (BEGIN: a USDT probe or a uprobe)",
			     o->probes[0].text);
		return -EINVAL;
	}
	(void)i;
	if (!strcmp(o->probes[0].text, o->probes[1].text)) {
		usdtrace_err("latency: BEGIN and END are the same probe (%s)", o->probes[0].text);
		return -EINVAL;
	}
	return 0;
}

/*
 * One uprobe:PATH:FUNCTION alone: the function's own latency, its END the
 * uretprobe of the same function (written into @buf); the args are then
 * @pair, which must outlive the run. Non-zero when said why not; a lone
 * USDT probe is left to the "needs BEGIN and END" message.
 */
static int function_pair(struct cli_opts *o, char *pair[2], char *buf, size_t size)
{
	struct probe_spec ps;
	const char *why;

	if (strncmp(o->args[0], "uprobe:", 7))
		return 0;
	if (probe_spec__parse(o->args[0], &ps, &why)) {
		usdtrace_err("%s: %s", o->args[0], why);
		return -EINVAL;
	}
	if (ps.sym_off) {
		usdtrace_err("%s: a function's latency starts at its entry, not at +OFFSET",
			     o->args[0]);
		probe_spec__free(&ps);
		return -EINVAL;
	}
	snprintf(buf, size, "uretprobe:%s:%s", ps.path, ps.symbol);
	probe_spec__free(&ps);
	pair[0] = o->args[0];
	pair[1] = buf;
	o->args = pair;
	o->nr_args = 2;
	return 0;
}

static int run_latency(const struct cli_command *cmd, struct cli_opts *o)
{
	struct attach_opts ao = { .mode = ATTACH_LATENCY, .latency.key_arg = o->key_arg };
	struct event_writer w = {};
	struct lat_state ls = { .w = &w };
	struct runner_hooks hooks = { .on_tick = on_tick, .ctx = &ls };
	char ret[PATH_MAX + 300], *pair[2];
	int err, status;

	if (o->nr_args == 1 && function_pair(o, pair, ret, sizeof(ret)))
		return 1;
	if (o->nr_args != 2) {
		usdtrace_err("%s: needs BEGIN and END probes (see usdtrace %s --help)", cmd->name,
			     cmd->name);
		return 1;
	}
	ls.view.keyed = o->key_arg >= 0;
	ls.view.key_arg = o->key_arg;
	ls.view.begin = ls.begin;
	ls.view.end = ls.end;
	ls.slow_ns = o->slow_ns;
	if (o->run.timeline_path) {
		ao.mode = ATTACH_TRACE;	/* pairs are slices: stream BEGIN and END */
		hooks.on_event = on_event;
	} else if (o->slow_ns) {
		ao.latency.slow_ns = o->slow_ns;
		hooks.on_slow = on_slow;
	}
	if (o->stack_mode && (!o->slow_ns || o->run.timeline_path)) {
		usdtrace_err("%s: --stack is for --min (the stack at BEGIN of each slow pair), "
			     "without --timeline", cmd->name);
		return 1;
	}
	if (o->stack_mode) {
		ao.stack = (struct attach_stack){ o->stack_mode, o->stack_size };
		hooks.on_targets = on_targets;
		if (event_stacks__init(&ls.stacks, cmd->name))
			return 1;
	}
	err = runner_opts__probes(&o->run, o->nr_args, o->args, 0);
	if (!err)
		err = check_probes(&o->run);
	if (!err) {
		probe_spec__label(&o->run.probes[0], ls.begin, sizeof(ls.begin));
		probe_spec__label(&o->run.probes[1], ls.end, sizeof(ls.end));
	}
	if (!err && ls.view.keyed && ls.view.key_arg < o->run.probes[0].nr_fmt) {
		char f = o->run.probes[0].fmt[ls.view.key_arg];

		ls.view.str_key = f == 's' || f == 'S';
		if (ls.view.str_key && o->run.timeline_path) {
			usdtrace_err("%s: --key by a string and --timeline: not yet together",
				     cmd->name);
			err = -EINVAL;
		}
	}
	if (!err && o->serve) {
		if (o->slow_ns || o->run.timeline_path) {
			usdtrace_err("%s: --serve: not with --min or --timeline", cmd->name);
			err = -EINVAL;
		} else if (!(err = serve__start(&(struct serve_opts){ o->serve, o->web_config },
						 lat_render, &ls, &ls.serve))) {
			hooks.serve = ls.serve;
		}
	}
	ls.t0_ns = runner_now_ns();
	status = err ? 1 : runner__run(&o->run, &ao, &hooks, &w);
	lat_table__free(&ls.series);
	lat_pairs__free(&ls.pairs);
	event_stacks__free(&ls.stacks);
	serve__stop(ls.serve);
	return status;
}

const struct cli_command cmd_latency = {
	.name = "latency",
	.summary = "histogram of the time from one probe to another, per thread",
	.usage = latency_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_KEY) | OPT(OPT_TIMELINE) | OPT(OPT_MIN) |
		OPT(OPT_STACK) | OPT(OPT_STACK_MODE) | OPT(OPT_STACK_SIZE) | OPT(OPT_SERVE) | OPT(OPT_WEB_CONFIG),
	.run = run_latency,
};
