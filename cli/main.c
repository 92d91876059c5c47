// SPDX-License-Identifier: MIT
/*
 * main.c - the usdtrace command line: dispatch to a subcommand.
 *
 * Only this file and the cmd_*.c files own argv, stdout and the exit
 * status; the sdt/ and attach/ libraries report through return codes
 * and callbacks.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "report.h"

#define USDTRACE_VERSION "0.1.0"

static const char usage[] =
"usage: usdtrace COMMAND [OPTIONS] [ARGS]\n"
"\n"
"usdtrace finds and traces USDT (sys/sdt.h) probes of applications.\n"
"\n"
"Commands:\n"
"  list      list the probe sites of files or of a running process\n"
"  trace     print one event per probe hit, with its arguments\n"
"  count     count probe hits exactly, in the kernel\n"
"  latency   histogram of the time from one probe to another, per thread\n"
"  calls     per-method call counts and times of a runtime (-l LANG)\n"
"  flow      call/return flow of a runtime, indented by depth\n"
"  stat      GC, allocations, threads and loads of a runtime per interval\n"
"\n"
"Examples:\n"
"  usdtrace list /usr/bin/python3.11\n"
"  usdtrace trace -c './app' 'myapp:request(d,s)'\n"
"  usdtrace count -p 1234 'hotspot:*' -i 1\n"
"  usdtrace latency -p 1234 app:begin app:end\n"
"  usdtrace calls -l python -c 'python3.11 script.py'\n"
"\n"
"Run 'usdtrace COMMAND --help' for a command's options and examples;\n"
"docs/usage.md and 'man -l docs/usdtrace.1' for everything.\n"
"  -h, --help     this help\n"
"  -V, --version  print the version\n";

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("usdtrace %s\n", USDTRACE_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (!strcmp(cmd, "count"))
		return cmd_count(argc - 1, argv + 1);
	if (!strcmp(cmd, "latency"))
		return cmd_latency(argc - 1, argv + 1);
	if (!strcmp(cmd, "calls"))
		return cmd_calls(argc - 1, argv + 1);
	if (!strcmp(cmd, "flow"))
		return cmd_flow(argc - 1, argv + 1);
	if (!strcmp(cmd, "stat"))
		return cmd_stat(argc - 1, argv + 1);
	usdtrace_err("%s: unknown command (see usdtrace --help)", cmd);
	return 2;
}
