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

int attach_session__methods(const struct attach_session *s, attach_method_fn cb, void *ctx)
{
	int fd = session_map_fd(s, "methods"), err;
	struct ut_method_key *k, *next, *prev = NULL;
	struct ut_method_stats st;

	k = malloc(2 * sizeof(*k));
	if (!k)
		return -ENOMEM;
	next = k + 1;
	err = 0;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		*k = *next;
		prev = k;
		err = session_percpu_sum(fd, k, (uint64_t *)&st, sizeof(st) / sizeof(uint64_t));
		if (err == -ENOENT) {
			err = 0;
			continue;
		}
		if (err)
			break;
		cb(ctx, k, &st);
	}
	free(k);
	return err;
}
