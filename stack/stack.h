/* SPDX-License-Identifier: MIT */
/*
 * stack.h - the user stack of an event (struct ut_stack, bpf/usdtrace.h)
 * turned into frames: return addresses (frame-pointer mode) or a copy of
 * the registers and the top of the stack, unwound with the objects' CFI
 * (.eh_frame, .debug_frame) through libdwfl, as perf does; each frame
 * symbolized (function and offset from .symtab/.dynsym, file and line from
 * DWARF, separate debug files under /usr/lib/debug when installed), and
 * the calls inlined at each address shown as frames of their own.
 *
 * A process's mappings are read from /proc/PID/maps when it is first seen
 * (or primed earlier), so a process that has exited by the time its
 * events are read still symbolizes. One libdwfl session per process,
 * cached; its objects' symbols and lines are read once.
 */
#ifndef USDTRACE_STACK_H
#define USDTRACE_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <sys/types.h>

#include "../bpf/usdtrace.h"

#define STACK_MAX_FRAMES	128

/* One frame. Strings are owned by the resolver, valid until its next call. */
struct stack_frame {
	uint64_t ip;		/* the probe's address, then return addresses */
	const char *obj;	/* the mapped file, NULL: no object maps ip */
	const char *sym;	/* NULL: unknown, never guessed */
	uint64_t off;		/* ip - sym's start */
	uint64_t obj_off;	/* ip - the object's load base (its address in the file's terms) */
	const char *file;	/* NULL: no line information */
	int line;
	/*
	 * A call inlined at ip: it has no frame of its own, DWARF says it is
	 * there (off is 0); the next frame is the one it was inlined into,
	 * at the line of the call.
	 */
	bool inlined;
	/* a runtime's frame in code no object maps (stack_code_ops): its
	 * language ("java"), sym its function; NULL: a native frame */
	const char *lang;
	bool cfunc;		/* ... whose code is the runtime's C (a Java native method) */
};

struct stack_trace {
	struct stack_frame frames[STACK_MAX_FRAMES];
	int nr;
	/* the unwind ended before the outermost frame: why (the last frame is
	 * where it stopped), NULL when it reached the end */
	const char *cut;
};

struct stack_resolver;

/* A warning about @object (its debug file unreadable, ...), said once each. */
typedef void (*stack_warn_fn)(void *ctx, const char *object, const char *why);

/* @warn may be NULL (quiet). */
int stack_resolver__new(stack_warn_fn warn, void *ctx, struct stack_resolver **out);
void stack_resolver__free(struct stack_resolver *r);
/* Remember @pid's mappings now (again if known), for its events read after it exits. */
int stack_resolver__prime(struct stack_resolver *r, pid_t pid);
/*
 * The frames of the stack @st (@len bytes, header included) of an event of
 * thread @tid of @pid, innermost first, into @out. Returns 0 or -Exxx.
 */
int stack_resolver__resolve(struct stack_resolver *r, pid_t pid, pid_t tid,
			    const struct ut_stack *st, size_t len, struct stack_trace *out);

/* The registers a runtime's frame is unwound from; @sample: the sample's own (innermost only). */
struct stack_regs {
	uint64_t pc, sp, fp;
	const uint64_t *sample;		/* struct ut_stack's regs, NULL above the innermost */
};

/* A word of the stack copy at @addr: false when the copy does not hold it. */
typedef bool (*stack_word_fn)(void *ctx, uint64_t addr, uint64_t *word);

/*
 * A runtime that unwinds its own code where no object maps it (a JIT's,
 * without CFI): asked at each such frame.
 */
struct stack_code_ops {
	/* is @pc code of @pid's runtime? */
	bool (*owns)(void *ctx, pid_t pid, uint64_t pc);
	/*
	 * The frames at @r named into @f (@max at most, *@nr of them: sym,
	 * file, line, lang or obj; calls inlined there first, inlined set)
	 * and @r moved to its caller's: 0; -Exxx when the walk ends there,
	 * *@why saying why.
	 */
	int (*step)(void *ctx, pid_t pid, struct stack_regs *r, stack_word_fn word,
		    void *word_ctx, struct stack_frame *f, int max, int *nr, const char **why);
	void *ctx;
};

/* Unwind through @ops's code from now on (NULL: no more); @ops must outlive @r's use. */
void stack_resolver__set_code(struct stack_resolver *r, const struct stack_code_ops *ops);

#endif /* USDTRACE_STACK_H */
