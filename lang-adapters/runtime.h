/* SPDX-License-Identifier: MIT */
/*
 * runtime.h - a runtime on this machine, as an adapter describes it: does
 * a binary carry its probes, where is a server runtime's binary (the
 * adapter's usual places, the newest version first), and was a process
 * started with the switch its probes need (a JVM flag, PHP's environment).
 * The I/O half of lang-adapters/ (the tables are pure); never prints:
 * the reason comes back in a buffer.
 */
#ifndef USDTRACE_LANG_RUNTIME_H
#define USDTRACE_LANG_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lang.h"

/*
 * A server runtime traced system-wide: @given (checked), or the first of
 * the adapter's usual places with its probes, into *@path (owned by the
 * caller when it is not @given). 0, or -Exxx with the reason in @why (where
 * it looked; told how to name one by the caller's @cmd).
 */
int lang_runtime__find(const struct lang_adapter *a, const char *given, const char *cmd,
		       char **path, char *why, size_t size);
/*
 * Is process @pid running without the switch @a's probes need (its
 * command line and environment), so that they will not fire? False when
 * it cannot be told.
 */
bool lang_runtime__switch_missing(const struct lang_adapter *a, pid_t pid);
/* The major version of the database server binary at @path, or -Exxx (-ENOENT: not said). */
int lang_runtime__db_version(const struct lang_adapter *a, const char *path);

#endif /* USDTRACE_LANG_RUNTIME_H */
