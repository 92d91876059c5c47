/* SPDX-License-Identifier: MIT */
/*
 * events.h - format trace records: probe events, `attached` and
 * `summary`, as text lines or JSON Lines (the records of docs/usage.md).
 *
 * Strings from traced processes are data, never terminal control: text
 * output quotes them and escapes control bytes and invalid UTF-8 as \xNN;
 * JSON output escapes them as JSON requires.
 */
#ifndef USDTRACE_EVENTS_H
#define USDTRACE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/site.h"
#include "../stack/stack.h"
#include "text.h"
#include "timeline.h"

/* profile: what its attached and summary records say instead of probes and sites. */
struct sampling_info {
	int cpus;		/* perf events attached */
	uint32_t hz;		/* 0: --off-cpu, from sched_switch */
	bool blocks;		/* with hz: and each block (wall time) */
	const char *what;	/* what "attached" says instead (dump), or NULL */
	uint64_t lost_frames;	/* interpreter frames unreadable (or a chain past the bound) */
	uint64_t lost_late;	/* taken before the process's runtime was read */
	uint64_t lost_stack;	/* no user stack read */
	uint64_t native_only;	/* samples of a runtime without a frame layout */
	uint64_t cut;		/* interpreter stacks deeper than read (outer frames native) */
	uint64_t jit_moved;	/* stacks ended where the JIT freed or moved the code since */
};

struct event_writer {
	FILE *out;
	bool json;
	uint64_t t0_ns;		/* CLOCK_MONOTONIC at start: text times are relative */
	uint64_t events;
	uint64_t faults;	/* argument values that could not be read */
	bool filtering;		/* a predicate is in use: text says what it filtered */
	bool keyed;		/* count --by keys: the summary says the overflow */
	uint64_t overflow;	/* hits whose key did not fit */
	struct timeline *tl;	/* --timeline, NULL when none */
	struct sampling_info *sampling;	/* profile, NULL otherwise */
};

void event_writer__header(struct event_writer *w);
/* Text: an interval's heading, "1.000s:" (seconds since t0_ns); JSON: nothing. */
void event_writer__interval(struct event_writer *w, uint64_t now_ns);
void event_writer__event(struct event_writer *w, const struct ut_event *ev,
			 const struct site_info *site);
/* ... with its user stack (--stack), frames innermost first; @st may be NULL. */
void event_writer__event_stack(struct event_writer *w, const struct ut_event *ev,
			       const struct site_info *site, const struct stack_trace *st);
/*
 * latency --min: one slow pair, END's time and ids, BEGIN's and END's args.
 * @begin_site NULL: BEGIN's args were not kept (JSON null, never guessed).
 */
void event_writer__slow_header(struct event_writer *w);
void event_writer__slow(struct event_writer *w, const struct ut_event *end,
			const struct site_info *end_site, const struct ut_event *begin,
			const struct site_info *begin_site, const char *begin_label,
			const struct stack_trace *st);
/* @object: NULL for the first record, the path for a later object. */
void event_writer__attached(struct event_writer *w, FILE *text_out, int probes,
			    int sites, int objects, double ms, const char *object);
void event_writer__summary(struct event_writer *w, FILE *text_out, uint64_t dropped,
			   uint64_t filtered, int attached);


#endif /* USDTRACE_EVENTS_H */
