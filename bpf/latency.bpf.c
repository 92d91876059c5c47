// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * latency.bpf.c - the latency mode: BEGIN..END on one thread, nested pairs
 * matched last-in-first-out on a per-thread stack, the times gathered in a
 * log-linear histogram (and per-key stats) in the kernel.
 *
 * --min (cfg.slow_ns): each BEGIN that passed its predicate also keeps its
 * whole event (args and strings, read at BEGIN) in lat_open under (tid,
 * depth); an END closing a pair at least that long sends one UT_EV_SLOW
 * record, END's event then BEGIN's, through the ring buffer. Faster pairs
 * cost no ring-buffer traffic. Sites with string arguments run the
 * sleepable twin usdt_latency_s, which may take a string's page fault.
 */
#include "common.bpf.h"
#include "event.bpf.h"
#include "stack.bpf.h"

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

/*
 * --min: BEGIN events of open pairs, one slot per (thread, depth) as
 * lat_open_slot() places it. An array, not a hash: its lookup is inlined,
 * no hashing, no locking. Two open BEGINs in one slot (thread ids
 * UT_LAT_OPEN apart, or past a depth's stride) lose the first one's args:
 * its END finds another's ts and tid there and sends it as UT_EV_NOARGS.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* resized: UT_LAT_OPEN with --min */
	__uint(key_size, sizeof(__u32));	/* no BTF: the value is resized */
	__uint(value_size, sizeof(struct ut_event));	/* resized: + BEGIN's strings */
} lat_open SEC(".maps");

/* Thread @tid's slot at depth @d: consecutive thread ids never share one. */
static __always_inline __u32 lat_open_slot(__u32 tid, __u32 d)
{
	__u32 mask = cfg.stack_mode ? UT_LAT_OPEN_STACKS - 1 : UT_LAT_OPEN - 1;

	return (tid + d * UT_LAT_OPEN_STRIDE) & mask;
}

/*
 * --min: where events are built. `busy` as in trace.bpf.c: a preempted
 * hit's buffer is never shared, the other hit counts as dropped.
 */
struct lat_scratch {
	struct ut_event ev;
	char strs[EV_STRS_MAX];
	struct ut_event begin;
	char begin_strs[EV_STRS_MAX];
	__u64 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lat_scratch);
} lat_scratch_buf SEC(".maps");

/* --min --stack: BEGIN's stack, kept after its event in its lat_open slot (at cfg.open_size). */
struct lat_stack_scratch {
	struct ut_stack st;
	char data[UT_STACK_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lat_stack_scratch);
} lat_stack_buf SEC(".maps");

static const struct ut_lat_stack empty_stack;

/* BEGINs that will never see their END (slot 1: past the depth, or replaced) */
static __always_inline void lat_unmatched_add(__u32 n)
{
	__u32 idx = 1;
	__u64 *c = bpf_map_lookup_elem(&lat_unmatched, &idx);

	if (c)
		__sync_fetch_and_add(c, n);
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

/* --min --stack: BEGIN's event @ev (@size bytes) and its stack into slot @open. */
static __always_inline bool lat_keep_stack(struct pt_regs *ctx, struct ut_event *ev, __u64 size,
					   struct ut_event *open)
{
	struct lat_stack_scratch *sb;
	__u32 zero = 0, slen;

	sb = bpf_map_lookup_elem(&lat_stack_buf, &zero);
	if (!sb)
		return false;
	slen = stack_capture(ctx, &sb->st, sb->data);
	ev->stack_len = slen <= cfg.open_stack ? slen : 0;
	if (size > cfg.open_size || bpf_probe_read_kernel(open, size, ev))
		return false;
	if (ev->stack_len && ev->stack_len <= cfg.open_stack &&
	    bpf_probe_read_kernel((char *)open + cfg.open_size, ev->stack_len, &sb->st))
		open->stack_len = 0;
	return true;
}

/* --min: keep BEGIN's event under (@tid, @d) until its END. */
static __always_inline bool lat_keep(struct pt_regs *ctx, const struct ut_site_spec *spec,
				     __u32 site, __u32 tid, __u32 d, __u64 now, bool sleepable)
{
	__u32 zero = 0, slot = lat_open_slot(tid, d);
	struct lat_scratch *b = bpf_map_lookup_elem(&lat_scratch_buf, &zero);
	struct ut_event *open = bpf_map_lookup_elem(&lat_open, &slot);
	__u64 size;
	bool kept;

	if (!open || !b || __sync_lock_test_and_set(&b->busy, 1))
		return false;
	size = event_build_comm(ctx, spec, site, now, &b->ev, b->strs, sizeof(b->strs),
				sleepable, false);
	/*
	 * A slot is cfg.open_size bytes, room for BEGIN's string slots (then,
	 * with --stack, cfg.open_stack for its stack). (Building in the slot
	 * itself would cost one more inlined builder to verify, hundreds of
	 * milliseconds at every start, for a few ns a pair.)
	 */
	if (cfg.stack_mode) {
		kept = lat_keep_stack(ctx, &b->ev, size, open);
	} else if (size == sizeof(*open)) {
		*open = b->ev;	/* no strings: inline stores, no helper call */
		kept = true;
	} else {
		kept = size <= cfg.open_size && !bpf_probe_read_kernel(open, size, &b->ev);
	}
	b->busy = 0;
	return kept;
}

/*
 * --min: send the slow pair that END (site @site) closes: END's event,
 * then BEGIN's as kept (or its time and ids alone, kind UT_EV_NOARGS).
 */
static __always_inline void lat_slow(struct pt_regs *ctx, const struct ut_site_spec *spec,
				     __u32 site, __u32 tid, __u32 d, __u64 begin_ts, __u64 now,
				     bool kept, bool sleepable)
{
	__u64 esize, bsize = sizeof(struct ut_event);
	__u32 zero = 0, slen, slot = lat_open_slot(tid, d);
	struct ut_event *open = NULL;
	struct lat_scratch *b;
	struct bpf_dynptr ptr;

	b = bpf_map_lookup_elem(&lat_scratch_buf, &zero);
	if (!b)
		return;
	if (__sync_lock_test_and_set(&b->busy, 1)) {
		count_drop();
		return;
	}
	esize = event_build(ctx, spec, site, now, &b->ev, b->strs, sizeof(b->strs), sleepable);
	b->ev.kind = UT_EV_SLOW;
	if (kept)
		open = bpf_map_lookup_elem(&lat_open, &slot);
	/* a slot taken meanwhile by another thread's BEGIN is not ours */
	if (open && open->ts == begin_ts && open->tid == tid) {
		bsize = sizeof(*open) + (__u64)open->nr_strs * open->str_len;
		if (bsize > sizeof(b->begin) + sizeof(b->begin_strs) ||
		    bpf_probe_read_kernel(&b->begin, bsize, open))
			open = NULL;
	}
	if (!open || open->ts != begin_ts || open->tid != tid) {
		bsize = sizeof(struct ut_event);
		__builtin_memset(&b->begin, 0, sizeof(b->begin));
		b->begin.ts = begin_ts;
		b->begin.kind = UT_EV_NOARGS;
		b->begin.pid = b->ev.pid;
		b->begin.tid = tid;
	}
	if (esize > sizeof(b->ev) + sizeof(b->strs)) {
		b->busy = 0;
		return;
	}
	slen = 0;
	if (cfg.stack_mode && open && b->begin.kind == UT_EV_PROBE) {
		slen = b->begin.stack_len;
		if (slen > cfg.open_stack)
			slen = 0;
	}
	b->begin.stack_len = slen;
	if (bpf_ringbuf_reserve_dynptr(&events, esize + bsize + slen, 0, &ptr)) {
		bpf_ringbuf_discard_dynptr(&ptr, 0);
		count_drop();
		b->busy = 0;
		return;
	}
	bpf_dynptr_write(&ptr, 0, &b->ev, esize, 0);
	bpf_dynptr_write(&ptr, esize, &b->begin, bsize, 0);
	if (slen && open)
		bpf_dynptr_write(&ptr, esize + bsize, (char *)open + cfg.open_size, slen, 0);
	bpf_ringbuf_submit_dynptr(&ptr, wakeup_flag());
	b->busy = 0;
}

/*
 * A BEGIN its predicate rejected is still pushed, marked by ts 0, so that
 * its END pops it: pairs keep their nesting, and that END is no orphan.
 */
static __always_inline int lat_begin(struct pt_regs *ctx, const struct ut_site_spec *spec,
				     __u32 site, __u32 tid, __u64 now, bool pass, bool sleepable)
{
	struct ut_lat_stack *stk = bpf_map_lookup_elem(&lat_stacks, &tid);
	__u32 k = spec->key_arg;
	__u64 key = 0;
	bool fault;
	int d;

	if (!stk) {
		bpf_map_update_elem(&lat_stacks, &tid, &empty_stack, BPF_NOEXIST);
		stk = bpf_map_lookup_elem(&lat_stacks, &tid);
		if (!stk) {
			count_drop();
			return 0;
		}
	}
	if (stk->depth && (spec->flags & UT_SITE_FLAT)) {
		/* a statement that failed fires no END: this BEGIN replaces it */
		lat_unmatched_add(stk->depth);
		stk->depth = 0;
	}
	d = ut_lat_push(&stk->depth);
	if (d < 0) {
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
	if (cfg.slow_ns && pass && lat_keep(ctx, spec, site, tid, d, now, sleepable))
		stk->kept |= 1u << (d & (UT_LAT_DEPTH - 1));
	else
		stk->kept &= ~(1u << (d & (UT_LAT_DEPTH - 1)));
	return 0;
}

/* An END pops its BEGIN; the pair counts when neither was filtered out. */
static __always_inline int lat_end(struct pt_regs *ctx, const struct ut_site_spec *spec,
				   __u32 site, __u32 tid, __u64 now, bool pass, bool sleepable)
{
	struct ut_lat_stack *stk = bpf_map_lookup_elem(&lat_stacks, &tid);
	__u64 begin_ts;
	int level;
	__u32 d;

	level = stk ? ut_lat_pop(&stk->depth) : -1;
	if (level < 0) {
		count_in(&lat_unmatched, 0);
		return 0;
	}
	d = (__u32)level & (UT_LAT_DEPTH - 1);
	begin_ts = stk->ts[d];
	if (!pass || !begin_ts)
		return 0;
	lat_record(stk->key[d], now - begin_ts);
	if (cfg.slow_ns && now - begin_ts >= cfg.slow_ns)
		lat_slow(ctx, spec, site, tid, d, begin_ts, now, stk->kept & (1u << d), sleepable);
	return 0;
}

static __always_inline int latency_hit(struct pt_regs *ctx, bool sleepable)
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
	pass = pred_pass(ctx, spec, sleepable);
	if (spec->flags & UT_SITE_BEGIN)
		return lat_begin(ctx, spec, site, tid, now, pass, sleepable);
	if (spec->flags & UT_SITE_END)
		return lat_end(ctx, spec, site, tid, now, pass, sleepable);
	return 0;
}

SEC("uprobe")
int usdt_latency(struct pt_regs *ctx)
{
	return latency_hit(ctx, false);
}

SEC("uprobe.s")
int usdt_latency_s(struct pt_regs *ctx)
{
	return latency_hit(ctx, true);
}

