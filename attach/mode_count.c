// SPDX-License-Identifier: MIT
/*
 * mode_count.c - the count mode (bpf/count.bpf.c): exact hits per site,
 * or per site and process, counted in the kernel; its readers sum the
 * per-CPU counters.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mode.h"
#include "session_priv.h"
/* after the shared structs its .rodata uses */
#include "count.skel.h"

/*
 * One counter per site, as many as sites can be; the per-process table
 * only with --by pid: preallocating megabytes of hash nobody uses would
 * cost start-up time and kernel memory.
 */
static int count_size_maps(struct attach_session *s)
{
	bool by_pid = s->opts.count_by_pid;
	int err;

	err = bpf_map__set_max_entries(session_map(s, "site_counts"),
				       by_pid ? 1 : s->max_sites);
	if (!err && !by_pid)
		err = bpf_map__set_max_entries(session_map(s, "pid_counts"), 1);
	return err;
}

const struct session_mode session_mode_count = {
	.name = "count",
	.elf_bytes = count_bpf__elf_bytes,
	.prog = "usdt_count",
	.size_maps = count_size_maps,
};

int attach_session__site_counts(const struct attach_session *s, uint64_t *counts)
{
	int fd = session_map_fd(s, "site_counts");
	__u32 id;
	int err;

	for (id = 0; id < s->nr_sites; id++) {
		err = session_percpu_sum(fd, &id, &counts[id], 1);
		if (err)
			return err;
	}
	return 0;
}

int attach_session__pid_counts(const struct attach_session *s, attach_pid_count_fn cb,
			       void *ctx)
{
	int fd = session_map_fd(s, "pid_counts"), err;
	struct ut_count_key k, next, *prev = NULL;
	uint64_t sum;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		err = session_percpu_sum(fd, &k, &sum, 1);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		cb(ctx, k.site_id, k.pid, sum);
	}
	return 0;
}
