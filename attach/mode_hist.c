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

/* The session's skeleton, typed: only a hist session's has these maps. */
static struct hist_bpf *skel_of(const struct attach_session *s)
{
	return s->mode == &session_mode_hist ? s->skel.skel : NULL;
}

/* The histogram's argument: there, and a number. */
static int hist_site_roles(struct attach_session *s, int i, const struct sdt_probe *p,
			   struct ut_site_spec *spec)
{
	const struct probe_spec *ps = &s->probes[i];
	int k = s->opts.hist.arg;
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

/* --by: the keyed tables sized for the layout; one entry each otherwise. */
static int hist_size_maps(struct attach_session *s)
{
	struct bpf_map *b = skel_of(s)->maps.hist_key_buckets;
	struct bpf_map *st = skel_of(s)->maps.hist_key_stats;
	bool keyed = s->opts.keys.size > 0;
	uint32_t n = keyed ? s->opts.keys.max : 1;
	int err = 0;

	if (keyed) {
		err = bpf_map__set_key_size(b, s->opts.keys.size + 8u);
		if (!err)
			err = bpf_map__set_key_size(st, s->opts.keys.size);
	}
	if (!err)	/* a key's buckets: 16 on average, more counted as overflow */
		err = bpf_map__set_max_entries(b, keyed ? n * 16 : 1);
	if (!err)
		err = bpf_map__set_max_entries(st, n);
	return err;
}

/* Its program (and what else the session takes from its skeleton). */
static void hist_setup(struct mode_skel *ms, struct hist_bpf *sk)
{
	ms->key_overflow = sk->maps.key_overflow;
	ms->prog = sk->progs.usdt_hist;
}

MODE_SKEL_OPS(hist, hist_setup)

const struct session_mode session_mode_hist = {
	.name = "hist",
	.source = MODE_SOURCE_UPROBES,
	.open = hist_open,
	.destroy = hist_destroy,
	.size_maps = hist_size_maps,
	.site_roles = hist_site_roles,
};

/* Merge per-CPU stats @vals into @out, ordered as the values' sign says. */
static void merge_stats(const struct ut_hist_stats *vals, int ncpu, bool sgn,
			struct ut_hist_stats *out)
{
	int c;

	memset(out, 0, sizeof(*out));
	for (c = 0; c < ncpu; c++) {
		if (!vals[c].count)
			continue;
		if (!out->count || ut_hist_lt(vals[c].min, out->min, sgn))
			out->min = vals[c].min;
		if (!out->count || ut_hist_lt(out->max, vals[c].max, sgn))
			out->max = vals[c].max;
		out->count += vals[c].count;
		out->sum += vals[c].sum;
	}
}

/* One read of the keyed histograms into rows: the session's sites, the table, a template. */
struct hist_walk {
	const struct attach_session *s;
	struct keytab *t;
	const struct vhist *tmpl;
};

/* The row of @key (struct vhist_row), made from the template when new. */
static struct vhist_row *row_of(struct hist_walk *hw, const uint8_t *key, int *err)
{
	uint32_t id = key__site(key);
	struct vhist_row *r;
	bool fresh;

	if (id >= hw->s->nr_sites)
		return NULL;
	r = (struct vhist_row *)keytab__row(hw->t, &hw->s->sites[id].info, key, &fresh);
	if (!r)
		*err = -ENOMEM;
	else if (fresh)
		r->h = *hw->tmpl;	/* the bucket layout; counts and stats zero */
	return r;
}

/* A key's bucket: the key, then the bucket's number (u32) and padding. */
static int bucket_of(void *ctx, const void *key, const void *vals, int ncpu)
{
	struct hist_walk *hw = ctx;
	struct vhist_row *r;
	uint32_t bucket;
	uint64_t sum;
	int err = 0;

	memcpy(&bucket, (const uint8_t *)key + hw->s->opts.keys.size, sizeof(bucket));
	session_sum_cpus(vals, ncpu, 1, &sum);
	r = row_of(hw, key, &err);
	if (r && bucket < UT_HIST_BUCKETS)
		r->h.counts[bucket] += sum;
	return err;
}

/* A key's stats on one site, merged into its row. */
static int stats_of(void *ctx, const void *key, const void *vals, int ncpu)
{
	struct hist_walk *hw = ctx;
	struct vhist one = { .is_signed = hw->s->hist_signed };
	struct vhist_row *r;
	int err = 0;

	merge_stats(vals, ncpu, hw->s->hist_signed, &one.st);
	r = row_of(hw, key, &err);
	if (r)
		vhist_add(&r->h, &one);
	return err;
}

int attach_session__hist_rows(const struct attach_session *s, struct keytab *t,
			      const struct vhist *tmpl)
{
	struct hist_bpf *sk = skel_of(s);
	struct hist_walk hw = { s, t, tmpl };
	size_t i;
	int err;

	if (!sk)
		return -EINVAL;
	for (i = 0; i < t->nr; i++) {	/* read again: counts and stats from zero */
		struct vhist_row *r = (struct vhist_row *)keytab__at(t, i);

		memset(r->h.counts, 0, sizeof(r->h.counts));
		memset(&r->h.st, 0, sizeof(r->h.st));
	}
	err = session_map_walk(bpf_map__fd(sk->maps.hist_key_buckets), s->opts.keys.size + 8u,
			       sizeof(uint64_t), true, bucket_of, &hw);
	if (!err)
		err = session_map_walk(bpf_map__fd(sk->maps.hist_key_stats), s->opts.keys.size,
				       sizeof(struct ut_hist_stats), true, stats_of, &hw);
	return err;
}

int attach_session__hist(const struct attach_session *s, uint64_t *counts,
			 struct ut_hist_stats *out, bool *is_signed)
{
	struct hist_bpf *sk = skel_of(s);
	int ncpu = libbpf_num_possible_cpus(), err;
	struct ut_hist_stats *vals;
	__u32 b, zero = 0;

	if (!sk)
		return -EINVAL;
	for (b = 0; b < UT_HIST_BUCKETS; b++) {
		err = session_percpu_sum(bpf_map__fd(sk->maps.hist_buckets), &b, &counts[b], 1);
		if (err)
			return err;
	}
	vals = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(sk->maps.hist_stats), &zero, vals)) {
		err = -errno;
		free(vals);
		return err;
	}
	merge_stats(vals, ncpu, s->hist_signed, out);
	free(vals);
	*is_signed = s->hist_signed;
	return 0;
}
