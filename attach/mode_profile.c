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

static int profile_open(struct mode_skel *ms, const struct bpf_object_open_opts *oo)
{
	struct profile_bpf *sk = profile_bpf__open_opts(oo);

	if (!sk)
		return -errno;
	MODE_SKEL_COMMON(ms, sk);
	ms->prog = sk->progs.usdt_profile;
	return 0;
}

static void profile_destroy(void *skel)
{
	profile_bpf__destroy(skel);
}

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
