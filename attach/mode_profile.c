// SPDX-License-Identifier: MIT
/*
 * mode_profile.c - the profile mode (bpf/profile.bpf.c): samples of every
 * traced thread at -F Hz from a perf event per CPU (perf_cpu.c), each with
 * its interpreter's frames and its user stack, streamed as UT_EV_SAMPLE
 * events. Its one map of its own, interp_procs, says for each process
 * where its interpreter keeps its frames; user space fills it. With
 * --off-cpu its other program runs instead, on sched_switch (perf_cpu.c
 * attaches it); for dump, its task iterator, bound to one process and run
 * once.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>

#include "mode.h"
#include "session_priv.h"
/* after the shared structs its .rodata uses */
#include "profile.skel.h"

/* The session's skeleton, typed: only a profile session's has these maps. */
static struct profile_bpf *skel_of(const struct attach_session *s)
{
	return s->mode == &session_mode_profile ? s->skel.skel : NULL;
}

/* Its program (and what else the session takes from its skeleton). */
static void profile_setup(struct mode_skel *ms, struct profile_bpf *sk)
{
	ms->prog = sk->progs.usdt_profile;
}

MODE_SKEL_OPS(profile, profile_setup)

/* Its programs loaded: the sampler, the off-CPU one, or both; or the dump's. */
static int profile_choose(struct attach_session *s)
{
	struct profile_bpf *sk = skel_of(s);

	if (!sk)
		return -EINVAL;
	if (s->opts.profile.dump) {
		bpf_program__set_autoload(sk->progs.usdt_profile, false);
		bpf_program__set_autoload(sk->progs.usdt_off_cpu, false);
		s->skel.prog = sk->progs.usdt_dump;
	} else if (s->opts.profile.off_cpu && !s->opts.profile.on_cpu) {
		bpf_program__set_autoload(sk->progs.usdt_profile, false);
		bpf_program__set_autoload(sk->progs.usdt_dump, false);
		s->skel.prog = sk->progs.usdt_off_cpu;
	} else if (s->opts.profile.off_cpu) {
		/* wall time: samples on the CPUs, and each block */
		bpf_program__set_autoload(sk->progs.usdt_dump, false);
		s->switch_prog = sk->progs.usdt_off_cpu;
	} else {
		bpf_program__set_autoload(sk->progs.usdt_off_cpu, false);
		bpf_program__set_autoload(sk->progs.usdt_dump, false);
	}
	return 0;
}

const struct session_mode session_mode_profile = {
	.name = "profile",
	.source = MODE_SOURCE_PERF_CPU,
	.open = profile_open,
	.destroy = profile_destroy,
	.size_maps = profile_choose,
};

int attach_session__set_interp(const struct attach_session *s, pid_t pid,
			       const struct ut_interp_proc *ip)
{
	struct profile_bpf *sk = skel_of(s);
	__u32 key = (__u32)pid;

	if (!sk)
		return -EINVAL;
	if (!ip)
		return bpf_map_delete_elem(bpf_map__fd(sk->maps.interp_procs), &key) ? -errno : 0;
	return bpf_map_update_elem(bpf_map__fd(sk->maps.interp_procs), &key, ip, BPF_ANY) ?
	       -errno : 0;
}
