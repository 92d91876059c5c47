// SPDX-License-Identifier: MIT
/*
 * cmd_trace.c - `usdtrace trace`: one event per probe hit, with decoded
 * arguments, by command (-c), by PID (-p) or system-wide on the named
 * files. The lifecycle is runner.c's; this file is the options and the
 * per-event output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "report.h"
#include "runner.h"

static const char trace_usage[] =
"usage: usdtrace trace [--json] [-o FILE] [-d SECONDS] [-p PID | -c 'CMD'] PROBE...\n"
"\n"
"Print one event per hit of each probe, with its arguments.\n"
"\n"
"PROBE is [usdt:][PATH:]PROVIDER:NAME[(FMT,...)] with * and ? globs, or\n"
"uprobe:PATH:SYMBOL[+OFFSET][(FMT,...)] (arg0..arg5), uretprobe:PATH:SYMBOL\n"
"(retval). PATH may be omitted with -p/-c: every object the process maps,\n"
"including libraries it loads later. FMT per argument: s string, d signed,\n"
"u unsigned, x hex, - skip; default: the probe's own size and sign.\n"
"\n"
"  -c, --command CMD   start CMD and trace it from its first instruction;\n"
"                      exit with its exit status\n"
"  -p, --pid PID       trace a running process\n"
"  -d, --duration S    stop after S seconds\n"
"  -o, --output FILE   write events to FILE\n"
"      --timeline FILE also write a Chrome Trace Event JSON file (Perfetto)\n"
"      --json          JSON Lines: attached, event..., summary\n"
"      --strlen N      bytes kept of each string argument (default 64)\n"
"      --ring-size B   ring buffer bytes, a power of 2 (default 4 MiB)\n"
"  -f, --follow        also trace the processes the target forks (and theirs)\n"
"  -v, --verbose       say how the probes are attached\n"
"      --no-multi      one uprobe link per site instead of one uprobe_multi\n"
"                      link per object (slow with many sites; for comparison)\n"
"  -h, --help          this help\n"
"\n"
"Examples:\n"
"  usdtrace trace -c './build/samples/sample -n 3' 'sample:loop'\n"
"  usdtrace trace -p 1234 'python:function__entry(s,s,d)'\n"
"  usdtrace trace --json -o out.jsonl build/samples/sample:sample:*\n"
"  usdtrace trace 'uprobe:libc.so.6:malloc(u)' -p 1234 -d 5\n";

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	event_writer__event(ctx, ev, site);
}

int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = { RUNNER_LONGOPTS, {} };
	struct runner_opts o = { .str_len = UT_STR_DEFAULT };
	struct attach_opts ao = { .mode = ATTACH_TRACE, .key_arg = -1 };
	struct event_writer w = {};
	struct runner_hooks hooks = { .on_event = on_event, .trace_header = true, .ctx = &w };
	int c, err = 0, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, RUNNER_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(trace_usage, stdout);
			return 0;
		}
		err = runner_opts__option(&o, c, optarg);
		if (err == 1 || c == 'i') {
			fputs(trace_usage, stderr);
			err = -EINVAL;
		}
		if (err)
			return 1;
	}
	if (optind == argc) {
		usdtrace_err("trace: no PROBE given (see usdtrace trace --help)");
		return 1;
	}
	err = runner_opts__only(&o, "trace", true, false);
	if (!err)
		err = runner_opts__probes(&o, argc, argv, optind);
	status = err ? 1 : runner__run(&o, &ao, &hooks, &w);
	runner_opts__free(&o);
	return status;
}
