// SPDX-License-Identifier: MIT
/*
 * mode_latency.c - the latency mode (bpf/latency.bpf.c): user probe 0 is
 * BEGIN, 1 is END, optionally keyed by one of BEGIN's arguments; its
 * readers merge the per-CPU histogram buckets and stats, and count the
 * unmatched pairs. With --min (opts.latency.slow_ns) it sizes lat_open to keep
 * each open BEGIN's event, string slots included.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mode.h"
#include "session_priv.h"
/* after the shared structs its .rodata uses */
#include "latency.skel.h"

/* The session's skeleton, typed: only a latency session's has these maps. */
static struct latency_bpf *skel_of(const struct attach_session *s)
{
	return s->mode == &session_mode_latency ? s->skel.skel : NULL;
}

static int latency_site_roles(struct attach_session *s, int i, const struct sdt_probe *p,
			      struct ut_site_spec *spec)
{
	spec->flags = i == 0 ? UT_SITE_BEGIN : UT_SITE_END;
	if (i == 0 && s->opts.latency.flat)
		spec->flags |= UT_SITE_FLAT;
	if (i != 0 || s->opts.latency.key_arg < 0)
		return 0;
	if (s->opts.latency.key_arg >= p->nr_args)
		return session_err(s, -EINVAL, "--key arg%d: %s:%s has %d argument%s",
				   s->opts.latency.key_arg, p->provider, p->name, p->nr_args,
				   p->nr_args == 1 ? "" : "s");
	spec->flags |= UT_SITE_KEY;
	spec->key_arg = (__u32)s->opts.latency.key_arg;
	return 0;
}

/* Bytes of BEGIN's event as lat_open keeps it: its string slots too. */
uint32_t session_lat_open_size(const struct attach_session *s)
{
	const struct probe_spec *p = &s->probes[0];
	uint32_t slots = 0;
	int i;

	for (i = 0; i < p->nr_fmt; i++)
		slots += p->fmt[i] == 's' || p->fmt[i] == 'S';
	return (uint32_t)sizeof(struct ut_event) + slots * s->opts.str_len;
}

/* --min --stack: bytes kept after a BEGIN event for its stack. */
uint32_t session_lat_open_stack(const struct attach_session *s)
{
	uint32_t data = s->opts.stack.mode == UT_STACK_FP ? UT_STACK_FP_MAX * 8 :
			s->opts.stack.size;

	if (!s->opts.latency.slow_ns || !s->opts.stack.mode)
		return 0;
	return (uint32_t)sizeof(struct ut_stack) + data;
}

static int latency_size_maps(struct attach_session *s)
{
	struct bpf_map *open = skel_of(s)->maps.lat_open;
	bool slow = s->opts.latency.slow_ns > 0;
	uint32_t size = slow ? session_lat_open_size(s) + session_lat_open_stack(s) :
			       (uint32_t)sizeof(struct ut_event);
	int err;

	/* with stacks a slot is ~8 KiB: fewer of them */
	err = bpf_map__set_max_entries(open, !slow ? 1 : s->opts.stack.mode ? UT_LAT_OPEN_STACKS :
								       UT_LAT_OPEN);
	if (!err)
		err = bpf_map__set_value_size(open, size);
	return err;
}

/* Its program (and what else the session takes from its skeleton). */
static void latency_setup(struct mode_skel *ms, struct latency_bpf *sk)
{
	ms->prog = sk->progs.usdt_latency;
	ms->prog_str = sk->progs.usdt_latency_s;
}

MODE_SKEL_OPS(latency, latency_setup)

const struct session_mode session_mode_latency = {
	.name = "latency",
	.source = MODE_SOURCE_UPROBES,
	.open = latency_open,
	.destroy = latency_destroy,
	.size_maps = latency_size_maps,
	.site_roles = latency_site_roles,
};

static struct lat_series *series_of(struct lat_table *t, uint64_t key, int *err)
{
	struct lat_series *sr = lat_table__series(t, key);

	if (!sr)
		*err = -ENOMEM;
	return sr;
}

static int lat_bucket_of(void *ctx, const void *key, const void *vals, int ncpu)
{
	const struct ut_lat_key *k = key;
	struct lat_series *sr;
	uint64_t sum;
	int err = 0;

	session_sum_cpus(vals, ncpu, 1, &sum);
	sr = series_of(ctx, k->key, &err);
	if (sr)
		hist_add(&sr->h, k->bucket, sum);
	return err;
}

/* Per-CPU stats merge: counts and sums add, min and max compare. */
static int lat_stats_of(void *ctx, const void *key, const void *vals, int ncpu)
{
	const struct ut_lat_stats *v = vals;
	struct ut_lat_stats out = { .min_ns = UINT64_MAX };
	struct lat_series *sr;
	int c, err = 0;
	__u64 k;

	for (c = 0; c < ncpu; c++) {
		if (!v[c].count)
			continue;
		out.count += v[c].count;
		out.sum_ns += v[c].sum_ns;
		if (v[c].min_ns < out.min_ns)
			out.min_ns = v[c].min_ns;
		if (v[c].max_ns > out.max_ns)
			out.max_ns = v[c].max_ns;
	}
	memcpy(&k, key, sizeof(k));
	sr = series_of(ctx, k, &err);
	if (sr)
		sr->st = out;
	return err;
}

int attach_session__latency_series(const struct attach_session *s, struct lat_table *t)
{
	struct latency_bpf *sk = skel_of(s);
	char val[UT_LAT_KEY_STR];
	size_t i;
	int err;

	if (!sk)
		return -EINVAL;
	lat_table__reset(t);
	err = session_map_walk(bpf_map__fd(sk->maps.lat_hist), sizeof(struct ut_lat_key),
			       sizeof(uint64_t), true, lat_bucket_of, t);
	if (!err)
		err = session_map_walk(bpf_map__fd(sk->maps.lat_stats), sizeof(__u64),
				       sizeof(struct ut_lat_stats), true, lat_stats_of, t);
	/* a string key's text, from the kernel's table of them (none for numbers) */
	for (i = 0; !err && i < t->nr; i++) {
		struct lat_series *sr = &t->series[i];

		sr->text[0] = '\0';
		if (sr->key && !bpf_map_lookup_elem(bpf_map__fd(sk->maps.lat_key_strs), &sr->key,
						    val))
			snprintf(sr->text, sizeof(sr->text), "%.*s",
				 (int)strnlen(val, sizeof(val)), val);
	}
	return err;
}

static int open_depth(void *ctx, const void *key, const void *vals, int ncpu)
{
	const struct ut_lat_stack *stk = vals;

	(void)key;
	(void)ncpu;
	*(uint64_t *)ctx += stk->depth;
	return 0;
}

uint64_t attach_session__unmatched(const struct attach_session *s)
{
	struct latency_bpf *sk = skel_of(s);
	uint64_t v, total = 0;
	__u32 idx;

	if (!sk)
		return 0;
	for (idx = 0; idx < 2; idx++) {
		if (!session_percpu_sum(bpf_map__fd(sk->maps.lat_unmatched), &idx, &v, 1))
			total += v;
	}
	/* BEGINs still open: they never ended */
	session_map_walk(bpf_map__fd(sk->maps.lat_stacks), sizeof(__u32),
			 sizeof(struct ut_lat_stack), false, open_depth, &total);
	return total;
}
