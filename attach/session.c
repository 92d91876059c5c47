// SPDX-License-Identifier: MIT
/*
 * session.c - the orchestrator of an attach session (see session.h):
 * resolve the probes' paths, load the BPF programs, attach the objects known
 * now (a process's maps, the command to start, or the named files), the
 * plain uprobes and the dynamic linker hook; then hand ring-buffer events
 * to the caller and attach the objects a process maps later.
 *
 * The jobs live in files of their own, sharing the session through
 * session_priv.h: load.c, site_table.c, object_table.c, match.c,
 * usdt_sites.c, discover.c, uprobe.c, dlhook.c; they report through
 * messenger.c and none calls back into this file. session_read.c reads
 * what the kernel aggregated.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../sdt/sdt.h"
#include "session_priv.h"

/*
 * The process stopped in the ld.so hook: attach what it mapped, resume it.
 * The command's first stop (its start-up libraries) stays stopped until
 * the caller has said what is attached (attach_session__resume).
 */
static int on_dlopen(struct attach_session *s, pid_t pid)
{
	int err = 0;

	if (pid == s->pid || s->by_map)
		err = session_attach_pid_objects(s, pid, false);
	if (s->hooked && !s->started && pid == s->pid) {
		s->started = true;
		s->held = pid;
		return err;
	}
	kill(pid, SIGCONT);
	return err;
}

static size_t event_size(const struct ut_event *ev)
{
	return sizeof(*ev) + (size_t)ev->nr_strs * ev->str_len;
}

/* A slow pair: END's event, then BEGIN's (see UT_EV_SLOW). */
static int on_slow(struct attach_session *s, const struct ut_event *end, size_t size)
{
	const struct ut_event *begin = (const void *)((const char *)end + event_size(end));
	const struct site_info *bsite = NULL;
	size_t rest = size - event_size(end);

	if (rest < sizeof(*begin) || rest < event_size(begin) + begin->stack_len)
		return 0;
	if (begin->kind == UT_EV_PROBE) {
		if (begin->site_id >= s->nr_sites)
			return 0;
		bsite = &s->sites[begin->site_id].info;
	}
	s->handled++;
	if (s->opts.latency.on_slow)
		s->opts.latency.on_slow(s->cb_ctx, end, &s->sites[end->site_id].info, begin, bsite);
	return 0;
}

static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct attach_session *s = ctx;
	const struct ut_event *ev = data;
	int err;

	if (size < sizeof(*ev))
		return 0;
	if (s->closing) {
		if (ev->kind == UT_EV_DLOPEN)
			kill((pid_t)ev->pid, SIGCONT);
		return 0;
	}
	if (ev->kind == UT_EV_DLOPEN) {
		err = on_dlopen(s, (pid_t)ev->pid);
		if (err) {
			s->poll_err = err;
			return err;	/* stops ring_buffer__poll() */
		}
		return 0;
	}
	if (ev->kind == UT_EV_SAMPLE || ev->kind == UT_EV_OFF_CPU_END) {
		/* a sampler's: no site */
		static const struct site_info sampler = { .label = "cpu-clock" };

		if (size < event_size(ev) + ev->stack_len)
			return 0;
		s->handled++;
		if (s->cb)
			s->cb(s->cb_ctx, ev, &sampler);
		return 0;
	}
	if (ev->site_id >= s->nr_sites || size < event_size(ev) + ev->stack_len)
		return 0;
	if (ev->kind == UT_EV_SLOW)
		return on_slow(s, ev, size);
	s->handled++;
	if (s->cb)
		s->cb(s->cb_ctx, ev, &s->sites[ev->site_id].info);
	return 0;
}

/* -p: the objects @pid maps now, and the dynamic linker hook for later ones. */
static int attach_process(struct attach_session *s, pid_t pid)
{
	char root[64], open_path[PATH_MAX + 64];
	int err;

	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	snprintf(open_path, sizeof(open_path), "/proc/%d/exe", (int)pid);
	err = session_attach_pid_objects(s, pid, true);
	return err ? err : session_hook_interp(s, open_path, root);
}

int attach_session__attach(struct attach_session *s)
{
	struct seen_obj *o;
	bool fresh;
	int i, n, nr_probes, err;

	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	err = session_resolve_paths(s);
	if (!err)
		err = session_load_bpf(s);
	if (err)
		return err;

	if (s->mode->source == MODE_SOURCE_PERF_CPU) {
		err = session_attach_perf_cpus(s);	/* no sites: samples */
	} else if (!s->pid) {
		err = session_attach_system_wide(s);
	} else if (s->opts.exec_path) {
		err = session_see_obj(s, s->opts.exec_path, s->opts.exec_path, &o, &fresh);
		if (!err && !o->file)
			err = session_err(s, -ENOEXEC, "%s: not an ELF file", o->path);
		n = err ? err : session_attach_usdt_obj(s, o, &nr_probes);
		err = n < 0 ? n : session_hook_interp(s, s->opts.exec_path, "");
	} else {
		for (i = 0; !err && i < s->opts.nr_pids; i++)
			err = attach_process(s, s->opts.pids[i]);
	}
	for (i = 0; !err && i < s->nr_probes; i++) {
		if (s->probes[i].type != PROBE_USDT)
			err = session_attach_uprobe(s, i);
	}
	if (!err)
		err = session_check_matches(s);
	if (err)
		return err;

	s->rb = ring_buffer__new(bpf_map__fd(s->skel.events), on_ring_event, s, NULL);
	if (!s->rb)
		return session_err(s, -errno, "BPF: ring buffer: %s", strerror(errno));
	return 0;
}

int attach_session__poll(struct attach_session *s, int timeout_ms, attach_event_fn cb,
			 void *ctx)
{
	int err;

	s->cb = cb;
	s->cb_ctx = ctx;
	s->handled = 0;
	s->poll_err = 0;
	/*
	 * BPF wakes us only when enough data waits (or for the ld.so hook), so
	 * after the wait, consume whatever is there: batches, not events.
	 */
	err = ring_buffer__poll(s->rb, timeout_ms);
	if (err >= 0 || err == -EINTR)
		err = ring_buffer__consume(s->rb);
	if (s->poll_err)
		return s->poll_err;
	if (err < 0 && err != -EINTR)
		return session_err(s, err, "BPF: ring buffer: %s", strerror(-err));
	return s->handled;
}

int attach_session__fd(const struct attach_session *s)
{
	return ring_buffer__epoll_fd(s->rb);
}

/*
 * Probes with a site: the distinct provider:name (a glob such as sample:*
 * is as many probes as it matched), or with more sites than it pays to
 * compare, the probes given that matched.
 */
static int probes_attached(const struct attach_session *s)
{
	size_t i, j;
	int n = 0;

	if (s->nr_sites > 4096) {
		for (i = 0; i < (size_t)s->nr_probes; i++)
			n += s->pstate[i].nr_sites > 0;
		return n;
	}
	for (i = 0; i < s->nr_sites; i++) {
		const struct site_info *a = &s->sites[i].info;

		if (a->probe_idx < 0)
			continue;
		for (j = 0; j < i; j++) {
			const struct site_info *b = &s->sites[j].info;

			if (b->probe_idx >= 0 && !strcmp(a->label, b->label))
				break;
		}
		n += j == i;
	}
	return n;
}

void attach_session__stats(const struct attach_session *s, struct attach_stats *st)
{
	size_t i, k;

	memset(st, 0, sizeof(*st));
	st->cpus = s->nr_perf_links - (s->switch_prog ? 1 : 0);	/* sched_switch's is no CPU's */
	st->probes = probes_attached(s);
	for (i = 0; i < s->nr_sites; i++)
		st->sites += s->sites[i].info.probe_idx >= 0;
	for (k = 0; k < s->nr_objs; k++) {
		for (i = 0; i < s->nr_sites; i++) {
			if (s->sites[i].info.probe_idx >= 0 &&
			    s->sites[i].info.object == s->objs[k].path) {
				st->objects++;
				break;
			}
		}
	}
}

bool attach_session__started(const struct attach_session *s)
{
	return !s->hooked || s->started;
}

void attach_session__resume(struct attach_session *s)
{
	if (s->held)
		kill(s->held, SIGCONT);
	s->held = 0;
}

const char *attach_session__errmsg(const struct attach_session *s)
{
	return s->errmsg;
}

int attach_session__new(const struct attach_opts *opts, const struct probe_spec *probes,
			int nr_probes, struct attach_session **out)
{
	struct attach_session *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->opts = *opts;
	s->pid = opts->nr_pids ? opts->pids[0] : 0;
	if (!s->opts.str_len)
		s->opts.str_len = UT_STR_DEFAULT;
	s->probes = probes;
	s->nr_probes = nr_probes;
	s->pstate = calloc((size_t)(nr_probes ? nr_probes : 1), sizeof(*s->pstate));
	if (!s->pstate) {
		free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

void attach_session__free(struct attach_session *s)
{
	size_t i;
	int n;

	if (!s)
		return;
	bpf_link__destroy(s->fork_link);
	bpf_link__destroy(s->exit_link);
	bpf_link__destroy(s->probe_link);
	session_detach_perf_cpus(s);
	follow_bpf__destroy(s->follow_skel);
	for (i = 0; i < s->nr_sites; i++) {
		bpf_link__destroy(s->sites[i].link);
		free((char *)s->sites[i].info.label);
	}
	/*
	 * No hook can stop a process now; resume those it stopped whose
	 * events were not handled yet, and the command held at its start.
	 */
	s->closing = true;
	if (s->rb)
		ring_buffer__consume(s->rb);
	attach_session__resume(s);
	ring_buffer__free(s->rb);
	session_close_obj(s);
	for (i = 0; i < s->nr_objs; i++) {
		sdt_file__free(s->objs[i].file);
		elf_symtab__free(s->objs[i].syms);
		free(s->objs[i].path);
		free(s->objs[i].open_path);
	}
	for (n = 0; n < s->nr_probes; n++)
		free(s->pstate[n].resolved);
	free(s->objs);
	free(s->sites);
	free(s->preds);
	free(s->pstate);
	free(s);
}
