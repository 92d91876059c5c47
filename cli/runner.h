/* SPDX-License-Identifier: MIT */
/*
 * runner.h - what every attaching command shares: the run's options
 * (parsed by options.c), privileges, the
 * command started held on a pipe, the attach session, the poll loop with
 * its interval ticks, SIGINT/SIGTERM, the summary and the exit status.
 */
#ifndef USDTRACE_RUNNER_H
#define USDTRACE_RUNNER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "../attach/probe_spec.h"
#include "../attach/session.h"
#include "../writer/events.h"
#include "serve.h"

#define RUNNER_MAX_PIDS	64	/* as many as proc/targets.h watches */

struct runner_opts {
	const char *name;	/* the command, for messages */
	bool json;
	const char *out_path;
	double duration;	/* seconds, 0: until stopped */
	double interval;	/* seconds, 0: none */
	pid_t pids[RUNNER_MAX_PIDS];	/* every -p, in order */
	int nr_pids;
	const char *cmd;
	uint32_t str_len;
	uint32_t ring_size;
	int verbose;		/* -v: say how probes are attached; -vv: libbpf's debugging */
	bool gap_said;		/* the runtime's known gap was said at the start */
	bool no_multi;		/* --no-multi: one uprobe link per site */
	bool no_fault_in;	/* --no-fault-in: strings by non-faulting reads only */
	bool follow;		/* -f: children of the target too */
	bool allow_unsafe;	/* --allow-unsafe: probes known to harm a runtime too */
	const char *comm;	/* --comm GLOB: only processes of that name */
	bool unsafe_off;	/* leave such probes off and say so, not refuse */
	const char *timeline_path;	/* --timeline FILE (trace, flow) */
	const char *folded_path;	/* --folded FILE (calls, flow, count --by stack) */
	const char *flamegraph_path;	/* --flamegraph FILE.svg (the same) */
	bool weight_time;		/* --weight time: folded values in ns */
	struct probe_spec *probes;
	int nr_probes;
};

/* Parse the PROBE arguments argv[first..argc) into o->probes. */
int runner_opts__probes(struct runner_opts *o, int argc, char **argv, int first);
void runner_opts__free(struct runner_opts *o);
struct runner_hooks {
	/* one ring-buffer event (trace) */
	attach_event_fn on_event;
	/* latency --min: one slow pair */
	attach_slow_fn on_slow;
	/*
	 * --serve: once attached, waited on beside the ring buffer and pumped
	 * after each poll (serve.h); NULL without --serve.
	 */
	struct serve *serve;
	bool trace_header;		/* print trace's column header once attached */
	/* every -i seconds, and once at the end with final = true */
	void (*on_tick)(void *ctx, struct attach_session *s, uint64_t now_ns, bool final);
	/*
	 * The targets (-c's command, -p's) while their mappings are sure to be
	 * there: attached, not yet resumed; and again, held, at each library
	 * they load later.
	 */
	void (*on_targets)(void *ctx, const pid_t *pids, int nr);
	/*
	 * Once attached, before the target runs: non-zero aborts (it prints
	 * why). @s lives until the run ends (the final tick is its last use).
	 */
	int (*check_attached)(void *ctx, struct attach_session *s, const struct attach_stats *st);
	/* after the run's summary, with what was attached at its end */
	void (*on_end)(void *ctx, const struct attach_stats *st);
	void *ctx;
};

/*
 * Run @mode with the options until the target ends, a signal, or -d.
 * Writes through @w (opened here). Returns the process exit status.
 */
int runner__run(const struct runner_opts *o, struct attach_opts *ao,
		const struct runner_hooks *hooks, struct event_writer *w);

uint64_t runner_now_ns(void);

#endif /* USDTRACE_RUNNER_H */
