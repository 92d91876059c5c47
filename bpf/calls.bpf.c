// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * calls.bpf.c - the calls mode: a runtime's method entries and returns on
 * a per-thread stack of open calls, aggregated into a hash of method name
 * -> count, inclusive and exclusive time, in the kernel. A recursive
 * method's inclusive time counts its outermost activation on the thread
 * only (as gprof and pstats), so no method's total exceeds its caller's.
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct ut_call_stack);
} call_stacks SEC(".maps");

/*
 * Per CPU (a hot method's calls on many CPUs never share a line) and
 * preallocated: a per-CPU element allocated at a method's first call cost
 * the traced program ~16 us there (3000 methods called once: 50 ms, now
 * 3.7 ms), for ~20 ms more at load and 32 bytes a CPU an entry.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ut_method_key);
	__type(value, struct ut_method_stats);
} methods SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ut_method_key);
} method_key_buf SEC(".maps");

static const struct ut_call_stack empty_call_stack;

/* Is the method @fp open below depth @d: a recursive activation of it? */
static __always_inline bool open_below(const struct ut_call_stack *stk, __u32 d, __u64 fp)
{
	int i;

	for (i = 0; i < UT_CALL_DEPTH; i++) {
		if (i >= d)
			break;
		if (stk->fp[i] == fp)
			return true;
	}
	return false;
}

/*
 * The args naming the method, and a fingerprint of their pointers: the
 * runtimes pass the same name pointers at a method's entry and return, so
 * a return can tell whether the innermost open entry is its own.
 */
static __always_inline __u64 ident_fp(struct pt_regs *ctx, const struct ut_site_spec *spec,
				      __u64 *vals)
{
	__u64 fp = 0;
	bool fault;
	int i, k;

	for (i = 0; i < UT_IDENT_MAX; i++) {
		k = spec->ident[i];
		vals[i] = 0;
		if (k < 0 || k >= UT_MAX_ARGS)
			continue;
		vals[i] = fetch_arg(ctx, &spec->args[k], &fault);
		fp = fp * 1000003 + vals[i];
	}
	return fp;
}

/* One call of the method: @dur inclusive (0 when recursive), @self exclusive. */
static __always_inline void method_record(struct pt_regs *ctx,
					  const struct ut_site_spec *spec,
					  const __u64 *vals, __u64 dur, __u64 self, bool timed)
{
	struct ut_method_stats *st, init = {};
	struct ut_method_key *key;
	__u64 args[UT_MAX_ARGS] = {};
	__u32 zero = 0;
	bool fault;
	int i, k;

	key = bpf_map_lookup_elem(&method_key_buf, &zero);
	if (!key)
		return;
	__builtin_memset(key, 0, sizeof(*key));
	/* lengths of pointer + length strings are arguments too */
	for (i = 0; i < UT_MAX_ARGS; i++) {
		__u8 la = spec->args[i].len_arg;

		if (i >= spec->nr_args)
			break;
		if ((spec->args[i].flags & UT_ARG_STRLEN) && la < UT_MAX_ARGS)
			args[la] = fetch_arg(ctx, &spec->args[la], &fault);
	}
	for (i = 0; i < UT_IDENT_MAX; i++) {
		k = spec->ident[i];
		if (k < 0 || k >= UT_MAX_ARGS)
			continue;
		read_str(key->name[i], UT_NAME_LEN, &spec->args[k], vals[i], args);
	}
	st = bpf_map_lookup_elem(&methods, key);
	if (!st) {
		bpf_map_update_elem(&methods, key, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&methods, key);
		if (!st) {
			count_drop();
			return;
		}
	}
	st->count++;
	if (timed) {
		st->total_ns += dur;
		st->self_ns += self;
	} else {
		st->untimed++;
	}
}

static __always_inline struct ut_call_stack *call_stack(__u32 tid, bool create)
{
	struct ut_call_stack *stk = bpf_map_lookup_elem(&call_stacks, &tid);

	if (stk || !create)
		return stk;
	bpf_map_update_elem(&call_stacks, &tid, &empty_call_stack, BPF_NOEXIST);
	return bpf_map_lookup_elem(&call_stacks, &tid);
}

SEC("uprobe")
int usdt_calls(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns(), vals[UT_IDENT_MAX], fp, dur, self;
	struct ut_site_spec *spec;
	struct ut_call_stack *stk;
	__u32 d;

	if (!wanted())
		return 0;
	spec = bpf_map_lookup_elem(&site_specs, &site);
	if (!spec || !pred_pass(ctx, spec, false))
		return 0;	/* --method: entry and return alike, so pairs stay pairs */
	fp = ident_fp(ctx, spec, vals);
	stk = call_stack(tid, spec->flags & UT_SITE_ENTRY);
	if (spec->flags & UT_SITE_ENTRY) {
		if (!stk) {
			count_drop();
			return 0;
		}
		d = stk->depth;
		if (d < UT_CALL_DEPTH) {
			stk->ts[d & (UT_CALL_DEPTH - 1)] = now;
			stk->fp[d & (UT_CALL_DEPTH - 1)] = fp;
			stk->child_ns[d & (UT_CALL_DEPTH - 1)] = 0;
		}
		stk->depth = d + 1;	/* past the depth: counted, not timed */
		return 0;
	}
	if (!(spec->flags & UT_SITE_RETURN))
		return 0;
	if (!stk || !stk->depth) {
		method_record(ctx, spec, vals, 0, 0, false);
		return 0;
	}
	d = stk->depth - 1;
	if (d >= UT_CALL_DEPTH) {
		stk->depth = d;
		method_record(ctx, spec, vals, 0, 0, false);
		return 0;
	}
	d &= UT_CALL_DEPTH - 1;
	if (!(spec->flags & UT_SITE_LIFO) && stk->fp[d] != fp) {
		/* not the innermost entry's return: its own entry was not seen */
		method_record(ctx, spec, vals, 0, 0, false);
		return 0;
	}
	stk->depth = d;
	dur = now - stk->ts[d];
	self = dur > stk->child_ns[d] ? dur - stk->child_ns[d] : 0;
	if (d > 0)
		stk->child_ns[(d - 1) & (UT_CALL_DEPTH - 1)] += dur;
	method_record(ctx, spec, vals, open_below(stk, d, fp) ? 0 : dur, self, true);
	return 0;
}
