// SPDX-License-Identifier: MIT
/*
 * mode_calls.c - the calls mode (bpf/calls.bpf.c): each site is a method
 * entry or return (the adapter's roles per probe) naming the method by up
 * to three string arguments; its reader sums each method's figures over
 * CPUs.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>

#include "mode.h"
#include "session_priv.h"
/* after the shared structs its .rodata uses */
#include "calls.skel.h"

/* The session's skeleton, typed: only a calls session's has these maps. */
static struct calls_bpf *skel_of(const struct attach_session *s)
{
	return s->mode == &session_mode_calls ? s->skel.skel : NULL;
}

static int calls_site_roles(struct attach_session *s, int i, const struct sdt_probe *p,
			    struct ut_site_spec *spec)
{
	int k;

	(void)p;
	spec->flags |= s->opts.calls.probe_flags ? s->opts.calls.probe_flags[i] : 0;
	for (k = 0; k < UT_IDENT_MAX; k++)
		spec->ident[k] = s->opts.calls.ident[k] < spec->nr_args ? s->opts.calls.ident[k] : -1;
	return 0;
}

/* Its program (and what else the session takes from its skeleton). */
static void calls_setup(struct mode_skel *ms, struct calls_bpf *sk)
{
	ms->prog = sk->progs.usdt_calls;
}

MODE_SKEL_OPS(calls, calls_setup)

const struct session_mode session_mode_calls = {
	.name = "calls",
	.source = MODE_SOURCE_UPROBES,
	.open = calls_open,
	.destroy = calls_destroy,
	.site_roles = calls_site_roles,
};

struct methods_walk {
	attach_method_fn cb;
	void *ctx;
};

static int method_of(void *ctx, const void *key, const void *vals, int ncpu)
{
	struct methods_walk *mw = ctx;
	struct ut_method_stats st;

	session_sum_cpus(vals, ncpu, sizeof(st) / sizeof(uint64_t), (uint64_t *)&st);
	mw->cb(mw->ctx, key, &st);
	return 0;
}

int attach_session__methods(const struct attach_session *s, attach_method_fn cb, void *ctx)
{
	struct calls_bpf *sk = skel_of(s);
	struct methods_walk mw = { cb, ctx };

	if (!sk)
		return -EINVAL;
	return session_map_walk(bpf_map__fd(sk->maps.methods), sizeof(struct ut_method_key),
				sizeof(struct ut_method_stats), true, method_of, &mw);
}
