/* SPDX-License-Identifier: MIT */
/*
 * rpcs.h - `calls` for an RPC system (-l libvirt): one row per procedure
 * and end, each call paired with its reply (rpcs.c).
 */
#ifndef USDTRACE_RPCS_H
#define USDTRACE_RPCS_H

#include "options.h"

/* Run `calls` (command @name) on RPCs; returns the exit status. */
int rpcs_run(const char *name, struct cli_opts *o);

#endif /* USDTRACE_RPCS_H */
