// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * count.bpf.c - the count mode: exact hits per site (or per key of --by
 * parts: the site, pid, tid, comm, argument values and string contents),
 * counted in the kernel; no event crosses the ring
 * buffer. Keys live in a bounded hash: a key that does not fit is counted
 * in key_overflow, never dropped silently.
 */
#include "common.bpf.h"
#include "keys.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);		/* resized to the site capacity */
	__type(key, __u32);
	__type(value, __u64);
} site_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);		/* resized: --max-keys */
	__uint(key_size, UT_KEY_MAX);	/* resized: the layout's size */
	__uint(value_size, sizeof(__u64));
} key_counts SEC(".maps");

static __always_inline void count_keyed(struct pt_regs *ctx, __u32 site,
					const struct ut_site_spec *spec)
{
	struct key_buf *b = key_build(ctx, site, spec);

	if (!b)
		return;
	key_inc(&key_counts, b->key);
	key_release(b);
}

SEC("uprobe")
int usdt_count(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx);
	struct ut_site_spec *spec;
	__u64 *c;

	if (!wanted())
		return 0;
	if (cfg.preds || cfg.nr_keys) {
		/* only then: the spec lookup costs every hit */
		spec = bpf_map_lookup_elem(&site_specs, &site);
		if (!spec || !pred_pass(ctx, spec, false))
			return 0;
		if (cfg.nr_keys) {
			count_keyed(ctx, site, spec);
			return 0;
		}
	}
	c = bpf_map_lookup_elem(&site_counts, &site);
	if (c)
		*c += 1;	/* per-CPU: no atomic needed */
	return 0;
}

