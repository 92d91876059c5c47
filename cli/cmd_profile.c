// SPDX-License-Identifier: MIT
/*
 * cmd_profile.c - `usdtrace profile`: where the time goes. Every CPU is
 * sampled -F times a second (attach/mode_profile.c); each sample of a
 * traced thread becomes a stack of native and interpreter frames
 * (prof/sampler.c) in the profile (agg/profile.c); at the end the writer
 * prints the top functions, or JSON stacks, and writes the files asked
 * for: folded stacks, an SVG flame graph, pprof, speedscope. --off-cpu
 * takes each stack as its thread blocks instead, weighed by the time it
 * stayed off the CPU (the kernel says when it came back).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agg/profile.h"
#include "../lang-adapters/interp.h"
#include "../util/vec.h"
#include "../prof/sampler.h"
#include "../writer/flamegraph.h"
#include "../writer/folded.h"
#include "../writer/profile.h"
#include "commands.h"
#include "report.h"
#include "runner.h"
#include "sampling.h"

/* --off-cpu: a thread blocked, its stack's index, since when. */
struct blocked {
	uint32_t tid;
	size_t at;
	uint64_t since;
};

struct profile_state {
	const struct cli_opts *o;
	struct blocked *blocked;	/* --off-cpu: threads away now */
	size_t nr_blocked, cap_blocked;
	struct event_writer w;
	struct sampling_info si;
	struct profile prof;
	struct sampler *sampler;
	struct attach_session *s;	/* while the run lasts */
	uint64_t t0_ns;
	int err;
};

static const char profile_usage[] =
"usage: usdtrace profile [-F HZ] [--off-cpu [--on-cpu]] [-p PID,... | -c 'CMD'] [--comm GLOB]\n"
"                        [-l LANG]\n"
"                        [-d SECONDS] [-n TOP] [--json] [-o FILE] [--folded FILE]\n"
"                        [--flamegraph FILE.svg] [--pprof FILE] [--speedscope FILE]\n"
"\n"
"Sample where threads spend their CPU time: every CPU -F times a second\n"
"(the cpu-clock perf event), each sample of a traced thread read in the\n"
"kernel: its user stack (unwound with the objects' CFI, as perf does, so\n"
"binaries without frame pointers unwind) and, in a process running a\n"
"runtime usdtrace knows (CPython 3.11, Ruby 3.1, PHP 8.2), the\n"
"interpreter's own frames, put in place of the interpreter loop: a C\n"
"extension shows under the Python function that called it, Array#sort\n"
"(\"cfunc\":true) under the Ruby method that called it. In a JVM (HotSpot\n"
"17) interpreted, C1 and C2 frames are named from the JVM's own vmStructs,\n"
"methods C2 inlined as frames of their own (\"inlined\":true). No flag or\n"
"restart is needed in the process (no TracePoint, no USE_ZEND_DTRACE, no\n"
"-XX:+PreserveFramePointer or perf-map agent).\n"
"With neither -p nor -c every process of the machine is sampled.\n"
"\n"
"  -F, --frequency HZ  samples a second per CPU (default 99)\n"
"      --off-cpu       where threads wait instead: each stack as its thread\n"
"                      blocks (a sleep, a lock, I/O; from sched_switch),\n"
"                      weighed by the ns it stayed off the CPU (JSON \"ns\")\n"
"      --on-cpu        with --off-cpu: the samples too, each weighed by the CPU\n"
"                      time its thread ran since its last one: wall time, one\n"
"                      profile (JSON \"ns\", \"off_cpu_ns\" of it blocked)\n"
"  -p, --pid PID[,PID] sample these processes (repeatable)\n"
"  -c, --command CMD   start CMD and sample it; exit with its status\n"
"      --comm GLOB     only threads of processes whose name matches\n"
"  -l, --lang LANG     runtime frames of LANG only (python, ruby, php, java);\n"
"                      default: every runtime known\n"
"  -d, --duration S    stop after S seconds\n"
"  -n, --top N         the N functions with most self time (default: all)\n"
"      --json          JSON Lines: one stack record per thread and stack\n"
"      --folded FILE   folded stacks (comm;root;...;leaf count)\n"
"      --flamegraph FILE.svg  an SVG flame graph (hover, click to zoom)\n"
"      --pprof FILE    gzip'd profile.proto (go tool pprof, Pyroscope, Parca)\n"
"      --speedscope FILE  speedscope's JSON (a profile per thread)\n"
"  -o, -v, --ring-size as for trace\n"
"\n"
"Examples:\n"
"  usdtrace profile -d 10 -n 20\n"
"  usdtrace profile -c 'python3.11 tests/workloads/work.py' --flamegraph /tmp/work.svg\n"
"  usdtrace profile -p 1234 -F 199 --pprof /tmp/cpu.pb.gz -d 30\n"
"  usdtrace profile -c 'java -cp build/workloads ProfileApp /tmp/split.json 3' -n 10\n";

static struct blocked *blocked_of(struct profile_state *ps, uint32_t tid)
{
	size_t i;

	for (i = 0; i < ps->nr_blocked; i++) {
		if (ps->blocked[i].tid == tid)
			return &ps->blocked[i];
	}
	return NULL;
}

/* --off-cpu: @tid came back after @ns: its stack weighs that much more. */
static void came_back(struct profile_state *ps, uint32_t tid, uint64_t ns)
{
	struct blocked *b = blocked_of(ps, tid);

	if (!b)
		return;		/* its stack was lost, or taken before the run */
	ps->prof.stacks[b->at].ns += ns;
	ps->prof.stacks[b->at].off_ns += ns;
	*b = ps->blocked[--ps->nr_blocked];
}

/* --off-cpu: @tid blocked in the stack at @at, at @ts. */
static void went_away(struct profile_state *ps, uint32_t tid, size_t at, uint64_t ts)
{
	struct blocked *b = blocked_of(ps, tid);

	if (!b) {
		if (VEC_RESERVE(ps->blocked, ps->cap_blocked, ps->nr_blocked + 1)) {
			ps->err = -ENOMEM;
			return;
		}
		b = &ps->blocked[ps->nr_blocked++];
	}
	*b = (struct blocked){ .tid = tid, .at = at, .since = ts };
}

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct profile_state *ps = ctx;
	char comm[UT_COMM_LEN + 1];
	size_t at = SIZE_MAX;

	(void)site;
	if (ev->kind == UT_EV_OFF_CPU_END) {
		came_back(ps, ev->tid, ev->args[0]);
		return;
	}
	if (ev->kind != UT_EV_SAMPLE)
		return;
	if (ps->o->run.comm) {
		memcpy(comm, ev->comm, UT_COMM_LEN);
		comm[UT_COMM_LEN] = '\0';
		if (fnmatch(ps->o->run.comm, comm, 0))
			return;
	}
	if (sampler__sample(ps->sampler, ev, &ps->prof, &at))
		ps->err = -ENOMEM;
	else if ((ev->args[0] & UT_SAMPLE_OFF_CPU) && at != SIZE_MAX)
		went_away(ps, ev->tid, at, ev->ts);
	else if (ps->prof.wall && at != SIZE_MAX)
		/* the CPU time the thread ran since its last sample; one period at its first */
		ps->prof.stacks[at].ns += ev->args[3] ? ev->args[3] : 1000000000ull / ps->o->freq;
}

static int on_attached(void *ctx, struct attach_session *s, const struct attach_stats *st)
{
	struct profile_state *ps = ctx;
	int i;

	ps->s = s;
	ps->si.cpus = st->cpus;
	/* -p: their runtimes read now, so the first samples carry their frames */
	for (i = 0; i < ps->o->run.nr_pids; i++)
		sampler__prime(ps->sampler, ps->o->run.pids[i]);
	return 0;
}

/* @err of writing @path said; true when there was one. */
static bool file_failed(const char *path, int err)
{
	if (err)
		usdtrace_err("%s: %s", path, strerror(-err));
	return err != 0;
}

/* The files asked for; -EIO when one could not be written (said). */
static int write_files(struct profile_state *ps, uint64_t now)
{
	const struct cli_opts *o = ps->o;
	struct folded f = {};
	bool bad = false;
	int err = 0;

	if (o->run.folded_path || o->run.flamegraph_path)
		err = profile__fold(&ps->prof, &f);
	if (err)
		bad = file_failed(o->run.folded_path ? o->run.folded_path :
				  o->run.flamegraph_path, err);
	if (!err && o->run.folded_path)
		bad |= file_failed(o->run.folded_path, folded__write(&f, o->run.folded_path));
	if (!err && o->run.flamegraph_path)
		bad |= file_failed(o->run.flamegraph_path,
				   flamegraph__write(&f, o->run.flamegraph_path,
						     "usdtrace profile",
						     prof_weight_name(&ps->prof)));
	folded__free(&f);
	if (o->pprof_path)
		bad |= file_failed(o->pprof_path,
				   profile__write_pprof(&ps->prof, o->freq, now - ps->t0_ns,
							o->pprof_path));
	if (o->speedscope_path)
		bad |= file_failed(o->speedscope_path,
				   profile__write_speedscope(&ps->prof, o->speedscope_path));
	return bad ? -EIO : 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct profile_state *ps = ctx;

	(void)s;
	if (!final)
		return;
	/* still blocked at the end: away until now */
	while (ps->nr_blocked)
		came_back(ps, ps->blocked[0].tid, now - ps->blocked[0].since);
	sampling_info__take(&ps->si, &ps->w, &ps->prof);
	if (ps->err) {
		usdtrace_err("profile: %s", strerror(-ps->err));
		return;
	}
	profile__sort(&ps->prof);
	if (ps->w.json)
		profile__write_json(ps->w.out, &ps->prof);
	else if (profile__write_top(ps->w.out, &ps->prof, ps->o->top))
		usdtrace_err("profile: %s", strerror(ENOMEM));
	if (write_files(ps, now))
		ps->err = -EIO;
	fflush(ps->w.out);
}

static int run_profile(const struct cli_command *cmd, struct cli_opts *o)
{
	struct attach_opts ao = { .mode = ATTACH_PROFILE, .profile.freq = o->freq,
				  .profile.off_cpu = o->off_cpu,
				  .profile.on_cpu = o->on_cpu,
				  .stack = { UT_STACK_DWARF, o->stack_size } };
	struct profile_state *ps = calloc(1, sizeof(*ps));
	struct runner_hooks hooks = { .on_event = on_event, .on_tick = on_tick,
				      .check_attached = on_attached };
	struct sampler_opts so = { .interp = true, .set_interp = sampling_set_interp,
				   .warn = report_warning };
	int status = 1;

	if (!ps) {
		usdtrace_err("%s: %s", cmd->name, strerror(ENOMEM));
		return 1;
	}
	if (o->off_cpu && !o->on_cpu && o->freq_set) {
		usdtrace_err("%s: -F is for on-CPU samples; --off-cpu takes a stack at each block",
			     cmd->name);
		goto out_free;
	}
	if (o->lang && !interp_known(o->lang->lang) && strcmp(o->lang->lang, "java")) {
		usdtrace_err("%s: -l %s: runtime frames are read for python, ruby, php and java "
			     "only (so far)", cmd->name, o->lang->lang);
		goto out_free;
	}
	so.lang = o->lang ? o->lang->lang : NULL;
	ps->o = o;
	ps->prof.off_cpu = o->off_cpu;
	ps->prof.wall = o->off_cpu && o->on_cpu;
	ps->w.sampling = &ps->si;
	ps->si.hz = o->off_cpu && !o->on_cpu ? 0 : o->freq;
	ps->si.blocks = ps->prof.wall;
	hooks.ctx = ps;
	so.ctx = &ps->s;
	if (runner_opts__probes(&o->run, 0, NULL, 0))
		goto out_free;
	if (sampler__new(&so, &ps->sampler)) {
		usdtrace_err("%s: %s", cmd->name, strerror(ENOMEM));
		goto out_free;
	}
	ps->t0_ns = runner_now_ns();
	status = runner__run(&o->run, &ao, &hooks, &ps->w);
	if (!status && ps->err)
		status = 1;	/* said: a file not written, or out of memory */
out_free:
	sampler__free(ps->sampler);
	profile__free(&ps->prof);
	free(ps->blocked);
	free(ps);
	return status;
}

const struct cli_command cmd_profile = {
	.name = "profile",
	.summary = "sample where threads spend CPU time, native and interpreter frames",
	.usage = profile_usage,
	.opts = OPT(OPT_JSON) | OPT(OPT_OUTPUT) | OPT(OPT_DURATION) | OPT(OPT_PID) |
		OPT(OPT_COMMAND) | OPT(OPT_RING_SIZE) | OPT(OPT_VERBOSE) | OPT(OPT_COMM) |
		OPT(OPT_LANG) | OPT(OPT_TOP) | OPT(OPT_FOLDED) | OPT(OPT_FLAMEGRAPH) |
		OPT(OPT_FREQ) | OPT(OPT_PPROF) | OPT(OPT_SPEEDSCOPE) | OPT(OPT_STACK_SIZE) |
		OPT(OPT_OFF_CPU) | OPT(OPT_ON_CPU),
	.no_args = true,
	.run = run_profile,
};
