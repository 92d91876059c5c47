// SPDX-License-Identifier: MIT
/*
 * session_read.c - what every mode's results are read with: the site
 * table, a map of the loaded object by name, per-CPU sums, and the
 * dropped events. Each mode's own readers are in its mode_*.c.
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
	return id < s->nr_sites ? &s->sites[id].info : NULL;
}

void session_sum_cpus(const void *vals, int ncpu, size_t nr_u64, uint64_t *sum)
{
	const uint64_t *v = vals;
	size_t k;
	int c;

	memset(sum, 0, nr_u64 * sizeof(*sum));
	for (c = 0; c < ncpu; c++) {
		for (k = 0; k < nr_u64; k++)
			sum[k] += v[(size_t)c * nr_u64 + k];
	}
}

int session_percpu_sum(int fd, const void *key, uint64_t *sum, size_t nr_u64)
{
	int ncpu = libbpf_num_possible_cpus();
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
	session_sum_cpus(vals, ncpu, nr_u64, sum);
	free(vals);
	return 0;
}

int session_map_walk(int fd, size_t key_size, size_t value_size, bool percpu,
		     session_walk_fn cb, void *ctx)
{
	int ncpu = percpu ? libbpf_num_possible_cpus() : 1, err = 0;
	uint8_t *key, *next;
	void *prev = NULL, *vals;

	if (ncpu <= 0)
		return -EINVAL;
	/* per-CPU values are 8-aligned in the lookup's buffer */
	if (percpu)
		value_size = (value_size + 7) & ~(size_t)7;
	key = malloc(2 * key_size);
	vals = calloc((size_t)ncpu, value_size);
	if (!key || !vals) {
		err = -ENOMEM;
		goto out_free;
	}
	next = key + key_size;
	while (!err && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;	/* deleted meanwhile */
		err = cb(ctx, key, vals, ncpu);
	}
out_free:
	free(vals);
	free(key);
	return err;
}

uint64_t session_counter(const struct bpf_map *map)
{
	__u32 zero = 0;
	uint64_t sum;

	if (!map || bpf_map__fd(map) < 0 || session_percpu_sum(bpf_map__fd(map), &zero, &sum, 1))
		return 0;
	return sum;
}

uint64_t attach_session__filtered(const struct attach_session *s)
{
	return session_counter(s->skel.filtered);
}

uint64_t attach_session__faults(const struct attach_session *s)
{
	return session_counter(s->skel.faults);
}

uint64_t attach_session__unfollowed(const struct attach_session *s)
{
	__u32 zero = 0;
	__u64 n = 0;

	if (!s->follow_skel ||
	    bpf_map_lookup_elem(bpf_map__fd(s->follow_skel->maps.unfollowed), &zero, &n))
		n = 0;
	return n + s->unfollowed_at_start;
}

uint64_t attach_session__dropped(const struct attach_session *s)
{
	return session_counter(s->skel.drops);
}
