// SPDX-License-Identifier: MIT
/*
 * jvmstack.c - JVM frames for the stack resolver (jvmstack.h).
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/regs.h"
#include "jvm.h"
#include "jvmstack.h"

#define RETRY_NS	100000000ULL	/* a process not (yet) a JVM is looked at again after */

const char jvm_why_stale[] = "the JIT freed or moved the code since the sample";

struct jvm_proc {
	pid_t pid;
	struct jvm *jvm;	/* NULL: none (yet) */
	uint64_t tried;		/* when last looked for, ns */
	bool refused;		/* a JVM the reader cannot read: said once */
	struct jvm_proc *next;
};

struct jvm_procs {
	struct stack_code_ops ops;
	struct jvm_proc *procs;
	jvm_warn_fn warn;
	void *ctx;
};

static struct jvm_proc *proc_of(struct jvm_procs *jp, pid_t pid, bool make)
{
	struct jvm_proc *p;

	for (p = jp->procs; p; p = p->next) {
		if (p->pid == pid)
			return p;
	}
	if (!make)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->next = jp->procs;
	jp->procs = p;
	return p;
}

/* @pid's JVM, looked for again (the launcher maps libjvm.so after it starts). */
static struct jvm *jvm_of(struct jvm_procs *jp, pid_t pid)
{
	struct jvm_proc *p = proc_of(jp, pid, true);
	char why[256], line[320];
	uint64_t now;
	int err;

	if (!p || p->jvm || p->refused)
		return p ? p->jvm : NULL;
	now = jvm_clock_ns();
	if (p->tried && now - p->tried < RETRY_NS)
		return NULL;
	p->tried = now;
	why[0] = '\0';
	err = jvm__find(pid, &p->jvm, why, sizeof(why));
	if (err == -EOPNOTSUPP) {
		p->refused = true;
		snprintf(line, sizeof(line), "pid %d: Java frames not read: %s", (int)pid, why);
		if (jp->warn)
			jp->warn(jp->ctx, line);
	}
	return p->jvm;
}

/*
 * A JVM whose memory is gone (its samples read after it exited) owns
 * nothing: its frames are then named as any JIT's (a perf map, [jit]).
 */
static bool owns(void *ctx, pid_t pid, uint64_t pc)
{
	struct jvm *j = jvm_of(ctx, pid);

	return j && jvm__owns(j, pc) && jvm__alive(j);
}

static const char *why_of(int err)
{
	switch (err) {
	case -ESTALE:
		return jvm_why_stale;
	case -EAGAIN:
		return "a compiled Java method's prologue: its caller is not known there";
	case -EFAULT:
		return "the JVM's memory or the stack copy could not be read here";
	default:
		return "not the JVM's code";
	}
}

#define INLINE_MAX	32	/* methods of one compiled frame named */

static int step(void *ctx, pid_t pid, struct stack_regs *r, stack_word_fn word, void *word_ctx,
		struct stack_frame *f, int max, int *nr, const char **why)
{
	struct jvm_proc *p = proc_of(ctx, pid, false);
	int r13 = regs_offset(EM_X86_64, 13), ret, n = 0, i;
	struct jvm_regs jr = { .pc = r->pc, .sp = r->sp, .fp = r->fp };
	struct jvm_frame jf[INLINE_MAX];

	*nr = 0;
	if (!p || !p->jvm) {
		*why = why_of(-EINVAL);
		return -EINVAL;
	}
	if (r->sample && r13 >= 0 && regs_host_machine() == EM_X86_64)
		jr.bcp = r->sample[r13 / 8];
	ret = jvm__step(p->jvm, &jr, r->sample != NULL, word, word_ctx, jf,
			max < INLINE_MAX ? max : INLINE_MAX, &n);
	for (i = 0; i < n; i++) {
		f[i].sym = jf[i].name;
		f[i].inlined = jf[i].inlined;
		if (jf[i].kind == JVM_STUB) {
			f[i].obj = jvm__object(p->jvm);
			continue;
		}
		f[i].lang = "java";
		f[i].cfunc = jf[i].native;
		f[i].file = jf[i].file;
		f[i].line = jf[i].line;
	}
	*nr = n;
	if (ret) {
		*why = why_of(ret);
		return ret;
	}
	r->pc = jr.pc;
	r->sp = jr.sp;
	r->fp = jr.fp;
	return 0;
}

int jvm_procs__new(jvm_warn_fn warn, void *ctx, struct jvm_procs **out)
{
	struct jvm_procs *jp = calloc(1, sizeof(*jp));

	if (!jp)
		return -ENOMEM;
	jp->warn = warn;
	jp->ctx = ctx;
	jp->ops = (struct stack_code_ops){ .owns = owns, .step = step, .ctx = jp };
	*out = jp;
	return 0;
}

bool jvm_procs__has(struct jvm_procs *jp, pid_t pid)
{
	return jvm_of(jp, pid) != NULL;
}

void jvm_procs__forget(struct jvm_procs *jp, pid_t pid)
{
	struct jvm_proc **pp, *p;

	for (pp = &jp->procs; (p = *pp); pp = &p->next) {
		if (p->pid == pid) {
			*pp = p->next;
			jvm__free(p->jvm);
			free(p);
			return;
		}
	}
}

void jvm_procs__free(struct jvm_procs *jp)
{
	struct jvm_proc *p, *next;

	if (!jp)
		return;
	for (p = jp->procs; p; p = next) {
		next = p->next;
		jvm__free(p->jvm);
		free(p);
	}
	free(jp);
}

const struct stack_code_ops *jvm_procs__ops(struct jvm_procs *jp)
{
	return &jp->ops;
}
