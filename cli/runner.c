// SPDX-License-Identifier: MIT
/*
 * runner.c - the lifecycle shared by trace, count, latency, and through
 * lang_cmd.c calls, flow and stat (runner.h): check privileges, start the
 * command held (proc/child.h, so it is traced from its first instruction),
 * attach, release it, poll until it ends (proc/targets.h for -p), a
 * signal, or -d, then drain, summarize, detach, and exit with its status.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../expr/expr.h"
#include "../lang-adapters/lang.h"
#include "../proc/child.h"
#include "../proc/targets.h"
#include "report.h"
#include "runner.h"

#define POLL_MS			100

_Static_assert(RUNNER_MAX_PIDS <= TARGETS_MAX, "every -p is watched");
#define OUT_BUF_SIZE		(1 << 20)

/* Set by SIGINT/SIGTERM: the one piece of state a signal handler may touch. */
static volatile sig_atomic_t stop_requested;

struct run_state {
	const struct runner_opts *o;
	const struct runner_hooks *hooks;
	struct event_writer *w;
	struct child ch;		/* -c: held until attached */
	struct targets targets;		/* -p: watched until they exit */
	bool started;		/* "attached" said: later objects are said one by one */
	const struct lang_unsafe *said[8];	/* harmful probes left off, said once */
	size_t nr_said;
	int unmatched;		/* probes that never found a site */
};

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN) in the effective set. */
static int check_privileges(const char *cmd)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};
	bool bpf, perfmon, admin;

	if (syscall(SYS_capget, &hdr, data))
		return 0;	/* cannot tell: let the kernel decide */
	admin = data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
	bpf = data[CAP_BPF / 32].effective & (1u << (CAP_BPF % 32));
	perfmon = data[CAP_PERFMON / 32].effective & (1u << (CAP_PERFMON % 32));
	if (admin || (bpf && perfmon))
		return 0;
	usdtrace_err("%s: needs CAP_BPF and CAP_PERFMON (or root): missing %s", cmd,
		     !bpf && !perfmon ? "CAP_BPF and CAP_PERFMON" :
		     !bpf ? "CAP_BPF" : "CAP_PERFMON");
	return -EPERM;
}

uint64_t runner_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "usdtrace: warning: %s\n", msg);
}

static void info_cb(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "usdtrace: %s\n", msg);
}

/* Is @provider:@name named by a probe given without a glob (not ruby:*)? */
static bool named_exactly(const struct runner_opts *o, const char *provider, const char *name)
{
	int i;

	for (i = 0; i < o->nr_probes; i++) {
		const struct probe_spec *p = &o->probes[i];

		if (p->type == PROBE_USDT && p->provider && p->name &&
		    !strcmp(p->provider, provider) && !strcmp(p->name, name))
			return true;
	}
	return false;
}

/*
 * The unsafe-probe policy (lang-adapters): a harmful probe named by hand
 * is refused; one a glob or a runtime command reaches is left off, said
 * once each.
 */
static int check_site(void *ctx, const char *object, const char *provider, const char *name,
		      char *why, size_t size)
{
	struct run_state *run = ctx;
	const struct lang_unsafe *u;
	bool leave_off = run->o->unsafe_off || !named_exactly(run->o, provider, name);
	size_t i;

	switch (lang_unsafe__policy(object, provider, name, run->o->allow_unsafe, leave_off,
				    &u)) {
	case LANG_ATTACH:
		return 0;
	case LANG_REFUSE:
		snprintf(why, size, "%s:%s: refused in %s: %s (--allow-unsafe traces it anyway)",
			 provider, name, object, u->reason);
		return -EPERM;
	case LANG_LEAVE_OFF:
		break;
	}
	for (i = 0; i < run->nr_said && run->said[i] != u; i++)
		;
	if (i == run->nr_said && i < sizeof(run->said) / sizeof(run->said[0])) {
		run->said[run->nr_said++] = u;
		fprintf(stderr, "usdtrace: %s left off in %s: %s; %s (--allow-unsafe turns it "
			"on)\n", u->probe, object, u->reason, u->cost);
	}
	return 1;
}

static void err_cb(void *ctx, const char *msg)
{
	(void)ctx;
	usdtrace_err("%s", msg);
}

/* An object attached later; those of -c's start-up count in "attached". */
static void on_object(void *ctx, const char *path, int nr_probes, int nr_sites, double ms)
{
	struct run_state *run = ctx;

	if (run->started)
		event_writer__attached(run->w, stderr, nr_probes, nr_sites, 1, ms, path);
	/* a library loaded: the targets' mappings changed (they are held now) */
	if (run->started && run->hooks->on_targets) {
		if (run->ch.pid > 0)
			run->hooks->on_targets(run->hooks->ctx, &run->ch.pid, 1);
		else if (run->o->nr_pids)
			run->hooks->on_targets(run->hooks->ctx, run->o->pids, run->o->nr_pids);
	}
}

static void say_exit(void *ctx, pid_t pid, int status)
{
	(void)ctx;
	if (status < 0)
		fprintf(stderr, "usdtrace: PID %d exited\n", (int)pid);
	else if (WIFSIGNALED(status))
		fprintf(stderr, "usdtrace: PID %d exited (signal %d)\n", (int)pid,
			WTERMSIG(status));
	else
		fprintf(stderr, "usdtrace: PID %d exited (status %d)\n", (int)pid,
			WEXITSTATUS(status));
}

/* True when the traced process is gone (for -c with its status kept); each -p exit said. */
static bool target_gone(struct run_state *run)
{
	if (run->ch.pid > 0) {
		if (!run->ch.exited && child__exited(&run->ch, false) &&
		    WIFSIGNALED(run->ch.status))
			say_exit(NULL, run->ch.pid, run->ch.status);
		return run->ch.exited;
	}
	/* with several -p, each exit is said and the run goes on until the last */
	return targets__gone(&run->targets, say_exit, NULL);
}

static void tick(struct run_state *run, struct attach_session *s, bool final)
{
	if (run->hooks->on_tick)
		run->hooks->on_tick(run->hooks->ctx, s, runner_now_ns(), final);
}

/*
 * -c: the command runs up to the dynamic linker's first stop, where its
 * start-up libraries are attached; only then is "attached" said, so that
 * it counts what the command starts with. It stays stopped until then.
 */
static int wait_started(struct attach_session *s, struct run_state *run)
{
	int n;

	while (!attach_session__started(s) && !stop_requested && !target_gone(run)) {
		n = attach_session__poll(s, POLL_MS, run->hooks->on_event, run->hooks->ctx);
		if (n < 0)
			return n;
	}
	return 0;
}

/*
 * Wait up to POLL_MS for the ring buffer (and, with --serve, a client),
 * then consume what is there: the number of events, or -Exxx.
 */
static int poll_once(struct attach_session *s, struct run_state *run)
{
	int fd = serve__fd(run->hooks->serve);
	struct pollfd pfd[2];

	if (fd < 0)
		return attach_session__poll(s, POLL_MS, run->hooks->on_event, run->hooks->ctx);
	pfd[0] = (struct pollfd){ .fd = attach_session__fd(s), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(pfd, 2, POLL_MS) < 0 && errno != EINTR)
		return -errno;
	return attach_session__poll(s, 0, run->hooks->on_event, run->hooks->ctx);
}

static int stream(struct attach_session *s, struct run_state *run)
{
	uint64_t now = runner_now_ns();
	uint64_t end = run->o->duration ? now + (uint64_t)(run->o->duration * 1e9) : 0;
	uint64_t step = (uint64_t)(run->o->interval * 1e9), next = now + step;
	int n;

	while (!stop_requested) {
		n = poll_once(s, run);
		if (n < 0)
			return n;
		fflush(run->w->out);
		serve__pump(run->hooks->serve, s);
		now = runner_now_ns();
		if (step && now >= next) {
			tick(run, s, false);
			next += step;
		}
		if (target_gone(run) || (end && now >= end))
			break;
	}
	/* drain what the kernel queued before we stopped */
	do {
		n = attach_session__poll(s, 0, run->hooks->on_event, run->hooks->ctx);
	} while (n > 0);
	if (n >= 0)
		tick(run, s, true);
	return n < 0 ? n : 0;
}

static int open_output(const struct runner_opts *o, struct event_writer *w)
{
	w->out = stdout;
	if (o->out_path) {
		w->out = fopen(o->out_path, "we");
		if (!w->out) {
			usdtrace_err("%s: %s", o->out_path, strerror(errno));
			return -errno;
		}
	}
	if (!isatty(fileno(w->out)))
		setvbuf(w->out, NULL, _IOFBF, OUT_BUF_SIZE);
	return 0;
}

/* The command's status; usdtrace's own 1 where it failed, or a probe never matched. */
static int exit_status(const struct run_state *run, int err)
{
	int status = child__exit_code(&run->ch);

	if (err)
		return 1;
	return status ? status : run->unmatched ? 1 : 0;
}

/* -v: every site attached, as list shows it: the probe, its object and offset. */
static void say_sites(const struct attach_session *s)
{
	size_t i, n = attach_session__nr_sites(s);

	for (i = 0; i < n; i++) {
		const struct site_info *si = attach_session__site(s, i);

		if (si && si->probe_idx >= 0)
			fprintf(stderr, "usdtrace: site %s %s+%#" PRIx64 "\n", si->label,
				si->object, si->offset);
	}
}

static bool kprobe_text(const char *text)
{
	return !strncmp(text, "kprobe:", 7) || !strncmp(text, "kretprobe:", 10) ||
	       !strncmp(text, "k:", 2) || !strncmp(text, "kr:", 3);
}

/* Does this kernel have kprobes (CONFIG_KPROBES), for a bpftrace user's message? */
static bool kprobes_here(void)
{
	return !access("/sys/bus/event_source/devices/kprobe", F_OK);
}

static bool usdt_spec_matches(const void *ctx, const char *provider, const char *name)
{
	const struct probe_spec *spec = ctx;

	return spec->type == PROBE_USDT && probe_spec__matches(spec, provider, name);
}

/*
 * A run that attached but saw nothing, of a probe a runtime is known to
 * leave silent (CPython 3.11's function__entry, Ruby's method probes
 * without a TracePoint): say why, rather than end in silence.
 */
static void report_silent_gap(const struct runner_opts *o, const struct event_writer *w,
			      uint32_t sites)
{
	const char *probe, *why;
	int i;

	if (w->events || !sites || o->gap_said)
		return;
	for (i = 0; i < o->nr_probes; i++) {
		why = lang_gap__find(usdt_spec_matches, &o->probes[i], &probe);
		if (why) {
			fprintf(stderr, "usdtrace: warning: no hit of %s: %s\n", probe, why);
			return;
		}
	}
}

static int run_session(struct run_state *run, struct attach_opts *ao)
{
	const struct runner_opts *o = run->o;
	struct attach_session *s = NULL;
	struct attach_stats st;
	int err;

	ao->pids = o->pids;
	ao->nr_pids = o->nr_pids;
	ao->str_len = o->str_len;
	ao->ring_size = o->ring_size;
	ao->warn = warn_cb;
	ao->info = o->verbose ? info_cb : NULL;
	ao->no_multi = o->no_multi;
	ao->no_fault_in = o->no_fault_in;
	ao->follow = o->follow;
	ao->on_object = on_object;
	ao->site_check = check_site;
	ao->ctx = run;
	ao->latency.on_slow = run->hooks->on_slow;
	if (o->cmd) {
		char why[PATH_MAX + 64];

		err = child__start(&run->ch, o->cmd, ao->child_env, why, sizeof(why));
		if (err) {
			usdtrace_err("%s", why);
			return err;
		}
		ao->pids = &run->ch.pid;
		ao->nr_pids = 1;
		ao->exec_path = run->ch.image;
	}
	err = attach_session__new(ao, o->probes, o->nr_probes, &s);
	if (!err)
		err = attach_session__attach(s);
	if (err) {
		usdtrace_err("%s", s && attach_session__errmsg(s)[0] ?
			     attach_session__errmsg(s) : strerror(-err));
		goto out_free_session;
	}
	attach_session__stats(s, &st);
	if (run->hooks->check_attached) {
		err = run->hooks->check_attached(run->hooks->ctx, s, &st);
		if (err)
			goto out_free_session;
	}
	if (run->ch.pid > 0)
		child__release(&run->ch);
	err = wait_started(s, run);
	if (err) {
		/* refused at its start: the command must not run untraced */
		usdtrace_err("%s", attach_session__errmsg(s));
		if (run->ch.pid > 0)
			kill(run->ch.pid, SIGKILL);
		goto out_free_session;
	}
	if (run->hooks->on_targets) {
		/* a -c command is held with its start-up libraries mapped */
		if (run->ch.pid > 0)
			run->hooks->on_targets(run->hooks->ctx, &run->ch.pid, 1);
		else if (o->nr_pids)
			run->hooks->on_targets(run->hooks->ctx, o->pids, o->nr_pids);
	}
	attach_session__stats(s, &st);
	if (o->verbose)
		say_sites(s);
	event_writer__attached(run->w, stderr, st.probes, st.sites, st.objects,
			       (double)(runner_now_ns() - run->w->t0_ns) / 1e6, NULL);
	if (run->hooks->trace_header)
		event_writer__header(run->w);
	run->started = true;
	attach_session__resume(s);
	err = stream(s, run);
	if (err)
		usdtrace_err("%s", attach_session__errmsg(s));
	attach_session__stats(s, &st);
	run->w->faults += attach_session__faults(s);	/* the in-kernel modes' */
	event_writer__summary(run->w, stderr, attach_session__dropped(s),
			      attach_session__filtered(s), st.sites);
	if (!err)
		report_silent_gap(o, run->w, st.sites);
	if (!err && run->hooks->on_end)
		run->hooks->on_end(run->hooks->ctx, &st);
	if (attach_session__unfollowed(s))
		fprintf(stderr, "usdtrace: warning: %llu forked processes not followed: more "
			"than %d followed processes lived at once\n",
			(unsigned long long)attach_session__unfollowed(s), FOLLOWED_MAX);
	if (!err && !ao->quiet_unmatched)
		run->unmatched = attach_session__report_unmatched(s, err_cb, NULL);
out_free_session:
	attach_session__free(s);
	if (err)
		child__abort(&run->ch);
	else
		child__exited(&run->ch, true);
	return err;
}

int runner__run(const struct runner_opts *o, struct attach_opts *ao,
		const struct runner_hooks *hooks, struct event_writer *w)
{
	/* SA_RESTART: a signal must not cut an output write short (epoll_wait
	 * still returns early, which is what ends the run) */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct run_state run = {
		.o = o, .hooks = hooks, .w = w, .ch = { .release_fd = -1 },
	};
	struct timeline tl = {};
	int err, i;

	err = check_privileges(o->name);
	if (!err)
		err = open_output(o, w);
	if (err)
		return 1;
	w->json = o->json;
	for (i = 0; i < o->nr_probes; i++)
		w->filtering |= o->probes[i].pred != NULL;
	w->t0_ns = runner_now_ns();
	if (o->timeline_path) {
		err = timeline__open(&tl, o->timeline_path);
		if (err) {
			usdtrace_err("%s: %s", o->timeline_path, strerror(-err));
			return 1;
		}
		w->tl = &tl;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	targets__open(&run.targets, o->pids, o->nr_pids);
	err = run_session(&run, ao);
	targets__close(&run.targets);
	if (fflush(w->out) && !err) {
		usdtrace_err("%s: %s", o->out_path ? o->out_path : "stdout", strerror(errno));
		err = -EIO;
	}
	if (w->out != stdout)
		fclose(w->out);
	if (timeline__close(&tl) && !err) {
		usdtrace_err("%s: %s", o->timeline_path, strerror(EIO));
		err = -EIO;
	}
	w->tl = NULL;
	return exit_status(&run, err);
}

int runner_opts__probes(struct runner_opts *o, int argc, char **argv, int first)
{
	const char *why;
	int i, err;

	if (o->nr_pids && o->cmd) {
		usdtrace_err("-p and -c exclude each other");
		return -EINVAL;
	}
	if (o->comm && strlen(o->comm) > 63) {
		usdtrace_err("--comm %s: a glob of at most 63 characters", o->comm);
		return -EINVAL;
	}
	o->nr_probes = argc - first;
	o->probes = calloc((size_t)(o->nr_probes > 0 ? o->nr_probes : 1), sizeof(*o->probes));
	if (!o->probes)
		return -ENOMEM;
	for (i = 0; i < o->nr_probes; i++) {
		err = probe_spec__parse(argv[first + i], &o->probes[i], &why);
		if (err) {
			usdtrace_err("%s: %s%s", argv[first + i], why,
				     kprobe_text(argv[first + i]) && !kprobes_here() ?
				     " (and this kernel has no kprobes)" : "");
			o->nr_probes = i;
			return err;
		}
		/* --comm: a predicate on every probe */
		if (o->comm && expr__and_glob(&o->probes[i].pred, -1, o->comm)) {
			usdtrace_err("%s: --comm %s: predicate too long", argv[first + i],
				     o->comm);
			o->nr_probes = i + 1;
			return -E2BIG;
		}
	}
	return 0;
}

void runner_opts__free(struct runner_opts *o)
{
	int i;

	for (i = 0; o->probes && i < o->nr_probes; i++)
		probe_spec__free(&o->probes[i]);
	free(o->probes);
	o->probes = NULL;
}
