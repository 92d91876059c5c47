/* SPDX-License-Identifier: MIT */
/*
 * commands.h - the subcommands of the usdtrace CLI. Each takes the argv
 * that follows its name (argv[0] is the command name) and returns the
 * process exit status; errors are printed as "usdtrace: <what>: <why>".
 */
#ifndef USDTRACE_COMMANDS_H
#define USDTRACE_COMMANDS_H

#include <sys/types.h>

int cmd_list(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_latency(int argc, char **argv);
int cmd_calls(int argc, char **argv);
int cmd_flow(int argc, char **argv);
int cmd_stat(int argc, char **argv);

/* A process ID: a whole decimal number, 1..INT32_MAX. 0 or -EINVAL. */
int usdtrace_parse_pid(const char *s, pid_t *pid);

/* Print "usdtrace: " + formatted message + newline to stderr. */
void usdtrace_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* USDTRACE_COMMANDS_H */
