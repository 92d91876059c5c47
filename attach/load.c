// SPDX-License-Identifier: MIT
/*
 * load.c - load the BPF programs of a session: the mode's object (mode.h)
 * with its maps sized and its settings (struct ut_config) written to
 * .rodata, the uprobe_multi capability probed once (falling back to one
 * link per site), and the fork hook for --follow.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "objects.h"
#include "proctree.h"
#include "session_priv.h"
#include "../arch/regs.h"

#define SITES_MIN_CAPACITY	16384

/* Linear hist buckets between MIN and MAX (the CLI bounds them). */
static __u32 hist_steps(const struct attach_opts *o)
{
	uint64_t span = (uint64_t)o->hist.max - (uint64_t)o->hist.min;

	if (!o->hist.linear || !o->hist.step)
		return 0;
	return (__u32)((span + o->hist.step - 1) / o->hist.step);
}

/*
 * The ring buffer's bytes: --ring-size, else 4 MiB; a sampler's 1 MiB (a
 * few hundred samples at 99 Hz a CPU: a second's worth on many CPUs).
 */
static uint32_t ring_size(const struct attach_session *s)
{
	if (s->opts.ring_size)
		return s->opts.ring_size;
	return s->mode->source == MODE_SOURCE_PERF_CPU ? 1u << 20 : 1u << 22;
}

/* The settings every mode's object reads from .rodata (struct ut_config). */
static int set_config(struct attach_session *s)
{
	struct ut_config cfg = {
		.str_len = s->opts.str_len,
		.ip_off = (__u16)regs_ip_offset(regs_host_machine()),
		.follow = s->by_map,
		.preds = s->max_preds > 1,
		.hist_linear = s->opts.hist.linear,
		.hist_min = s->opts.hist.min,
		.hist_max = s->opts.hist.max,
		.hist_step = s->opts.hist.step,
		.hist_steps = hist_steps(&s->opts),
		.key_size = s->opts.keys.size,	/* 0: no keys */
		.nr_keys = (__u8)s->opts.keys.nr,
		.slow_ns = s->opts.latency.slow_ns,
		.open_size = s->opts.latency.slow_ns ? session_lat_open_size(s) : 0,
		.stack_mode = s->opts.stack.mode,
		.stack_size = s->opts.stack.size,
		.open_stack = session_lat_open_stack(s),
		/* a quarter of the ring, so a burst never waits for a full ring */
		.wakeup_bytes = ring_size(s) / 4,
		.self_tgid = (__u32)getpid(),
		.cpu_time = s->opts.profile.off_cpu && s->opts.profile.on_cpu,
	};

	if (s->opts.keys.nr > UT_MAX_KEYS)
		return -E2BIG;
	if (s->opts.keys.nr)
		memcpy(cfg.keys, s->opts.keys.parts, (size_t)s->opts.keys.nr * sizeof(cfg.keys[0]));
	*s->skel.cfg = cfg;
	return 0;
}

/* @p if it was loaded, else NULL. */
static struct bpf_program *loaded(struct bpf_program *p)
{
	return p && bpf_program__fd(p) >= 0 ? p : NULL;
}

/* Does user probe @i read a string (FMT s or S)? */
static bool probe_reads_strings(const struct attach_session *s, int i)
{
	return memchr(s->probes[i].fmt, 's', (size_t)s->probes[i].nr_fmt) ||
	       memchr(s->probes[i].fmt, 'S', (size_t)s->probes[i].nr_fmt);
}

/*
 * Load only the programs the probes need: each costs verifier time at
 * every start. Sites read strings only where a probe's FMT says s or S.
 */
static void choose_programs(struct attach_session *s)
{
	struct bpf_program *p = s->skel.prog_str;
	bool strs = false, plain = false;
	int i;

	for (i = 0; i < s->nr_probes; i++) {
		if (probe_reads_strings(s, i) && !s->opts.no_fault_in)
			strs = true;
		else
			plain = true;
	}
	if (p && !strs)
		bpf_program__set_autoload(p, false);
	if (p && strs && !plain)
		bpf_program__set_autoload(s->skel.prog, false);
}

/* Open the mode's skeleton, size its maps, write its settings, load it. */
static int load_obj(struct attach_session *s, bool multi)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct mode_skel *ms = &s->skel;
	struct bpf_program *prog;
	int err;

	memset(ms, 0, sizeof(*ms));
	err = s->mode->open(ms, &oo);
	if (err)
		return session_err(s, err, "BPF: cannot open the program: %s", strerror(-err));
	s->max_sites = SITES_MIN_CAPACITY;
	err = bpf_map__set_max_entries(ms->site_specs, s->max_sites);
	if (!err)
		err = bpf_map__set_max_entries(ms->events, ring_size(s));
	if (!err && s->mode->size_maps)
		err = s->mode->size_maps(s);
	if (!err)
		err = bpf_map__set_max_entries(ms->preds, (__u32)s->max_preds);
	if (!err)
		err = set_config(s);
	choose_programs(s);
	bpf_object__for_each_program(prog, ms->obj) {
		if (!err && multi)
			err = bpf_program__set_expected_attach_type(prog, BPF_TRACE_UPROBE_MULTI);
	}
	if (!err)
		err = bpf_object__load(ms->obj);
	if (err)
		return session_err(s, err, "BPF: cannot load the program: %s", strerror(-err));
	s->prog = loaded(ms->prog);
	s->prog_str = loaded(ms->prog_str);
	s->hook_prog = loaded(ms->hook);
	s->specs_fd = bpf_map__fd(ms->site_specs);
	s->preds_fd = bpf_map__fd(ms->preds);
	if (!s->hook_prog || (!s->prog && !s->prog_str))
		return session_err(s, -ENOENT, "BPF: the %s object lacks its program",
				   s->mode->name);
	if (!s->prog)
		s->prog = s->prog_str;	/* every site reads strings */
	return 0;
}

/* The mode's skeleton closed (its maps and programs with it). */
void session_close_obj(struct attach_session *s)
{
	if (s->skel.skel)
		s->mode->destroy(s->skel.skel);
	memset(&s->skel, 0, sizeof(s->skel));
}

/* Never called: where multi_works() attaches its test uprobe. */
static __attribute__((noinline, used)) void multi_test_site(void)
{
	asm volatile("" ::: "memory");
}

/*
 * The file offset of multi_test_site() in this executable, from its
 * mapping: a packaged binary is stripped, so no symbol names it.
 */
static int test_site_offset(unsigned long *off)
{
	uint64_t addr = (uint64_t)(uintptr_t)multi_test_site;
	struct maps_entry e;
	char line[4096];
	int err = -ENOENT;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		if (!maps_line__parse(line, &e) && e.start <= addr && addr < e.end) {
			*off = (unsigned long)(addr - e.start + e.off);
			err = 0;
		}
	}
	fclose(f);
	return err;
}

/*
 * Does this kernel take uprobe_multi links (Linux >= 6.6)? Try one on
 * multi_test_site(), which never runs, restricted to our own process. The
 * link is kept until the session ends: releasing a uprobe_multi link waits
 * for an RCU grace period, tens of milliseconds better spent after the run.
 */
static bool multi_works(struct attach_session *s)
{
	LIBBPF_OPTS(bpf_uprobe_multi_opts, mo);
	unsigned long off;
	__u64 cookie = 0;

	if (test_site_offset(&off))
		return false;
	mo.offsets = &off;
	mo.cookies = &cookie;
	mo.cnt = 1;
	s->probe_link = bpf_program__attach_uprobe_multi(s->hook_prog, getpid(), "/proc/self/exe",
							 NULL, &mo);
	return s->probe_link != NULL;
}

/*
 * --follow: the processes the traced ones forked before the run (a
 * server's connected backends, its background workers) are followed as
 * well as those forked from now on, read once the fork hook is in place so
 * that none falls between. Those the table has no room for are counted
 * as unfollowed.
 */
static int follow_existing(struct attach_session *s, int fd)
{
	struct proc_link *links;
	size_t nr, n, k;
	pid_t *kids;
	__u8 one = 1;
	int err;

	err = proctree_read(&links, &nr);
	if (err)
		return session_err(s, err, "follow: cannot list processes: %s", strerror(-err));
	kids = calloc(nr ? nr : 1, sizeof(*kids));
	if (!kids) {
		free(links);
		return session_err(s, -ENOMEM, "follow: %s", strerror(ENOMEM));
	}
	n = proctree_descendants(links, nr, s->opts.pids, s->opts.nr_pids, kids);
	for (k = 0; k < n; k++) {
		__u32 pid = (__u32)kids[k];

		if (bpf_map_update_elem(fd, &pid, &one, BPF_ANY))
			s->unfollowed_at_start++;
	}
	free(kids);
	free(links);
	return 0;
}

/*
 * --follow or several -p: the links take every process, and BPF keeps those
 * in `followed`: the traced processes, and with --follow the fork hook
 * adds their children.
 */
static int start_following(struct attach_session *s)
{
	int fd = bpf_map__fd(s->skel.followed), err, i;
	__u8 one = 1;
	__u32 pid;

	if (!s->by_map)
		return 0;
	for (i = 0; i < s->opts.nr_pids; i++) {
		pid = (__u32)s->opts.pids[i];
		if (bpf_map_update_elem(fd, &pid, &one, BPF_ANY))
			return session_err(s, -errno, "BPF: follow: %s", strerror(errno));
	}
	if (!s->opts.follow)
		return 0;
	s->follow_skel = follow_bpf__open();
	if (!s->follow_skel)
		return session_err(s, -errno, "BPF: follow: %s", strerror(errno));
	err = bpf_map__reuse_fd(s->follow_skel->maps.followed, fd);
	if (!err)
		err = follow_bpf__load(s->follow_skel);
	if (err)
		return session_err(s, err, "BPF: cannot load the fork hook: %s", strerror(-err));
	s->fork_link = bpf_program__attach(s->follow_skel->progs.on_fork);
	if (!s->fork_link)
		return session_err(s, -errno, "BPF: cannot follow forks (sched_process_fork): "
				   "%s", strerror(errno));
	s->exit_link = bpf_program__attach(s->follow_skel->progs.on_exit);
	if (!s->exit_link)
		return session_err(s, -errno, "BPF: cannot follow exits (sched_process_exit): "
				   "%s", strerror(errno));
	return follow_existing(s, fd);
}

int session_load_bpf(struct attach_session *s)
{
	int err;

	s->mode = session_mode__get(s->opts.mode);
	if (!s->mode)
		return session_err(s, -EINVAL, "no such attach mode %d", (int)s->opts.mode);
	/* a sampler sees every thread: only the traced ones count */
	s->by_map = s->opts.follow || s->opts.nr_pids > 1 ||
		    (s->mode->source == MODE_SOURCE_PERF_CPU && s->opts.nr_pids);
	err = session_preds_init(s);
	if (err)
		return err;
	s->multi = !s->opts.no_multi && s->mode->source == MODE_SOURCE_UPROBES;
	err = load_obj(s, s->multi);
	if (!err && s->multi && !multi_works(s)) {
		session_info(s, "uprobe_multi links refused by this kernel: one link per site");
		bpf_link__destroy(s->probe_link);
		s->probe_link = NULL;
		session_close_obj(s);
		s->multi = false;
		err = load_obj(s, false);
	} else if (!err && s->mode->source == MODE_SOURCE_UPROBES) {
		session_info(s, s->multi ? "attaching with one uprobe_multi link per object" :
			     "attaching with one uprobe link per site (--no-multi)");
	}
	return err ? err : start_following(s);
}
