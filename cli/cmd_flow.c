// SPDX-License-Identifier: MIT
/*
 * cmd_flow.c - `usdtrace flow -l LANG`: every call and return of a
 * language runtime, per thread, indented by call depth, with the time
 * spent in each call. A return whose entry never fired (CPython 3.11
 * skips most entries) is shown as such and counted, never guessed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "../writer/decode.h"
#include "../writer/flamegraph.h"
#include "../writer/flow.h"
#include "../writer/folded.h"
#include "commands.h"
#include "lang_cmd.h"
#include "report.h"

#define FLOW_DEPTH	512
#define FLOW_NAME	256

struct frame {
	char name[FLOW_NAME];
	uint64_t ts;
	uint64_t child_ns;	/* in calls of it that returned */
};

struct thread_flow {
	uint32_t tid;
	int depth;
	struct frame *stack;	/* FLOW_DEPTH frames */
};

struct flow_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	struct thread_flow *threads;
	size_t nr;
	size_t cap;
	uint64_t calls;
	uint64_t returns;
	uint64_t no_entry;
	struct folded folded;	/* --folded */
};

static const char flow_usage[] =
"usage: usdtrace flow -l LANG [--json] [--timeline FILE] [--folded FILE]\n"
"                   [--weight count|time] [-d S] [-o FILE] (-p PID | -c 'CMD')\n"
"       usdtrace flow -l postgresql [...] [-p POSTMASTER | -c 'CMD' | POSTGRES]\n"
"\n"
"Print every method call (->) and return (<-) of a language runtime, per\n"
"thread, indented by depth, with the time spent in each call. LANG:\n"
"python, java, ruby, php, postgresql (each statement with its text, and in\n"
"it parse, rewrite, plan and execute; -p POSTMASTER follows its backends,\n"
"without -p or -c the run is system-wide on the postgres binary). A return\n"
"whose entry probe did not fire is marked (entry not seen), and their\n"
"number is reported at the end.\n"
"\n"
"  -m, --method GLOB   only methods whose name matches (as for calls)\n"
"  --timeline FILE     also write each call as a slice of a Chrome Trace\n"
"                      Event JSON file (opens in Perfetto), nested per thread\n"
"  --folded FILE       also write folded stacks (comm;frame;frame count) for\n"
"                      flame graph tools; --weight time folds nanoseconds\n"
"                      of self time (a stack's own, its callees' apart)\n"
"  --flamegraph FILE.svg  also draw them as an SVG flame graph (hover, zoom)\n"
"\n"
"Examples:\n"
"  usdtrace flow -l ruby -c 'ruby tests/workloads/work.rb'\n"
"  usdtrace flow -l python --json -p 1234 -d 2\n";

static struct thread_flow *thread_of(struct flow_state *fs, uint32_t tid)
{
	struct thread_flow *t;
	size_t i;

	for (i = 0; i < fs->nr; i++) {
		if (fs->threads[i].tid == tid)
			return &fs->threads[i];
	}
	if (VEC_RESERVE(fs->threads, fs->cap, fs->nr + 1))
		return NULL;
	t = &fs->threads[fs->nr];
	t->tid = tid;
	t->depth = 0;
	t->stack = calloc(FLOW_DEPTH, sizeof(*t->stack));
	if (!t->stack)
		return NULL;
	fs->nr++;
	return t;
}

static void print_line(struct flow_state *fs, const struct ut_event *ev, bool call, int depth,
		       const char *name, int64_t ns)
{
	struct flow_line l = { .ts = ev->ts, .pid = ev->pid, .tid = ev->tid, .call = call,
			       .depth = depth, .method = name, .ns = ns };

	flow_line__write(fs->w->out, fs->w->json, fs->w->t0_ns, &l);
}

/*
 * A call that returned: a slice of the timeline, a stack of the folded
 * file. A stack's weight in time is its self time (without the calls it
 * made that returned), as flame graph tools add children into parents.
 */
static void record_call(struct flow_state *fs, struct thread_flow *t,
			const struct ut_event *ev, int d)
{
	const struct runner_opts *o = &fs->lc.o;
	char comm[UT_COMM_LEN + 1], stack[8192];
	uint64_t ns, self;
	size_t len;
	int k;

	if (d >= FLOW_DEPTH)
		return;
	ns = ev->ts - t->stack[d].ts;
	self = ns > t->stack[d].child_ns ? ns - t->stack[d].child_ns : 0;
	if (d > 0)
		t->stack[d - 1].child_ns += ns;
	event_comm(ev, comm);
	if (fs->w->tl)
		timeline__slice(fs->w->tl, ev->pid, ev->tid, comm, t->stack[d].name,
				t->stack[d].ts, ev->ts - t->stack[d].ts);
	if (!o->folded_path && !o->flamegraph_path)
		return;
	len = (size_t)snprintf(stack, sizeof(stack), "%s", comm);
	for (k = 0; k <= d && len < sizeof(stack); k++)
		len += (size_t)snprintf(stack + len, sizeof(stack) - len, ";%s", t->stack[k].name);
	folded__add(&fs->folded, stack, o->weight_time ? self : 1);
}

static void on_return(struct flow_state *fs, struct thread_flow *t, const struct ut_event *ev,
		      const char *name)
{
	int d;

	fs->returns++;
	/* the innermost open call with this name: deeper frames lost their returns */
	for (d = t->depth - 1; d >= 0 && d >= t->depth - 8; d--) {
		if (d < FLOW_DEPTH && !strcmp(t->stack[d].name, name))
			break;
	}
	if (d < 0 || d < t->depth - 8) {
		fs->no_entry++;
		print_line(fs, ev, false, t->depth, name, -1);
		return;
	}
	t->depth = d;
	print_line(fs, ev, false, d, name, (int64_t)(ev->ts - t->stack[d].ts));
	record_call(fs, t, ev, d);
}

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct flow_state *fs = ctx;
	struct thread_flow *t = thread_of(fs, ev->tid);
	char name[FLOW_NAME];

	if (!t)
		return;
	fs->w->events++;
	lang_cmd__method(&fs->lc, ev, site, name, sizeof(name));
	if (lang_cmd__event(&fs->lc, site) == LANG_RETURN) {
		on_return(fs, t, ev, name);
		return;
	}
	fs->calls++;
	if (t->depth < FLOW_DEPTH) {
		snprintf(t->stack[t->depth].name, FLOW_NAME, "%s", name);
		t->stack[t->depth].ts = ev->ts;
		t->stack[t->depth].child_ns = 0;
	}
	print_line(fs, ev, true, t->depth, name, 0);
	t->depth++;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct flow_state *fs = ctx;
	const char *q = fs->lc.a->quirk;

	(void)s;
	(void)now;
	if (final && fs->lc.o.folded_path) {
		int err = folded__write(&fs->folded, fs->lc.o.folded_path);

		if (err)
			usdtrace_err("%s: %s", fs->lc.o.folded_path, strerror(-err));
	}
	if (final && fs->lc.o.flamegraph_path) {
		int err = flamegraph__write(&fs->folded, fs->lc.o.flamegraph_path, "usdtrace flow",
					    fs->lc.o.weight_time ? "ns" : "calls");

		if (err)
			usdtrace_err("%s: %s", fs->lc.o.flamegraph_path, strerror(-err));
	}
	if (final && fs->no_entry)
		fprintf(stderr, "usdtrace: %s: %" PRIu64 " of %" PRIu64 " returns had no entry "
			"probe%s%s%s\n", fs->lc.a->lang, fs->no_entry, fs->returns,
			q ? " (" : "", q ? q : "", q ? ")" : "");
}

static int run_flow(const struct cli_command *cmd, struct cli_opts *o)
{
	struct event_writer w = {};
	struct flow_state fs = { .w = &w };
	struct runner_hooks hooks = { .on_event = on_event, .on_tick = on_tick, .ctx = &fs };
	int err, status;
	size_t i;

	lang_cmd__init(&fs.lc, cmd->name, o);
	err = lang_cmd__prepare(&fs.lc, (1u << LANG_ENTRY) | (1u << LANG_RETURN), ATTACH_TRACE);
	status = err ? 1 : lang_cmd__run(&fs.lc, &hooks, &w);
	lang_cmd__free(&fs.lc);
	folded__free(&fs.folded);
	for (i = 0; i < fs.nr; i++)
		free(fs.threads[i].stack);
	free(fs.threads);
	return status;
}

const struct cli_command cmd_flow = {
	.name = "flow",
	.summary = "call/return flow of a runtime, indented by depth",
	.usage = flow_usage,
	.opts = OPTS_RUN | OPT(OPT_LANG) | OPT(OPT_METHOD) | OPT(OPT_TIMELINE) | OPT(OPT_FOLDED) |
		OPT(OPT_WEIGHT) | OPT(OPT_FLAMEGRAPH),
	.str_len = FLOW_NAME / 2,	/* method names, not data */
	.no_args = true,
	.run = run_flow,
};
