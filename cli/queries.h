/* SPDX-License-Identifier: MIT */
/*
 * queries.h - `calls` for a database runtime (-l postgresql): one row per
 * normalized query (queries.c).
 */
#ifndef USDTRACE_QUERIES_H
#define USDTRACE_QUERIES_H

#include "options.h"

/* Run `calls` (command @name) on queries; returns the exit status. */
int queries_run(const char *name, struct cli_opts *o);

#endif /* USDTRACE_QUERIES_H */
