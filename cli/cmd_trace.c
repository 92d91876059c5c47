// SPDX-License-Identifier: MIT
/*
 * cmd_trace.c - `usdtrace trace`: one event per probe hit, with decoded
 * arguments, by command (-c), by PID (-p) or system-wide on the named
 * files. The lifecycle is runner.c's; this file is its table entry and the
 * per-event output.
 */
#include <stdio.h>

#include "commands.h"
#include "event_stacks.h"
#include "report.h"
#include "runner.h"

struct trace_state {
	struct event_writer w;
	struct event_stacks stacks;	/* --stack */
};

static const char trace_usage[] =
"usage: usdtrace trace [--json] [-o FILE] [-d SECONDS] [-p PID | -c 'CMD'] PROBE...\n"
"\n"
"Print one event per hit of each probe, with its arguments.\n"
"\n"
"PROBE is [usdt:][PATH:]PROVIDER:NAME[(FMT,...)] with * and ? globs, or\n"
"uprobe:PATH:SYMBOL[+OFFSET][(FMT,...)] (arg0..arg5), uretprobe:PATH:SYMBOL\n"
"(retval). PATH may be omitted with -p/-c: every object the process maps,\n"
"including libraries it loads later. FMT per argument: s string, S string\n"
"whose length is the next argument, d signed, u unsigned, x hex, - skip;\n"
"default: the probe's own size and sign. A value that cannot be read\n"
"prints <fault> (JSON null); a string cut at --strlen ends in ...\n"
"\n"
"A probe may end with a predicate, evaluated in the kernel before any event\n"
"is made: /EXPR/ over arg0..arg11, pid, tid, uid, comm, integers and\n"
"\"strings\" with == != < <= > >= & && || ! and parentheses; a string (FMT\n"
"s, or comm) == or != \"glob\" matches * and ?. Rejected hits are counted\n"
"as filtered.\n"
"\n"
"  -c, --command CMD   start CMD and trace it from its first instruction;\n"
"                      exit with its exit status\n"
"  -p, --pid PID[,PID] trace running processes (repeatable)\n"
"  -d, --duration S    stop after S seconds (or 500ms, 2m: ns us ms s m h)\n"
"  -o, --output FILE   write events to FILE\n"
"      --timeline FILE also write a Chrome Trace Event JSON file (Perfetto)\n"
"      --stack         also each event's user stack, innermost frame first,\n"
"                      symbolized, with file:line where debug info exists\n"
"      --stack-mode M  dwarf (default: registers and the top of the stack\n"
"                      copied, unwound with the objects' CFI; right on binaries\n"
"                      without frame pointers) or fp (the kernel's frame-\n"
"                      pointer walk: cheaper, short on such binaries)\n"
"      --stack-size B  dwarf: bytes of stack copied (default 8192, max 16384);\n"
"                      implies --stack\n"
"      --json          JSON Lines: attached, event..., summary\n"
"      --strlen N      bytes kept of each string argument (default 64)\n"
"      --ring-size B   ring buffer bytes, a power of 2 (default 4 MiB; 64k, 16m)\n"
"  -f, --follow        also trace the processes the target forks (and theirs)\n"
"  -v, --verbose       say how the probes are attached, and each site (-vv:\n"
"                      libbpf's own debugging too)\n"
"      --no-multi      one uprobe link per site instead of one uprobe_multi\n"
"                      link per object (slow with many sites; for comparison)\n"
"      --no-fault-in   read strings only where their pages are resident (an\n"
"                      untouched page gives <fault>; for comparison)\n"
"      --comm GLOB     only processes whose name matches (a predicate)\n"
"      --allow-unsafe  also probes known to harm their runtime (Ruby 3.1's\n"
"                      cmethod probes); refused otherwise, with the reason\n"
"  -h, --help          this help\n"
"\n"
"Examples:\n"
"  usdtrace trace -c './build/samples/sample -n 3' 'sample:loop'\n"
"  usdtrace trace -c 'build/samples/sample -n 9' 'sample:str(s,d) /arg0 == \"gam*\" && arg1 > 3/'\n"
"  usdtrace trace -p 1234 'python:function__entry(s,s,d)'\n"
"  usdtrace trace --json -o out.jsonl build/samples/sample:sample:*\n"
"  usdtrace trace 'uprobe:libc.so.6:malloc(u)' -p 1234 -d 5\n"
"  usdtrace trace --stack -c 'build/samples/deep -n 1' deep:leaf\n";

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct trace_state *ts = ctx;

	event_writer__event_stack(&ts->w, ev, site, event_stacks__of(&ts->stacks, ev));
}

static void on_targets(void *ctx, const pid_t *pids, int nr)
{
	event_stacks__prime(&((struct trace_state *)ctx)->stacks, pids, nr);
}

static int run_trace(const struct cli_command *cmd, struct cli_opts *o)
{
	struct attach_opts ao = { .mode = ATTACH_TRACE,
				  .stack = { o->stack_mode, o->stack_size } };
	struct trace_state ts = {};
	struct runner_hooks hooks = { .on_event = on_event, .on_targets = on_targets,
				      .trace_header = true, .ctx = &ts };
	int status;

	if (!o->nr_args) {
		usdtrace_err("%s: no PROBE given (see usdtrace %s --help)", cmd->name, cmd->name);
		return 1;
	}
	if (runner_opts__probes(&o->run, o->nr_args, o->args, 0))
		return 1;
	if (o->stack_mode && event_stacks__init(&ts.stacks, cmd->name))
		return 1;
	status = runner__run(&o->run, &ao, &hooks, &ts.w);
	event_stacks__free(&ts.stacks);
	return status;
}

const struct cli_command cmd_trace = {
	.name = "trace",
	.summary = "print one event per probe hit, with its arguments",
	.usage = trace_usage,
	.opts = OPTS_RUN | OPT(OPT_TIMELINE) | OPT(OPT_STACK) | OPT(OPT_STACK_MODE) |
		OPT(OPT_STACK_SIZE),
	.run = run_trace,
};
