// SPDX-License-Identifier: MIT
/*
 * load.c - load the BPF programs of a session: the mode's object with its
 * maps sized, the uprobe_multi capability probed once (falling back to one
 * link per site), and the fork hook for --follow.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "session_priv.h"
#include "spec.h"

#define SITES_MIN_CAPACITY	16384

/*
 * Maps of the other modes get one entry: preallocating megabytes of hash
 * tables nobody uses would cost start-up time and kernel memory.
 */
static int shrink_unused_maps(struct attach_session *s)
{
	bool count = s->opts.mode == ATTACH_COUNT, lat = s->opts.mode == ATTACH_LATENCY;
	struct {
		struct bpf_map *map;
		bool used;
		__u32 size;
	} maps[] = {
		{ s->skel->maps.site_counts, count && !s->opts.count_by_pid, s->max_sites },
		{ s->skel->maps.pid_counts, count && s->opts.count_by_pid, 0 },
		{ s->skel->maps.lat_stacks, lat, 0 },
		{ s->skel->maps.lat_hist, lat, 0 },
		{ s->skel->maps.lat_stats, lat, 0 },
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (maps[i].used && !maps[i].size)
			continue;	/* keep the size the BPF object declares */
		err = bpf_map__set_max_entries(maps[i].map, maps[i].used ? maps[i].size : 1);
		if (err)
			return err;
	}
	return 0;
}

static int load_skel(struct attach_session *s, bool multi)
{
	struct bpf_program *prog;
	int err;

	s->skel = usdt_bpf__open();
	if (!s->skel)
		return session_err(s, -errno, "BPF: cannot open the program: %s",
				   strerror(errno));
	s->skel->rodata->str_len = s->opts.str_len;
	s->skel->rodata->ip_off = (__u16)spec_x86_64_reg_offset(16);
	s->skel->rodata->count_by_pid = s->opts.count_by_pid;
	/* a quarter of the ring, so a burst never waits for a full ring */
	s->skel->rodata->wakeup_bytes = (s->opts.ring_size ? s->opts.ring_size : 1u << 22) / 4;
	s->max_sites = SITES_MIN_CAPACITY;
	err = bpf_map__set_max_entries(s->skel->maps.site_specs, s->max_sites);
	if (!err)
		err = shrink_unused_maps(s);
	/* only the mode's program is loaded: no verifier time for the others */
	bpf_program__set_autoload(s->skel->progs.usdt_count, s->opts.mode == ATTACH_COUNT);
	bpf_program__set_autoload(s->skel->progs.usdt_latency,
				  s->opts.mode == ATTACH_LATENCY);
	bpf_program__set_autoload(s->skel->progs.usdt_calls, s->opts.mode == ATTACH_CALLS);
	if (!err && s->opts.ring_size)
		err = bpf_map__set_max_entries(s->skel->maps.events, s->opts.ring_size);
	s->skel->rodata->follow = s->opts.follow;
	bpf_object__for_each_program(prog, s->skel->obj) {
		if (!err && multi && bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE)
			err = bpf_program__set_expected_attach_type(prog, BPF_TRACE_UPROBE_MULTI);
	}
	if (!err)
		err = usdt_bpf__load(s->skel);
	if (err)
		return session_err(s, err, "BPF: cannot load the program: %s",
				   strerror(-err));
	return 0;
}

/*
 * Does this kernel take uprobe_multi links (Linux >= 6.6)? Try one on our
 * own main(), which never runs again, restricted to our own process. The
 * link is kept until the session ends: releasing a uprobe_multi link waits
 * for an RCU grace period, tens of milliseconds better spent after the run.
 */
static bool multi_works(struct attach_session *s)
{
	LIBBPF_OPTS(bpf_uprobe_multi_opts, mo);
	unsigned long off;
	uint64_t vaddr, offset;
	struct elf_symtab *t;
	__u64 cookie = 0;
	bool ok = false;

	if (elf_symtab__open("/proc/self/exe", &t))
		return false;
	if (!elf_symtab__lookup(t, "main", &vaddr) && !elf_symtab__offset(t, vaddr, &offset)) {
		off = (unsigned long)offset;
		mo.offsets = &off;
		mo.cookies = &cookie;
		mo.cnt = 1;
		s->probe_link = bpf_program__attach_uprobe_multi(s->skel->progs.usdt_hit,
								 getpid(), "/proc/self/exe",
								 NULL, &mo);
		ok = s->probe_link != NULL;
	}
	elf_symtab__free(t);
	return ok;
}

/* --follow: the traced process is followed, and the fork hook adds children. */
static int start_following(struct attach_session *s)
{
	__u32 pid = (__u32)s->opts.pid;
	__u8 one = 1;
	int err;

	if (!s->opts.follow)
		return 0;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.followed), &pid, &one, BPF_ANY))
		return session_err(s, -errno, "BPF: follow: %s", strerror(errno));
	s->follow_skel = follow_bpf__open();
	if (!s->follow_skel)
		return session_err(s, -errno, "BPF: follow: %s", strerror(errno));
	err = bpf_map__reuse_fd(s->follow_skel->maps.followed,
				bpf_map__fd(s->skel->maps.followed));
	if (!err)
		err = follow_bpf__load(s->follow_skel);
	if (err)
		return session_err(s, err, "BPF: cannot load the fork hook: %s", strerror(-err));
	s->fork_link = bpf_program__attach(s->follow_skel->progs.on_fork);
	if (!s->fork_link)
		return session_err(s, -errno, "BPF: cannot follow forks (sched_process_fork): "
				   "%s", strerror(errno));
	return 0;
}

int session_load_bpf(struct attach_session *s)
{
	int err;

	s->multi = !s->opts.no_multi;
	err = load_skel(s, s->multi);
	if (!err && s->multi && !multi_works(s)) {
		session_info(s, "uprobe_multi links refused by this kernel: one link per site");
		usdt_bpf__destroy(s->skel);
		s->skel = NULL;
		s->multi = false;
		err = load_skel(s, false);
	} else if (!err) {
		session_info(s, s->multi ? "attaching with one uprobe_multi link per object" :
			     "attaching with one uprobe link per site (--no-multi)");
	}
	return err ? err : start_following(s);
}
