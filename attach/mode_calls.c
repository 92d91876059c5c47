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

static int calls_site_roles(struct attach_session *s, int i, const struct sdt_probe *p,
			    struct ut_site_spec *spec)
{
	int k;

	(void)p;
	spec->flags |= s->opts.probe_flags ? s->opts.probe_flags[i] : 0;
	for (k = 0; k < UT_IDENT_MAX; k++)
		spec->ident[k] = s->opts.ident[k] < spec->nr_args ? s->opts.ident[k] : -1;
	return 0;
}

const struct session_mode session_mode_calls = {
	.name = "calls",
	.elf_bytes = calls_bpf__elf_bytes,
	.prog = "usdt_calls",
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
	struct methods_walk mw = { cb, ctx };

	return session_map_walk(session_map_fd(s, "methods"), sizeof(struct ut_method_key),
				sizeof(struct ut_method_stats), true, method_of, &mw);
}
