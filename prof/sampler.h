/* SPDX-License-Identifier: MIT */
/*
 * sampler.h - the user side of `usdtrace profile`: each sample the kernel
 * sends (UT_EV_SAMPLE) made into a stack of the profile (agg/profile.h).
 * Its native frames are unwound from the copied user stack (stack/); its
 * interpreter frames, read by the kernel as raw pointers, are named from
 * the process's memory (lang-adapters/interp.h) and put in place of the
 * interpreter loop's own frames, split where C entered the loop, so a C
 * extension called from Python sits under the Python function that called
 * it. A process's runtime is recognised at its first sample (and again
 * after an exec), and the kernel told where its frames are.
 */
#ifndef USDTRACE_SAMPLER_H
#define USDTRACE_SAMPLER_H

#include <stdbool.h>
#include <sys/types.h>

#include "../agg/profile.h"
#include "../bpf/usdtrace.h"

/* Tell the kernel where @pid's interpreter keeps its frames (NULL: none). 0 or -Exxx. */
typedef int (*sampler_interp_fn)(void *ctx, pid_t pid, const struct ut_interp_proc *ip);
/* Something to say once, about a process (its runtime without a layout, ...). */
typedef void (*sampler_warn_fn)(void *ctx, const char *msg);

struct sampler_opts {
	bool interp;			/* read interpreter frames (no: native only) */
	const char *lang;		/* of this runtime only ("ruby"); NULL: every one */
	sampler_interp_fn set_interp;
	sampler_warn_fn warn;
	void *ctx;
};

struct sampler;

int sampler__new(const struct sampler_opts *o, struct sampler **out);
void sampler__free(struct sampler *s);
/* Read @pid's runtime now (-p targets, before the first sample). */
void sampler__prime(struct sampler *s, pid_t pid);
/*
 * Does @pid run an interpreter the sampler reads frames of (seen at a
 * sample or primed)? Also true for one it recognised but cannot read
 * (said then, by the warn callback).
 */
bool sampler__has_runtime(struct sampler *s, pid_t pid);
/* One sample into @p (or a lost one, by cause). 0, or -ENOMEM. */
int sampler__sample(struct sampler *s, const struct ut_event *ev, struct profile *p, size_t *at);

#endif /* USDTRACE_SAMPLER_H */
