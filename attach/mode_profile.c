// SPDX-License-Identifier: MIT
/*
 * mode_profile.c - the profile mode (bpf/profile.bpf.c): samples of every
 * traced thread at -F Hz from a perf event per CPU (perf_cpu.c), each with
 * its interpreter's frames and its user stack, streamed as UT_EV_SAMPLE
 * events. Its one map of its own, interp_procs, says for each process
 * where its interpreter keeps its frames; user space fills it.
 */
#include <bpf/bpf.h>
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

const struct session_mode session_mode_profile = {
	.name = "profile",
	.source = MODE_SOURCE_PERF_CPU,
	.open = profile_open,
	.destroy = profile_destroy,
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
