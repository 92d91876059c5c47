// SPDX-License-Identifier: MIT
/*
 * event_stacks.c - a stack resolver as the commands use it (event_stacks.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lang-adapters/jvmstack.h"
#include "../writer/decode.h"
#include "event_stacks.h"
#include "report.h"

int event_stacks__init(struct event_stacks *es, const char *cmd)
{
	es->trace = malloc(sizeof(*es->trace));
	if (!es->trace || stack_resolver__new(report_object_warning, NULL, &es->r) ||
	    jvm_procs__new(report_warning, NULL, &es->jvms)) {
		usdtrace_err("%s: %s", cmd, strerror(ENOMEM));
		event_stacks__free(es);
		return -ENOMEM;
	}
	stack_resolver__set_code(es->r, jvm_procs__ops(es->jvms));
	return 0;
}

void event_stacks__free(struct event_stacks *es)
{
	stack_resolver__free(es->r);
	jvm_procs__free(es->jvms);
	free(es->trace);
	es->r = NULL;
	es->jvms = NULL;
	es->trace = NULL;
}

void event_stacks__prime(struct event_stacks *es, const pid_t *pids, int nr)
{
	int i;

	for (i = 0; es->r && i < nr; i++)
		stack_resolver__prime(es->r, pids[i]);
}

const struct stack_trace *event_stacks__of(struct event_stacks *es, const struct ut_event *ev)
{
	const struct ut_stack *st;
	size_t len;

	st = es->r ? event_stack(ev, &len) : NULL;
	if (!st || stack_resolver__resolve(es->r, (pid_t)ev->pid, (pid_t)ev->tid, st, len,
					   es->trace))
		return NULL;
	return es->trace;
}
