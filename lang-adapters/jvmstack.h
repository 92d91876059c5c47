/* SPDX-License-Identifier: MIT */
/*
 * jvmstack.h - the JVMs of the processes a stack resolver meets, as its
 * unwinder of code no object maps (stack_code_ops, stack/stack.h): each
 * process's JVM found when its JIT code is first met (jvm.h), its frames
 * named "java", its generated code as native frames of libjvm.so.
 */
#ifndef USDTRACE_LANG_JVMSTACK_H
#define USDTRACE_LANG_JVMSTACK_H

#include <stdbool.h>
#include <sys/types.h>

#include "../stack/stack.h"

struct jvm_procs;

/* Said once per process, when its JVM is not one the reader can read. */
typedef void (*jvm_warn_fn)(void *ctx, const char *why);

int jvm_procs__new(jvm_warn_fn warn, void *ctx, struct jvm_procs **out);
void jvm_procs__free(struct jvm_procs *jp);
/* The ops to give stack_resolver__set_code(), valid while @jp lives. */
const struct stack_code_ops *jvm_procs__ops(struct jvm_procs *jp);
/* Does @pid run a JVM whose frames are read (looked for now if not yet)? */
bool jvm_procs__has(struct jvm_procs *jp, pid_t pid);
/* @pid is another program now (exec) or gone: its JVM forgotten. */
void jvm_procs__forget(struct jvm_procs *jp, pid_t pid);

/* The cut reasons a sampler counts as frames lost by their cause. */
extern const char jvm_why_stale[];

#endif /* USDTRACE_LANG_JVMSTACK_H */
