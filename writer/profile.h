/* SPDX-License-Identifier: MIT */
/*
 * profile.h - a sampled profile (agg/profile.h) written: the text top
 * (SELF% TOTAL% FRAME, by function), JSON `stack` records, folded stacks
 * (and through them the SVG flame graph), pprof (gzip'd profile.proto,
 * encoded here: no protobuf library) and speedscope's JSON file format.
 */
#ifndef USDTRACE_WRITER_PROFILE_H
#define USDTRACE_WRITER_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/profile.h"
#include "folded.h"

/* The frame as a person reads it: "hot_a (app.py:12)", "deflate", "[libz.so.1]". */
const char *prof_frame__label(const struct prof_frame *f, char *buf, size_t size);

/* The @top functions (0: all) by self share, then total: "SELF% TOTAL% FRAME". */
int profile__write_top(FILE *out, const struct profile *p, long top);
/* One JSON `stack` record per distinct (thread, stack), frames innermost first. */
void profile__write_json(FILE *out, const struct profile *p);
/* "comm;root;...;leaf count" lines into @f. 0 or -ENOMEM. */
int profile__fold(const struct profile *p, struct folded *f);
/*
 * pprof: samples and CPU time (@hz samples a second), gzip'd, to @path
 * (the labels it needs join @p's string pool). 0 or -Exxx.
 */
int profile__write_pprof(struct profile *p, uint32_t hz, uint64_t duration_ns,
			 const char *path);
/* speedscope: one sampled profile per thread, to @path. 0 or -Exxx. */
int profile__write_speedscope(const struct profile *p, const char *path);

/* dump: a thread seen by the task iterator, its state as ps shows it. */
struct dump_thread {
	uint32_t pid, tid;
	char comm[PROF_COMM_LEN + 1];
	char state;		/* R S D I T t, or ? */
	bool on_cpu;		/* running on a CPU as it was read */
};

/*
 * dump: each thread of @t (sorted by tid) with its stack in @p (one a
 * thread), innermost first, or why it has none: text blocks as py-spy dump
 * prints them, or JSON `thread` records.
 */
void profile__write_dump(FILE *out, const struct profile *p, bool json,
			 struct dump_thread *t, size_t nr);

#endif /* USDTRACE_WRITER_PROFILE_H */
