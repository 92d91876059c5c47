// SPDX-License-Identifier: MIT
/*
 * session_read.c - read what the BPF programs aggregated in the kernel:
 * per-site and per-process counts, latency histograms and stats, method
 * tables, unmatched pairs and dropped events, summed over CPUs
 * (see session.h for the contract).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"

size_t attach_session__nr_sites(const struct attach_session *s)
{
	return s->nr_sites;
}

const struct site_info *attach_session__site(const struct attach_session *s, size_t id)
{
	return id < s->nr_sites ? &s->sites[id] : NULL;
}

/* Sum the per-CPU values (@nr_u64 words each) of @key in map @fd into @sum. */
static int percpu_sum(int fd, const void *key, uint64_t *sum, size_t nr_u64)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	size_t k;
	uint64_t *vals;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpu * nr_u64, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, vals)) {
		free(vals);
		return -errno;
	}
	memset(sum, 0, nr_u64 * sizeof(*sum));
	for (c = 0; c < ncpu; c++) {
		for (k = 0; k < nr_u64; k++)
			sum[k] += vals[(size_t)c * nr_u64 + k];
	}
	free(vals);
	return 0;
}

int attach_session__site_counts(const struct attach_session *s, uint64_t *counts)
{
	int fd = bpf_map__fd(s->skel->maps.site_counts);
	__u32 id;
	int err;

	for (id = 0; id < s->nr_sites; id++) {
		err = percpu_sum(fd, &id, &counts[id], 1);
		if (err)
			return err;
	}
	return 0;
}

int attach_session__pid_counts(const struct attach_session *s, attach_pid_count_fn cb,
			       void *ctx)
{
	int fd = bpf_map__fd(s->skel->maps.pid_counts), err;
	struct ut_count_key k, next, *prev = NULL;
	uint64_t sum;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		err = percpu_sum(fd, &k, &sum, 1);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		cb(ctx, k.site_id, k.pid, sum);
	}
	return 0;
}

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
	int hfd = bpf_map__fd(s->skel->maps.lat_hist);
	int sfd = bpf_map__fd(s->skel->maps.lat_stats);
	struct ut_lat_key hk, hnext, *hprev = NULL;
	struct ut_lat_stats st;
	__u64 sk, snext, *sprev = NULL;
	uint64_t sum;
	int err;

	while (!bpf_map_get_next_key(hfd, hprev, &hnext)) {
		hk = hnext;
		hprev = &hk;
		err = percpu_sum(hfd, &hk, &sum, 1);
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

int attach_session__methods(const struct attach_session *s, attach_method_fn cb, void *ctx)
{
	int fd = bpf_map__fd(s->skel->maps.methods), err;
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
		err = percpu_sum(fd, k, (uint64_t *)&st, sizeof(st) / sizeof(uint64_t));
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

uint64_t attach_session__dropped(const struct attach_session *s)
{
	__u32 zero = 0;
	uint64_t sum;

	if (!s->skel || percpu_sum(bpf_map__fd(s->skel->maps.drops), &zero, &sum, 1))
		return 0;
	return sum;
}

uint64_t attach_session__unmatched(const struct attach_session *s)
{
	int ufd = bpf_map__fd(s->skel->maps.lat_unmatched);
	int tfd = bpf_map__fd(s->skel->maps.lat_stacks);
	__u32 idx, tid, next, *prev = NULL;
	struct ut_lat_stack stk;
	uint64_t v, total = 0;

	for (idx = 0; idx < 2; idx++) {
		if (!percpu_sum(ufd, &idx, &v, 1))
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
