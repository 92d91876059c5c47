/* SPDX-License-Identifier: MIT */
/*
 * profile.h - a sampled profile: every distinct (thread, stack) with the
 * samples that found it, frames interned once (native: object, symbol,
 * file and line; interpreter: function, file, line), strings pooled; and
 * the samples lost, by cause. What `usdtrace profile` writes in every
 * format (writer/profile.c). Pure.
 */
#ifndef USDTRACE_AGG_PROFILE_H
#define USDTRACE_AGG_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROF_COMM_LEN	16

enum prof_lang {
	PROF_NATIVE,
	PROF_PYTHON,
	PROF_RUBY,
	PROF_PHP,
	PROF_JAVA,
};

/* "native", "python", "ruby", "php", "java" */
const char *prof_lang__name(uint8_t lang);

/* One frame. Strings are the profile's (interned); NULL: unknown. */
struct prof_frame {
	uint8_t lang;		/* enum prof_lang */
	bool inlined;		/* native: a call inlined where the next frame is */
	bool cfunc;		/* the runtime's own C: a Ruby C method, a PHP internal function */
	const char *name;	/* native: the symbol; else the function */
	const char *file;
	int line;		/* 0: unknown */
	const char *obj;	/* native: the object mapped there */
	uint64_t off;		/* native: the function's offset in obj (ip's, unnamed) */
};

struct prof_stack {
	uint32_t pid, tid;
	char comm[PROF_COMM_LEN + 1];
	uint64_t count;
	uint64_t ns;		/* --off-cpu: the time it was blocked there; wall: and ran */
	uint64_t off_ns;	/* wall: the part of ns blocked */
	uint32_t nr;
	uint32_t first;		/* its frame ids: ids[first .. first + nr), innermost first */
};

enum prof_lost {
	PROF_LOST_RING,		/* the ring buffer was full */
	PROF_LOST_FRAMES,	/* interpreter frame memory unreadable, or a chain past the bound */
	PROF_LOST_LATE,		/* taken before the process's runtime was read */
	PROF_LOST_STACK,	/* no user stack could be read */
	NR_PROF_LOST,
};

struct profile {
	struct prof_frame *frames;
	size_t nr_frames, cap_frames;
	uint32_t *frame_slots;		/* frame id + 1 by hash, 0: free */
	size_t nr_frame_slots;
	struct prof_stack *stacks;
	size_t nr_stacks, cap_stacks;
	uint32_t *stack_slots;
	size_t nr_stack_slots;
	uint32_t *ids;			/* the stacks' frame ids */
	size_t nr_ids, cap_ids;
	char **strs;			/* the string pool, by hash */
	size_t nr_strs, cap_strs;
	uint64_t samples;		/* in the stacks */
	uint64_t lost[NR_PROF_LOST];
	uint64_t native_only;		/* samples of a runtime without a frame layout */
	bool off_cpu;			/* weighed by ns blocked, not by samples */
	bool wall;			/* with off_cpu: by ns run (samples) and blocked */
	uint64_t cut;			/* interpreter frames deeper than read: outer ones native */
	uint64_t jit_moved;		/* stacks ended where the JIT freed or moved the code since */
};

/* A string of the pool (@s copied once); NULL for NULL or out of memory. */
const char *profile__str(struct profile *p, const char *s);
/* The id of frame @f (its strings pooled), made when new. 0 or -ENOMEM. */
int profile__frame(struct profile *p, const struct prof_frame *f, uint32_t *id);
/*
 * @count samples of (@pid, @tid, @comm) in the stack of frame ids @ids;
 * the stack's index into *@at (valid until profile__sort) when @at. 0 or
 * -ENOMEM.
 */
int profile__add(struct profile *p, uint32_t pid, uint32_t tid, const char *comm,
		 const uint32_t *ids, uint32_t nr, uint64_t count, size_t *at);
/* What a stack weighs: ns (blocked, or run and blocked: wall), else its samples. */
static inline uint64_t prof_weight(const struct profile *p, const struct prof_stack *s)
{
	return p->off_cpu ? s->ns : s->count;
}

/* What the profile's weights are: "samples", "ns off CPU", "ns on and off CPU". */
static inline const char *prof_weight_name(const struct profile *p)
{
	return !p->off_cpu ? "samples" : p->wall ? "ns on and off CPU" : "ns off CPU";
}
/* Stacks by count, largest first. */
void profile__sort(struct profile *p);
static inline const uint32_t *profile__ids(const struct profile *p, const struct prof_stack *s)
{
	return p->ids + s->first;
}
void profile__free(struct profile *p);

#endif /* USDTRACE_AGG_PROFILE_H */
