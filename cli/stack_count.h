/* SPDX-License-Identifier: MIT */
/*
 * stack_count.h - `count --by stack`: hits per probe and user stack
 * (stack_count.c).
 */
#ifndef USDTRACE_STACK_COUNT_H
#define USDTRACE_STACK_COUNT_H

#include "options.h"

/* Run `count --by stack` (command @name); returns the exit status. */
int stack_count_run(const char *name, struct cli_opts *o);

#endif /* USDTRACE_STACK_COUNT_H */
