/* SPDX-License-Identifier: MIT */
/*
 * commands.h - the subcommands of the usdtrace CLI. Each takes the argv
 * that follows its name (argv[0] is the command name) and returns the
 * process exit status; errors are printed as "usdtrace: <what>: <why>".
 */
#ifndef USDTRACE_COMMANDS_H
#define USDTRACE_COMMANDS_H

int cmd_list(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_latency(int argc, char **argv);
int cmd_calls(int argc, char **argv);
int cmd_flow(int argc, char **argv);
int cmd_stat(int argc, char **argv);

#endif /* USDTRACE_COMMANDS_H */
