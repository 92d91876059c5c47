/* SPDX-License-Identifier: MIT */
/*
 * db_stat.h - `stat` for a database runtime (-l postgresql): transactions,
 * statements, lock and lwlock waits, buffer reads, sorts, checkpoints and
 * deadlocks per interval (db_stat.c).
 */
#ifndef USDTRACE_DB_STAT_H
#define USDTRACE_DB_STAT_H

#include "options.h"

/* Run `stat` (command @name) on a database; returns the exit status. */
int db_stat_run(const char *name, struct cli_opts *o);

#endif /* USDTRACE_DB_STAT_H */
