// SPDX-License-Identifier: MIT
/*
 * main.c - the usdtrace command line: find the command in the table
 * (commands.c), parse its options (options.c), run it.
 *
 * Only cli/ owns argv, stdout and the exit status; the sdt/ and attach/
 * libraries report through return codes and callbacks, writer/ formats to
 * the FILE it is given.
 */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"

#define USDTRACE_VERSION "0.1.0"

static const char usage_head[] =
"usage: usdtrace COMMAND [OPTIONS] [ARGS]\n"
"\n"
"usdtrace finds and traces USDT (sys/sdt.h) probes of applications.\n"
"\n"
"Commands:\n";

static const char usage_tail[] =
"\n"
"Examples:\n"
"  usdtrace list /usr/bin/python3.11\n"
"  usdtrace trace -c 'build/samples/sample -n 3' 'sample:str(s,d)'\n"
"  usdtrace count -p 1234 'hotspot:*' -i 1\n"
"  usdtrace latency -p 1234 server:request__begin server:request__end\n"
"  usdtrace calls -l python -c 'python3.11 tests/workloads/work.py'\n"
"  usdtrace profile -c 'python3.11 tests/workloads/work.py' -n 10\n"
"\n"
"Run 'usdtrace COMMAND --help' for a command's options and examples;\n"
"docs/usage.md and 'man -l docs/usdtrace.1' for everything.\n"
"  -h, --help     this help\n"
"  -V, --version  print the version\n";

/* -v: libbpf's info and debug messages too (the one global: main's). */
static int libbpf_verbose;

/*
 * libbpf's messages in usdtrace's voice: "usdtrace: libbpf: ..." on
 * stderr, a line each; warnings always, its information with -v, its
 * debugging (every section it loads) with -vv.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *buf, *line, *next;

	if ((level == LIBBPF_INFO && libbpf_verbose < 1) ||
	    (level == LIBBPF_DEBUG && libbpf_verbose < 2))
		return 0;
	if (vasprintf(&buf, fmt, ap) < 0)
		return 0;
	for (line = buf; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!strncmp(line, "libbpf: ", 8))
			line += 8;
		if (*line)
			fprintf(stderr, "usdtrace: libbpf: %s\n", line);
	}
	free(buf);
	return 0;
}

static void print_usage(FILE *out)
{
	int i;

	fputs(usage_head, out);
	for (i = 0; cli_commands[i]; i++)
		fprintf(out, "  %-9s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fputs(usage_tail, out);
}

static int run_command(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_opts o;
	int err, status;

	cli_opts__init(&o, cmd);
	err = cli_opts__parse(&o, cmd, argc, argv);
	if (err)
		return err == 1 ? 0 : 1;
	libbpf_verbose = o.run.verbose;
	status = cmd->run(cmd, &o);
	runner_opts__free(&o.run);
	return status;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	const char *name = argc > 1 ? argv[1] : NULL;

	libbpf_set_print(libbpf_print);
	if (!name) {
		print_usage(stderr);
		return 2;
	}
	if (!strcmp(name, "help") && argc > 2) {	/* usdtrace help COMMAND */
		cmd = cli_command__find(argv[2]);
		if (!cmd) {
			usdtrace_err("%s: unknown command (see usdtrace --help)", argv[2]);
			return 2;
		}
		cli_command__help(stdout, cmd);
		return 0;
	}
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
		printf("usdtrace %s\n", USDTRACE_VERSION);
		return 0;
	}
	cmd = cli_command__find(name);
	if (!cmd && name[0] == '-') {
		usdtrace_err("%s: options follow the command: usdtrace COMMAND %s ... (see usdtrace "
			     "--help)", name, name);
		return 2;
	}
	if (!cmd) {
		usdtrace_err("%s: unknown command (see usdtrace --help)", name);
		return 2;
	}
	return run_command(cmd, argc - 1, argv + 1);
}
