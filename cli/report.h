/* SPDX-License-Identifier: MIT */
/*
 * report.h - how the command line speaks to its user: one error line
 * "usdtrace: <what>: <why>" on stderr, and the small argument parsers
 * every command shares (a PID). Calls nothing else of the CLI, so every
 * command may use it without a loop back into main.
 */
#ifndef USDTRACE_REPORT_H
#define USDTRACE_REPORT_H

#include <sys/types.h>

/* Print "usdtrace: " + formatted message + newline to stderr. */
void usdtrace_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A process ID: a whole decimal number, 1..INT32_MAX. 0 or -EINVAL. */
int usdtrace_parse_pid(const char *s, pid_t *pid);

/* "usdtrace: warning: MSG" (what a sampler or a JVM reader says once). */
void report_warning(void *ctx, const char *msg);

/* "usdtrace: warning: OBJECT: WHY" (a stack resolver's stack_warn_fn). */
void report_object_warning(void *ctx, const char *object, const char *why);

#endif /* USDTRACE_REPORT_H */
