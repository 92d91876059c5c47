// SPDX-License-Identifier: MIT
/*
 * cmd_dump.c - `usdtrace dump -p PID`: what every thread of a process is
 * doing now, running or blocked, once, without stopping it (py-spy dump,
 * jstack). A BPF task iterator bound to the process (attach/perf_cpu.c,
 * bpf/profile.bpf.c's usdt_dump) reads each thread's saved user registers,
 * the top of its stack and its interpreter's frames from its memory; the
 * samples become stacks as profile's do (prof/sampler.c), one a thread,
 * written by writer/profile.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../agg/profile.h"
#include "../prof/sampler.h"
#include "../util/vec.h"
#include "../writer/profile.h"
#include "commands.h"
#include "report.h"
#include "runner.h"
#include "sampling.h"

/* What the run waits after the iterator ran: its records are in the ring by then. */
#define DUMP_DRAIN_S	0.2

struct dump_state {
	const struct cli_opts *o;
	struct event_writer w;
	struct sampling_info si;
	struct profile prof;
	struct sampler *sampler;
	struct attach_session *s;
	struct dump_thread *threads;
	size_t nr_threads, cap_threads;
	char what[64];			/* the "attached" line */
	int err;
};

static const char dump_usage[] =
"usage: usdtrace dump -p PID [--json] [-o FILE] [--stack-size B]\n"
"\n"
"Print every thread's stack of process PID as it is now, running or\n"
"blocked, once, without stopping the process: native frames unwound with\n"
"the objects' CFI and, in a runtime usdtrace knows (CPython 3.11), the\n"
"interpreter's frames in place of its loop, innermost first. A BPF task\n"
"iterator reads each thread's saved registers and memory; a thread that is\n"
"running on a CPU at that instant shows where it last entered the kernel.\n"
"\n"
"  -p, --pid PID       the process\n"
"      --json          one JSON `thread` record per thread\n"
"  -o, --output FILE   write there\n"
"      --stack-size B  bytes of each thread's stack read (default 8192)\n"
"\n"
"Examples:\n"
"  usdtrace dump -p 1234\n"
"  usdtrace dump --json -p 1234\n";

/* The task's state (task_struct.__state) as ps writes it. */
static char state_letter(uint64_t state)
{
	if (!state)
		return 'R';
	if (state & 1)
		return 'S';
	if (state & 2)
		return state & 0x400 ? 'I' : 'D';	/* TASK_IDLE: NOLOAD */
	if (state & 4)
		return 'T';
	if (state & 8)
		return 't';
	return '?';
}

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct dump_state *ds = ctx;
	struct dump_thread *t;

	(void)site;
	if (ev->kind != UT_EV_SAMPLE)
		return;
	if (VEC_RESERVE(ds->threads, ds->cap_threads, ds->nr_threads + 1)) {
		ds->err = -ENOMEM;
		return;
	}
	t = &ds->threads[ds->nr_threads++];
	t->pid = ev->pid;
	t->tid = ev->tid;
	memcpy(t->comm, ev->comm, UT_COMM_LEN);
	t->comm[UT_COMM_LEN] = '\0';
	t->state = state_letter(ev->args[2]);
	t->on_cpu = ev->args[0] & UT_SAMPLE_ON_CPU;
	if (sampler__sample(ds->sampler, ev, &ds->prof, NULL))
		ds->err = -ENOMEM;
}

/* Attached: the runtime read (its frames' layout given to the kernel), then the threads. */
static int on_attached(void *ctx, struct attach_session *s, const struct attach_stats *st)
{
	struct dump_state *ds = ctx;
	int err;

	(void)st;
	ds->s = s;
	sampler__prime(ds->sampler, ds->o->run.pids[0]);
	if (!sampler__has_runtime(ds->sampler, ds->o->run.pids[0]))
		fprintf(stderr, "usdtrace: PID %d: no runtime whose frames usdtrace reads "
			"(CPython 3.11, Ruby 3.1, PHP 8.2, HotSpot 17): native frames only\n",
			(int)ds->o->run.pids[0]);
	err = attach_session__iterate(s);
	if (err)
		usdtrace_err("dump: %s", attach_session__errmsg(s));
	return err;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct dump_state *ds = ctx;

	(void)s;
	(void)now;
	if (!final)
		return;
	sampling_info__take(&ds->si, &ds->w, &ds->prof);
	if (ds->err) {
		usdtrace_err("dump: %s", strerror(-ds->err));
		return;
	}
	profile__write_dump(ds->w.out, &ds->prof, ds->w.json, ds->threads, ds->nr_threads);
	fflush(ds->w.out);
}

/*
 * Why process @pid has no thread to dump (gone, a zombie, a kernel
 * thread), or NULL: from /proc, before anything is loaded.
 */
static const char *undumpable(pid_t pid)
{
	char path[64], buf[512], exe[16], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return "no such process";
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;	/* the state follows the name */
	if (p && p[1] == ' ' && p[2] == 'Z')
		return "a zombie: its threads are gone";
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (readlink(path, exe, sizeof(exe)) < 0 && errno == ENOENT)
		return "a kernel thread: no user stack";
	return NULL;
}

static int run_dump(const struct cli_command *cmd, struct cli_opts *o)
{
	struct attach_opts ao = { .mode = ATTACH_PROFILE, .profile.dump = true,
				  .stack = { UT_STACK_DWARF, o->stack_size } };
	struct dump_state *ds;
	struct runner_hooks hooks = { .on_event = on_event, .on_tick = on_tick,
				      .check_attached = on_attached };
	struct sampler_opts so = { .interp = true, .set_interp = sampling_set_interp,
				   .warn = report_warning };
	const char *why;
	int status = 1;

	if (o->run.nr_pids != 1) {
		usdtrace_err("%s: give one process, -p PID (see usdtrace %s --help)", cmd->name,
			     cmd->name);
		return 1;
	}
	why = undumpable(o->run.pids[0]);
	if (why) {
		usdtrace_err("PID %d: %s", (int)o->run.pids[0], why);
		return 1;
	}
	ds = calloc(1, sizeof(*ds));
	if (!ds) {
		usdtrace_err("%s: %s", cmd->name, strerror(ENOMEM));
		return 1;
	}
	ds->o = o;
	ds->w.sampling = &ds->si;
	ds->si.hz = 0;
	snprintf(ds->what, sizeof(ds->what), "reading every thread of PID %d",
		 (int)o->run.pids[0]);
	ds->si.what = ds->what;
	hooks.ctx = ds;
	so.ctx = &ds->s;
	o->run.duration = DUMP_DRAIN_S;
	if (runner_opts__probes(&o->run, 0, NULL, 0))
		goto out_free;
	if (sampler__new(&so, &ds->sampler)) {
		usdtrace_err("%s: %s", cmd->name, strerror(ENOMEM));
		goto out_free;
	}
	status = runner__run(&o->run, &ao, &hooks, &ds->w);
	if (!status && ds->err)
		status = 1;
out_free:
	sampler__free(ds->sampler);
	profile__free(&ds->prof);
	free(ds->threads);
	free(ds);
	return status;
}

const struct cli_command cmd_dump = {
	.name = "dump",
	.summary = "every thread's stack of a process, now, without stopping it",
	.usage = dump_usage,
	.opts = OPT(OPT_JSON) | OPT(OPT_OUTPUT) | OPT(OPT_PID) | OPT(OPT_STACK_SIZE),
	.no_args = true,
	.run = run_dump,
};
