// SPDX-License-Identifier: MIT
/*
 * cmd_hist.c - `usdtrace hist PROBE ARG`: a histogram of one argument's
 * values, in the kernel (bpftrace hist()/lhist(), bcc argdist -H): powers
 * of two, or --linear MIN,MAX,STEP; printed at the end and every -i
 * seconds as running totals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agg/keytab.h"
#include "../attach/key_layout.h"
#include "../writer/vhist.h"
#include "commands.h"
#include "report.h"
#include "runner.h"
#include "serve.h"

struct hist_state {
	struct event_writer *w;
	struct vhist_view view;		/* probe, arg, --by layout */
	char probe[256];
	struct vhist h;			/* the one histogram without --by */
	struct key_layout layout;	/* --by */
	bool keyed;
	struct keytab rows;		/* of struct vhist_row */
	long top;
	struct serve *serve;		/* --serve */
	uint32_t max_series;
};

static const char hist_usage[] =
"usage: usdtrace hist [--linear MIN,MAX,STEP] [--by KEY,...] [--json] [-i SECONDS]\n"
"                     [--serve HOST:PORT]\n"
"                     [-d SECONDS] [-o FILE] [-p PID | -c 'CMD'] PROBE argN\n"
"\n"
"A histogram of argument N's values at every hit of PROBE, in the kernel:\n"
"powers of two ([0, 1), [1, 2), [2, 4), ..., negatives in one bucket below\n"
"0), or with --linear, [MIN + k*STEP, MIN + (k+1)*STEP) from MIN up to MAX,\n"
"one bucket below MIN and one for MAX and above. Signed where the probe's\n"
"spec (or FMT d) says so. PROBE as for trace, predicate included.\n"
"\n"
"  --linear MIN,MAX,STEP  linear buckets (at most 1024 between MIN and MAX)\n"
"  --by KEY,...           one histogram per key, keys as for count --by\n"
"  --max-keys N, -n TOP   as for count\n"
"  --serve HOST:PORT      run until stopped, serving the histograms as\n"
"                         Prometheus metrics (usdtrace_hist) on GET /metrics;\n"
"                         a bucket's le is the largest integer it holds\n"
"  --max-series N         histograms served (default 10000); the rest summed\n"
"                         into one labelled other\n"
"  -i, --interval S       print the totals so far every S seconds\n"
"  -c, -p, -d, -o, -v, --json, --comm  as for trace\n"
"\n"
"Examples:\n"
"  usdtrace hist -c 'build/samples/sample -n 100' sample:loop arg0\n"
"  usdtrace hist --linear -1100,-1000,20 -c 'build/samples/sample -n 100' sample:types arg2\n"
"  usdtrace hist --by arg0 -c 'build/samples/sample -n 30' 'sample:str(s,d)' arg1\n";

static int cmp_rows(const void *a, const void *b)
{
	const struct vhist_row *x = a, *y = b;

	if (x->h.st.count != y->h.st.count)
		return x->h.st.count < y->h.st.count ? 1 : -1;
	return memcmp(x->head.key + UT_KEY_HEAD, y->head.key + UT_KEY_HEAD,
		      UT_KEY_MAX - UT_KEY_HEAD);
}

static struct vhist_row *hist_row_at(const struct hist_state *hs, size_t i)
{
	return (struct vhist_row *)keytab__at(&hs->rows, i);
}

static int read_keyed(struct hist_state *hs, struct attach_session *s)
{
	int err = attach_session__hist_rows(s, &hs->rows, &hs->h);

	keytab__sort(&hs->rows, cmp_rows);
	return err;
}

static int hist_read(struct hist_state *hs, struct attach_session *s)
{
	return hs->keyed ? read_keyed(hs, s) :
			   attach_session__hist(s, hs->h.counts, &hs->h.st, &hs->h.is_signed);
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct hist_state *hs = ctx;
	struct vhist_view v = hs->view;
	size_t i, n;
	int err = hist_read(hs, s);

	if (err) {
		usdtrace_err("hist: reading the histogram: %s", strerror(-err));
		return;
	}
	if (hs->serve) {	/* served, not printed: the summary still counts them */
		hs->w->events = hs->keyed ? attach_session__key_overflow(s) : hs->h.st.count;
		for (i = 0; hs->keyed && i < hs->rows.nr; i++)
			hs->w->events += hist_row_at(hs, i)->h.st.count;
		return;
	}
	v.json = hs->w->json;
	v.final = final;
	v.now_ns = now;
	if (!final)
		event_writer__interval(hs->w, now);
	if (!hs->keyed) {
		hs->w->events = hs->h.st.count;
		vhist_record__write(hs->w->out, &v, NULL, &hs->h);
	} else {
		hs->w->events = attach_session__key_overflow(s);
		n = hs->top > 0 && (size_t)hs->top < hs->rows.nr ? (size_t)hs->top : hs->rows.nr;
		for (i = 0; i < hs->rows.nr; i++) {
			hs->w->events += hist_row_at(hs, i)->h.st.count;
			if (i < n)
				vhist_record__write(hs->w->out, &v, &hist_row_at(hs, i)->head,
						    &hist_row_at(hs, i)->h);
		}
		hs->w->overflow = attach_session__key_overflow(s);
	}
	fflush(hs->w->out);
}

/* --serve: the Prometheus text of the histograms as they are now. */
static int hist_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct hist_state *hs = ctx;
	uint64_t folded;
	int err = hist_read(hs, s);

	if (err)
		return err;
	folded = vhist_rows__prom(out, &hs->view, hs->keyed ? &hs->rows : NULL, &hs->h,
				  hs->max_series, attach_session__key_overflow(s));
	serve_common_families(out, s, folded);
	return 0;
}

static int parse_arg(const char *text, int *k)
{
	char *end;
	long v = -1;

	if (!strncmp(text, "arg", 3) && text[3])
		v = strtol(text + 3, &end, 10);
	if (v < 0 || v >= UT_MAX_ARGS || *end) {
		usdtrace_err("hist: %s: the argument is arg0..arg%d", text, UT_MAX_ARGS - 1);
		return -EINVAL;
	}
	*k = (int)v;
	return 0;
}

static int run_hist(const struct cli_command *cmd, struct cli_opts *o)
{
	struct attach_opts ao = { .mode = ATTACH_HIST };
	struct event_writer w = {};
	struct hist_state hs = { .w = &w };
	struct runner_hooks hooks = { .on_tick = on_tick, .ctx = &hs };
	int status;

	if (o->nr_args != 2) {
		usdtrace_err("%s: needs PROBE and argN (see usdtrace %s --help)", cmd->name,
			     cmd->name);
		return 1;
	}
	hs.view.arg = o->args[1];
	if (parse_arg(o->args[1], &ao.hist.arg))
		return 1;
	if (o->linear) {
		ao.hist = (struct attach_hist){ .arg = ao.hist.arg, .linear = true,
						.min = o->lin_min, .max = o->lin_max,
						.step = o->lin_step };
		hs.h.linear = true;
		hs.h.min = o->lin_min;
		hs.h.max = o->lin_max;
		hs.h.step = o->lin_step;
		hs.h.steps = (uint32_t)(((uint64_t)o->lin_max - (uint64_t)o->lin_min +
					 o->lin_step - 1) / o->lin_step);
	}
	if (runner_opts__probes(&o->run, 1, o->args, 0))
		return 1;
	if (o->run.probes[0].type != PROBE_USDT && o->run.probes[0].type != PROBE_UPROBE) {
		usdtrace_err("%s: hist takes a USDT probe or a uprobe", o->run.probes[0].text);
		return 1;
	}
	probe_spec__label(&o->run.probes[0], hs.probe, sizeof(hs.probe));
	hs.view.probe = hs.probe;
	hs.view.layout = &hs.layout;
	if (o->by_list && strcmp(o->by_list, "probe")) {
		char why[160];

		if (key_layout__make(o->by_list, o->run.probes, o->run.nr_probes, o->run.str_len,
				     &hs.layout, why, sizeof(why))) {
			usdtrace_err("%s", why);
			return 1;
		}
		key_layout__apply(&hs.layout, o->max_keys, &ao);
		hs.keyed = true;
		hs.top = o->top;
		w.keyed = true;
	}
	if (o->serve && hs.layout.site) {
		/* a label per site would be needed: two sites of a probe, one series */
		usdtrace_err("%s: --serve with --by site: not served (use --by pid or keys)",
			     cmd->name);
		return 1;
	}
	if (o->serve) {
		/* bound before anything is attached: a taken port attaches nothing */
		if (serve__start(&(struct serve_opts){ o->serve, o->web_config }, hist_render, &hs,
				 &hs.serve))
			return 1;
		hs.max_series = o->max_series;
		hooks.serve = hs.serve;
	}
	keytab__init(&hs.rows, &hs.layout, sizeof(struct vhist_row));
	status = runner__run(&o->run, &ao, &hooks, &w);
	serve__stop(hs.serve);
	keytab__free(&hs.rows);
	return status;
}

const struct cli_command cmd_hist = {
	.name = "hist",
	.summary = "histogram of one argument's values, in the kernel",
	.usage = hist_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_LINEAR) | OPT(OPT_BY) | OPT(OPT_MAX_KEYS) |
		OPT(OPT_TOP) | OPT(OPT_SERVE) | OPT(OPT_WEB_CONFIG) | OPT(OPT_MAX_SERIES),
	.run = run_hist,
};
