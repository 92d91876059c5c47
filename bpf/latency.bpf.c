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
 * --key argN where argN is a string: the key is a 64-bit FNV-1a hash of its
 * first UT_LAT_KEY_STR - 1 bytes, and lat_key_strs keeps the bytes of each
 * hash for user space to print (the first seen; two strings with one hash
 * are one key, at odds of 2^-64 a pair).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, char[UT_LAT_KEY_STR]);
} lat_key_strs SEC(".maps");

struct lat_str_buf {
	char s[UT_LAT_KEY_STR];
	__u64 args[UT_MAX_ARGS];
	__u64 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lat_str_buf);
} lat_str_bufs SEC(".maps");

struct fnv_walk {
	const char *s;
	__u64 h;
};

static long fnv_step(__u32 i, struct fnv_walk *w)
{
	unsigned char c;

	if (i >= UT_LAT_KEY_STR)
		return 1;
	c = w->s[i];
	if (!c)
		return 1;
	w->h = (w->h ^ c) * 1099511628211ULL;
	return 0;
}

/* The key of string argument @a (pointer @ptr): its content's hash, kept. */
static __always_inline __u64 string_key(struct pt_regs *ctx, const struct ut_site_spec *spec,
					const struct ut_arg_spec *a, __u64 ptr)
{
	struct fnv_walk w = { .h = 14695981039346656037ULL };
	__u32 zero = 0, la = a->len_arg;
	struct lat_str_buf *b = bpf_map_lookup_elem(&lat_str_bufs, &zero);
	bool fault;

	if (!b)
		return 0;
	if (__sync_lock_test_and_set(&b->busy, 1))
		return 0;	/* a preempted BEGIN holds it: key 0 */
	if ((a->flags & UT_ARG_STRLEN) && la < UT_MAX_ARGS)
		b->args[la] = fetch_arg(ctx, &spec->args[la], &fault);
	__builtin_memset(b->s, 0, sizeof(b->s));
	if (read_str(b->s, UT_LAT_KEY_STR, a, ptr, b->args) == STR_FAULT) {
		count_fault();
		b->busy = 0;
		return 0;
	}
	w.s = b->s;
	bpf_loop(UT_LAT_KEY_STR, fnv_step, &w, 0);
	w.h |= 1;	/* 0 stays "no key" */
	bpf_map_update_elem(&lat_key_strs, &w.h, b->s, BPF_NOEXIST);
	b->busy = 0;
	return w.h;
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
	if (pass && (spec->flags & UT_SITE_KEY) && k < UT_MAX_ARGS) {
		key = fetch_arg(ctx, &spec->args[k], &fault);
		if (fault)
			key = 0;
		else if (spec->args[k].flags & UT_ARG_STR)
			key = string_key(ctx, spec, &spec->args[k], key);
	}
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

