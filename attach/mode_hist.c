// SPDX-License-Identifier: MIT
/*
 * mode_hist.c - the hist mode (bpf/hist.bpf.c): a histogram of one
 * argument's values in the kernel, powers of two or linear; its reader sums
 * the per-CPU buckets and merges count, sum, min and max.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mode.h"
#include "session_priv.h"
/* after the shared structs its .rodata uses */
#include "hist.skel.h"

/* The histogram's argument: there, and a number. */
static int hist_site_roles(struct attach_session *s, int i, const struct sdt_probe *p,
			   struct ut_site_spec *spec)
{
	const struct probe_spec *ps = &s->probes[i];
	int k = s->opts.key_arg;
	char f;

	if (k < 0 || k >= p->nr_args)
		return session_err(s, -EINVAL, "arg%d: %s:%s has %d argument%s", k, p->provider,
				   p->name, p->nr_args, p->nr_args == 1 ? "" : "s");
	f = k < ps->nr_fmt ? ps->fmt[k] : '\0';
	if (f == 's' || f == 'S')
		return session_err(s, -EINVAL, "arg%d: a histogram of a string (FMT %c) has no "
				   "values", k, f);
	spec->flags |= UT_SITE_KEY;
	spec->key_arg = (__u32)k;
	s->hist_signed = f == 'd' || (!f && p->args[k].is_signed);
	return 0;
}

const struct session_mode session_mode_hist = {
	.name = "hist",
	.elf_bytes = hist_bpf__elf_bytes,
	.prog = "usdt_hist",
	.site_roles = hist_site_roles,
};

int attach_session__hist(const struct attach_session *s, uint64_t *counts,
			 struct ut_hist_stats *out, bool *is_signed)
{
	int ncpu = libbpf_num_possible_cpus(), fd = session_map_fd(s, "hist_buckets"), c, err;
	struct ut_hist_stats *vals;
	__u32 b, zero = 0;

	for (b = 0; b < UT_HIST_BUCKETS; b++) {
		err = session_percpu_sum(fd, &b, &counts[b], 1);
		if (err)
			return err;
	}
	vals = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(session_map_fd(s, "hist_stats"), &zero, vals)) {
		err = -errno;
		free(vals);
		return err;
	}
	memset(out, 0, sizeof(*out));
	for (c = 0; c < ncpu; c++) {
		if (!vals[c].count)
			continue;
		if (!out->count || ut_hist_lt(vals[c].min, out->min, s->hist_signed))
			out->min = vals[c].min;
		if (!out->count || ut_hist_lt(out->max, vals[c].max, s->hist_signed))
			out->max = vals[c].max;
		out->count += vals[c].count;
		out->sum += vals[c].sum;
	}
	free(vals);
	*is_signed = s->hist_signed;
	return 0;
}
