// SPDX-License-Identifier: MIT
/*
 * report.c - the CLI's error line and shared argument parsers (report.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

void usdtrace_err(const char *fmt, ...)
{
	va_list ap;

	fputs("usdtrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usdtrace_parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > INT32_MAX)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

void report_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "usdtrace: warning: %s\n", msg);
}

void report_object_warning(void *ctx, const char *object, const char *why)
{
	(void)ctx;
	fprintf(stderr, "usdtrace: warning: %s: %s\n", object, why);
}
