// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hist.bpf.c - the hist mode: a histogram of one argument's values,
 * powers of two or linear buckets (ut_hist_bucket, usdtrace.h), with
 * count, sum, min and max, in the kernel; no event crosses the ring buffer.
 * The argument is the site spec's key_arg; a value that cannot be read is
 * counted as a fault, not as a value. With --by, one histogram per key
 * (keys.bpf.h): buckets keyed by the key and the bucket's number, stats by
 * the key.
 */
#include "common.bpf.h"
#include "keys.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UT_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} hist_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ut_hist_stats);
} hist_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);			/* resized: keys x buckets */
	__uint(key_size, UT_KEY_MAX + 8);	/* resized: the key, then the bucket */
	__uint(value_size, sizeof(__u64));
} hist_key_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);			/* resized: --max-keys */
	__uint(key_size, UT_KEY_MAX);		/* resized: the key */
	__uint(value_size, sizeof(struct ut_hist_stats));
} hist_key_stats SEC(".maps");

static __always_inline void stats_add(struct ut_hist_stats *st, __u64 v, bool sgn)
{
	if (!st->count || ut_hist_lt(v, st->min, sgn))
		st->min = v;
	if (!st->count || ut_hist_lt(st->max, v, sgn))
		st->max = v;
	st->count++;
	st->sum += v;
}

/* --by: the value into its key's histogram. */
static __always_inline void hist_keyed(struct pt_regs *ctx, __u32 site,
				       const struct ut_site_spec *spec, __u32 b, __u64 v, bool sgn)
{
	struct key_buf *kb = key_build(ctx, site, spec);
	struct ut_hist_stats *st, init = {};
	__u32 ks = cfg.key_size;

	if (!kb)
		return;
	if (ks > UT_KEY_MAX)
		goto out_release;
	*(__u32 *)(kb->key + ks) = b;
	key_inc(&hist_key_buckets, kb->key);
	st = bpf_map_lookup_elem(&hist_key_stats, kb->key);
	if (!st) {
		bpf_map_update_elem(&hist_key_stats, kb->key, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&hist_key_stats, kb->key);
	}
	if (st)
		stats_add(st, v, sgn);
out_release:
	key_release(kb);
}

SEC("uprobe")
int usdt_hist(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx), zero = 0, b, k;
	const struct ut_site_spec *spec;
	struct ut_hist_stats *st;
	bool fault, sgn;
	__u64 v, *c;

	if (!wanted())
		return 0;
	spec = bpf_map_lookup_elem(&site_specs, &site);
	if (!spec || !pred_pass(ctx, spec, false))
		return 0;
	k = spec->key_arg;
	if (k >= UT_MAX_ARGS)
		return 0;
	v = fetch_arg_fast(ctx, &spec->args[k], &fault);
	if (fault) {
		count_fault();
		return 0;
	}
	sgn = spec->args[k].flags & UT_ARG_SIGNED;
	b = ut_hist_bucket(v, sgn, cfg.hist_linear, cfg.hist_min, cfg.hist_max, cfg.hist_step,
			   cfg.hist_steps);
	if (cfg.key_size) {
		hist_keyed(ctx, site, spec, b, v, sgn);
		return 0;
	}
	c = bpf_map_lookup_elem(&hist_buckets, &b);
	st = bpf_map_lookup_elem(&hist_stats, &zero);
	if (!c || !st)
		return 0;
	*c += 1;		/* per-CPU: no atomic needed */
	stats_add(st, v, sgn);
	return 0;
}
