/* SPDX-License-Identifier: MIT */
/*
 * event_stacks.h - what trace --stack, latency --min --stack and count
 * --by stack share: a stack resolver whose warnings go to stderr, the
 * runner's targets primed in it, a JVM's Java frames read through it, and
 * an event's stack turned into frames (event_stacks.c).
 */
#ifndef USDTRACE_EVENT_STACKS_H
#define USDTRACE_EVENT_STACKS_H

#include <sys/types.h>

#include "../stack/stack.h"

struct jvm_procs;

struct event_stacks {
	struct stack_resolver *r;
	struct jvm_procs *jvms;		/* Java frames in a JVM's stacks */
	struct stack_trace *trace;	/* the frames of the last event, reused */
};

/* Says why and returns -ENOMEM when it cannot. */
int event_stacks__init(struct event_stacks *es, const char *cmd);
/* Accepts one never initialized (zeroed). */
void event_stacks__free(struct event_stacks *es);
/* The runner's on_targets: their maps read while they are sure to be there. */
void event_stacks__prime(struct event_stacks *es, const pid_t *pids, int nr);
/* The frames of @ev's stack; NULL when it carries none or it is damaged. */
const struct stack_trace *event_stacks__of(struct event_stacks *es, const struct ut_event *ev);

#endif /* USDTRACE_EVENT_STACKS_H */
