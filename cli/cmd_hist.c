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

#include "../writer/json.h"
#include "../writer/vhist.h"
#include "commands.h"
#include "report.h"
#include "runner.h"

struct hist_state {
	struct event_writer *w;
	const struct runner_opts *o;
	const char *arg;		/* "arg2", as given */
	struct vhist h;
	uint64_t t0_ns;
};

static const char hist_usage[] =
"usage: usdtrace hist [--linear MIN,MAX,STEP] [--json] [-i SECONDS] [-d SECONDS]\n"
"                     [-o FILE] [-p PID | -c 'CMD'] PROBE argN\n"
"\n"
"A histogram of argument N's values at every hit of PROBE, in the kernel:\n"
"powers of two ([0, 1), [1, 2), [2, 4), ..., negatives in one bucket below\n"
"0), or with --linear, [MIN + k*STEP, MIN + (k+1)*STEP) from MIN up to MAX,\n"
"one bucket below MIN and one for MAX and above. Signed where the probe's\n"
"spec (or FMT d) says so. PROBE as for trace, predicate included.\n"
"\n"
"  --linear MIN,MAX,STEP  linear buckets (at most 1024 between MIN and MAX)\n"
"  -i, --interval S       print the totals so far every S seconds\n"
"  -c, -p, -d, -o, -v, --json, --comm  as for trace\n"
"\n"
"Examples:\n"
"  usdtrace hist -c 'build/samples/sample -n 100' sample:loop arg0\n"
"  usdtrace hist --linear -1100,-1000,20 -c 'build/samples/sample -n 100' sample:types arg2\n";

static void print_json(struct hist_state *hs, uint64_t now, bool final)
{
	FILE *out = hs->w->out;
	char probe[256];

	snprintf(probe, sizeof(probe), "%s:%s", hs->o->probes[0].provider,
		 hs->o->probes[0].name);
	fputs("{\"type\":\"hist\",\"probe\":", out);
	json_write_str(out, probe);
	fputs(",\"arg\":", out);
	json_write_str(out, hs->arg);
	fputc(',', out);
	vhist_print_json_fields(out, &hs->h);
	if (!final)
		fprintf(out, ",\"interval\":true,\"ts\":%llu", (unsigned long long)now);
	fputs("}\n", out);
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct hist_state *hs = ctx;
	int err = attach_session__hist(s, hs->h.counts, &hs->h.st, &hs->h.is_signed);

	if (err) {
		usdtrace_err("hist: reading the histogram: %s", strerror(-err));
		return;
	}
	hs->w->events = hs->h.st.count;
	if (hs->w->json) {
		print_json(hs, now, final);
	} else {
		if (!final)
			fprintf(hs->w->out, "%.3fs:\n", (double)(now - hs->t0_ns) / 1e9);
		fprintf(hs->w->out, "%s:%s %s\n", hs->o->probes[0].provider,
			hs->o->probes[0].name, hs->arg);
		vhist_print_text(hs->w->out, &hs->h);
	}
	fflush(hs->w->out);
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
	struct hist_state hs = { .w = &w, .o = &o->run };
	struct runner_hooks hooks = { .on_tick = on_tick, .ctx = &hs };

	if (o->nr_args != 2) {
		usdtrace_err("%s: needs PROBE and argN (see usdtrace %s --help)", cmd->name,
			     cmd->name);
		return 1;
	}
	hs.arg = o->args[1];
	if (parse_arg(o->args[1], &ao.key_arg))
		return 1;
	if (o->linear) {
		ao.hist_linear = true;
		ao.hist_min = o->lin_min;
		ao.hist_max = o->lin_max;
		ao.hist_step = o->lin_step;
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
	hs.t0_ns = runner_now_ns();
	return runner__run(&o->run, &ao, &hooks, &w);
}

const struct cli_command cmd_hist = {
	.name = "hist",
	.summary = "histogram of one argument's values, in the kernel",
	.usage = hist_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_LINEAR),
	.run = run_hist,
};
