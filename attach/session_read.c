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
	return id < s->nr_sites ? &s->sites[id] : NULL;
}

struct bpf_map *session_map(const struct attach_session *s, const char *name)
{
	return bpf_object__find_map_by_name(s->obj, name);
}

int session_map_fd(const struct attach_session *s, const char *name)
{
	struct bpf_map *m = session_map(s, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

/* Sum the per-CPU values (@nr_u64 words each) of @key in map @fd into @sum. */
int session_percpu_sum(int fd, const void *key, uint64_t *sum, size_t nr_u64)
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

uint64_t session_counter(const struct attach_session *s, const char *map)
{
	__u32 zero = 0;
	uint64_t sum;

	if (!s->obj || session_percpu_sum(session_map_fd(s, map), &zero, &sum, 1))
		return 0;
	return sum;
}

uint64_t attach_session__filtered(const struct attach_session *s)
{
	return session_counter(s, "filtered");
}

uint64_t attach_session__faults(const struct attach_session *s)
{
	return session_counter(s, "faults");
}

uint64_t attach_session__dropped(const struct attach_session *s)
{
	return session_counter(s, "drops");
}
