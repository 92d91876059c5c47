/* SPDX-License-Identifier: MIT */
/*
 * commands.h - the table of usdtrace's commands. Each command is one
 * entry: its name, its one-line summary, its --help text, the options it
 * takes (options.h), its defaults where they differ, and the function that
 * runs it with the parsed options. Each cmd_*.c defines its entry; the
 * table that lists them is in commands.c. Adding a command is one file and
 * one line there.
 */
#ifndef USDTRACE_COMMANDS_H
#define USDTRACE_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "options.h"

struct cli_command {
	const char *name;
	const char *summary;		/* for usdtrace --help */
	const char *usage;		/* for usdtrace NAME --help */
	uint64_t opts;			/* OPT() bits it takes */
	uint32_t str_len;		/* default --strlen, 0: UT_STR_DEFAULT */
	double interval;		/* default -i seconds, 0: none */
	bool no_args;			/* takes options only */
	/* run with parsed options; returns the process exit status */
	int (*run)(const struct cli_command *cmd, struct cli_opts *o);
};

extern const struct cli_command cmd_list, cmd_trace, cmd_count, cmd_latency, cmd_hist,
	cmd_calls, cmd_flow, cmd_stat, cmd_profile, cmd_dump;

/* NULL-terminated, in the order --help shows them. */
extern const struct cli_command *const cli_commands[];

const struct cli_command *cli_command__find(const char *name);

#endif /* USDTRACE_COMMANDS_H */
