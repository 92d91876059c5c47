// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * latency.bpf.c - the latency mode: BEGIN..END on one thread, nested pairs
 * matched last-in-first-out on a per-thread stack, the times gathered in a
 * log-linear histogram (and per-key stats) in the kernel.
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ut_lat_stack);
} lat_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ut_lat_key);
	__type(value, __u64);
} lat_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct ut_lat_stats);
} lat_stats SEC(".maps");

/* [0]: END without BEGIN, [1]: BEGIN past the stack depth */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} lat_unmatched SEC(".maps");

static const struct ut_lat_stack empty_stack;

static __always_inline void count_in(void *map, __u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(map, &idx);

	if (c)
		*c += 1;
}

static __always_inline void lat_record(__u64 key, __u64 ns)
{
	struct ut_lat_key hk = { .key = key, .bucket = ut_lat_bucket(ns) };
	struct ut_lat_stats *st, init = { 1, ns, ns, ns };

	percpu_inc(&lat_hist, &hk);
	st = bpf_map_lookup_elem(&lat_stats, &key);
	if (!st) {
		if (!bpf_map_update_elem(&lat_stats, &key, &init, BPF_NOEXIST))
			return;
		/* another CPU created it meanwhile: ours is its zeroed slot */
		st = bpf_map_lookup_elem(&lat_stats, &key);
		if (!st) {
			count_drop();
			return;
		}
	}
	/* a per-CPU hash zero-fills the other CPUs' slots of a new key */
	if (!st->count || ns < st->min_ns)
		st->min_ns = ns;
	st->count++;
	st->sum_ns += ns;
	if (ns > st->max_ns)
		st->max_ns = ns;
}

/*
 * A BEGIN its predicate rejected is still pushed, marked by ts 0, so that
 * its END pops it: pairs keep their nesting, and that END is no orphan.
 */
static __always_inline int lat_begin(struct pt_regs *ctx, const struct ut_site_spec *spec,
				     __u32 tid, __u64 now, bool pass)
{
	struct ut_lat_stack *stk = bpf_map_lookup_elem(&lat_stacks, &tid);
	__u32 d, k = spec->key_arg;
	__u64 key = 0;
	bool fault;

	if (!stk) {
		bpf_map_update_elem(&lat_stacks, &tid, &empty_stack, BPF_NOEXIST);
		stk = bpf_map_lookup_elem(&lat_stacks, &tid);
		if (!stk) {
			count_drop();
			return 0;
		}
	}
	d = stk->depth;
	if (d >= UT_LAT_DEPTH) {
		count_in(&lat_unmatched, 1);
		return 0;
	}
	if (pass && (spec->flags & UT_SITE_KEY) && k < UT_MAX_ARGS)
		key = fetch_arg(ctx, &spec->args[k], &fault);
	stk->ts[d & (UT_LAT_DEPTH - 1)] = pass ? now : 0;
	stk->key[d & (UT_LAT_DEPTH - 1)] = key;
	stk->depth = d + 1;
	return 0;
}

/* An END pops its BEGIN; the pair counts when neither was filtered out. */
static __always_inline int lat_end(__u32 tid, __u64 now, bool pass)
{
	struct ut_lat_stack *stk = bpf_map_lookup_elem(&lat_stacks, &tid);
	__u32 d;

	if (!stk || !stk->depth) {
		count_in(&lat_unmatched, 0);
		return 0;
	}
	d = (stk->depth - 1) & (UT_LAT_DEPTH - 1);
	stk->depth = d;
	if (pass && stk->ts[d])
		lat_record(stk->key[d], now - stk->ts[d]);
	return 0;
}

SEC("uprobe")
int usdt_latency(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();
	struct ut_site_spec *spec;
	bool pass;

	if (!wanted())
		return 0;
	spec = bpf_map_lookup_elem(&site_specs, &site);
	if (!spec)
		return 0;
	pass = pred_pass(ctx, spec, false);
	if (spec->flags & UT_SITE_BEGIN)
		return lat_begin(ctx, spec, tid, now, pass);
	if (spec->flags & UT_SITE_END)
		return lat_end(tid, now, pass);
	return 0;
}

