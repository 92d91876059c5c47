// SPDX-License-Identifier: MIT
/*
 * mode_latency.c - the latency mode (bpf/latency.bpf.c): user probe 0 is
 * BEGIN, 1 is END, optionally keyed by one of BEGIN's arguments; its
 * readers merge the per-CPU histogram buckets and stats, and count the
 * unmatched pairs. With --min (opts.slow_ns) it sizes lat_open to keep
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

static int latency_site_roles(struct attach_session *s, int i, const struct sdt_probe *p,
			      struct ut_site_spec *spec)
{
	spec->flags = i == 0 ? UT_SITE_BEGIN : UT_SITE_END;
	if (i == 0 && s->opts.lat_flat)
		spec->flags |= UT_SITE_FLAT;
	if (i != 0 || s->opts.key_arg < 0)
		return 0;
	if (s->opts.key_arg >= p->nr_args)
		return session_err(s, -EINVAL, "--key arg%d: %s:%s has %d argument%s",
				   s->opts.key_arg, p->provider, p->name, p->nr_args,
				   p->nr_args == 1 ? "" : "s");
	spec->flags |= UT_SITE_KEY;
	spec->key_arg = (__u32)s->opts.key_arg;
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
	uint32_t data = s->opts.stack_mode == UT_STACK_FP ? UT_STACK_FP_MAX * 8 :
			s->opts.stack_size;

	if (!s->opts.slow_ns || !s->opts.stack_mode)
		return 0;
	return (uint32_t)sizeof(struct ut_stack) + data;
}

static int latency_size_maps(struct attach_session *s)
{
	struct bpf_map *open = session_map(s, "lat_open");
	bool slow = s->opts.slow_ns > 0;
	uint32_t size = slow ? session_lat_open_size(s) + session_lat_open_stack(s) :
			       (uint32_t)sizeof(struct ut_event);
	int err;

	/* with stacks a slot is ~8 KiB: fewer of them */
	err = bpf_map__set_max_entries(open, !slow ? 1 : s->opts.stack_mode ? UT_LAT_OPEN_STACKS :
								       UT_LAT_OPEN);
	if (!err)
		err = bpf_map__set_value_size(open, size);
	return err;
}

const struct session_mode session_mode_latency = {
	.name = "latency",
	.elf_bytes = latency_bpf__elf_bytes,
	.prog = "usdt_latency",
	.prog_str = "usdt_latency_s",
	.size_maps = latency_size_maps,
	.site_roles = latency_site_roles,
};

/* Per-CPU stats merge: counts and sums add, min and max compare. */
static int lat_stats_sum(int fd, __u64 key, struct ut_lat_stats *out)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct ut_lat_stats *vals;

	vals = calloc((size_t)(ncpu > 0 ? ncpu : 1), sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		free(vals);
		return -errno;
	}
	memset(out, 0, sizeof(*out));
	out->min_ns = UINT64_MAX;
	for (c = 0; c < ncpu; c++) {
		if (!vals[c].count)
			continue;
		out->count += vals[c].count;
		out->sum_ns += vals[c].sum_ns;
		if (vals[c].min_ns < out->min_ns)
			out->min_ns = vals[c].min_ns;
		if (vals[c].max_ns > out->max_ns)
			out->max_ns = vals[c].max_ns;
	}
	free(vals);
	return 0;
}

int attach_session__latency(const struct attach_session *s, attach_lat_bucket_fn bucket_cb,
			    attach_lat_stats_fn stats_cb, void *ctx)
{
	int hfd = session_map_fd(s, "lat_hist");
	int sfd = session_map_fd(s, "lat_stats");
	struct ut_lat_key hk, hnext, *hprev = NULL;
	struct ut_lat_stats st;
	__u64 sk, snext, *sprev = NULL;
	uint64_t sum;
	int err;

	while (!bpf_map_get_next_key(hfd, hprev, &hnext)) {
		hk = hnext;
		hprev = &hk;
		err = session_percpu_sum(hfd, &hk, &sum, 1);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		bucket_cb(ctx, hk.key, hk.bucket, sum);
	}
	while (!bpf_map_get_next_key(sfd, sprev, &snext)) {
		sk = snext;
		sprev = &sk;
		err = lat_stats_sum(sfd, sk, &st);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		stats_cb(ctx, sk, &st);
	}
	return 0;
}

uint64_t attach_session__unmatched(const struct attach_session *s)
{
	int ufd = session_map_fd(s, "lat_unmatched");
	int tfd = session_map_fd(s, "lat_stacks");
	__u32 idx, tid, next, *prev = NULL;
	struct ut_lat_stack stk;
	uint64_t v, total = 0;

	for (idx = 0; idx < 2; idx++) {
		if (!session_percpu_sum(ufd, &idx, &v, 1))
			total += v;
	}
	/* BEGINs still open: they never ended */
	while (!bpf_map_get_next_key(tfd, prev, &next)) {
		tid = next;
		prev = &tid;
		if (!bpf_map_lookup_elem(tfd, &tid, &stk))
			total += stk.depth;
	}
	return total;
}

int attach_session__latency_key_str(const struct attach_session *s, uint64_t key, char *buf,
				    size_t size)
{
	char val[UT_LAT_KEY_STR];

	if (!size)
		return -EINVAL;
	if (bpf_map_lookup_elem(session_map_fd(s, "lat_key_strs"), &key, val))
		return -errno;
	snprintf(buf, size, "%.*s", (int)strnlen(val, sizeof(val)), val);
	return 0;
}
