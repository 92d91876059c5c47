// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * usdt.bpf.c - the one generic uprobe program behind every USDT site and
 * plain uprobe usdtrace attaches.
 *
 * The BPF cookie of each attachment indexes site_specs, which says where
 * each argument lives (register, memory, constant, a global next to the
 * site). The program fetches the arguments, copies strings when asked,
 * and hands one event to user space through the ring buffer. A failed
 * hand-over is never silent: it increments a per-CPU drop counter that
 * the summary reports.
 *
 * The same program, with UT_SITE_DLHOOK, sits on ld.so's _dl_debug_state:
 * when the dynamic linker has mapped new objects it stops the process
 * (SIGSTOP) and tells user space, which attaches the new objects' probes
 * and resumes it, so no hit of a dlopen()ed library is missed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "followed.h"
#include "usdtrace.h"

#define SIGSTOP 19

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/*
 * Fixed at load time by user space. The IP's place in pt_regs comes from
 * there too: reading ctx->ip through vmlinux.h would be a CO-RE relocation,
 * and loading the kernel's BTF for it costs tens of milliseconds of every
 * start, for a layout that is user-space ABI anyway.
 */
const volatile __u32 str_len = UT_STR_DEFAULT;
const volatile __u16 ip_off;
/*
 * Wake the reader only once this many bytes wait in the ring buffer: a
 * wakeup per event roughly doubles the cost of a hit. User space also polls
 * on a short timer, so a trickle of events is still seen within it.
 */
const volatile __u64 wakeup_bytes = 256 * 1024;
/* --follow: only processes in `followed` count, and their children join */
const volatile bool follow;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* resized before load */
	__type(key, __u32);
	__type(value, struct ut_site_spec);
} site_specs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);	/* resized before load (--ring-size) */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Events are built here, then copied to the ring buffer at their size. */
struct scratch {
	struct ut_event ev;
	char strs[UT_MAX_ARGS * UT_STR_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_buf SEC(".maps");

static __always_inline __u64 read_reg(struct pt_regs *ctx, __u16 off)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)ctx + off);
	return v;
}

/* Read exactly @size bytes of user memory, zero-extended. */
static __always_inline int read_user(__u64 addr, __u8 size, __u64 *out)
{
	__u64 v = 0;
	int err;

	switch (size) {
	case 1:
		err = bpf_probe_read_user(&v, 1, (void *)addr);
		break;
	case 2:
		err = bpf_probe_read_user(&v, 2, (void *)addr);
		break;
	case 4:
		err = bpf_probe_read_user(&v, 4, (void *)addr);
		break;
	default:
		err = bpf_probe_read_user(&v, 8, (void *)addr);
		break;
	}
	*out = v;
	return err;
}

/* Keep the low @size bytes, sign-extended when the spec says so. */
static __always_inline __u64 extend(__u64 v, __u8 size, bool is_signed)
{
	int shift = 64 - size * 8;

	if (shift <= 0 || shift >= 64)
		return v;
	v <<= shift;
	return is_signed ? (__u64)((__s64)v >> shift) : v >> shift;
}

static __always_inline __u64 fetch_arg(struct pt_regs *ctx, const struct ut_arg_spec *a)
{
	__u64 v = 0, addr;

	switch (a->kind) {
	case UT_ARG_CONST:
		v = a->val_off;
		break;
	case UT_ARG_REG:
		v = read_reg(ctx, a->reg_off) >> (a->reg_shift & 63);
		v = extend(v, a->reg_size, false);
		break;
	case UT_ARG_MEM:
		addr = read_reg(ctx, a->reg_off) + a->val_off;
		read_user(addr, a->size, &v);
		break;
	case UT_ARG_SIB:
		addr = read_reg(ctx, a->idx_off) * a->scale + a->val_off;
		if (a->flags & UT_ARG_HAS_REG)
			addr += read_reg(ctx, a->reg_off);
		read_user(addr, a->size, &v);
		break;
	case UT_ARG_IPREL:
		addr = read_reg(ctx, ip_off) + a->val_off;
		read_user(addr, a->size, &v);
		break;
	}
	return extend(v, a->size, a->flags & UT_ARG_SIGNED);
}

/*
 * Copy the string argument @a (pointer in args[]) into @dst of @size
 * bytes (1..UT_STR_MAX), NUL-terminated: up to its NUL, or exactly its
 * length argument when the runtime passes pointer + length (HotSpot).
 */
static __always_inline void read_str(char *dst, __u32 size, const struct ut_arg_spec *a,
				     __u64 ptr, const __u64 *args)
{
	__u64 len;

	if (!(a->flags & UT_ARG_STRLEN)) {
		if (bpf_probe_read_user_str(dst, size, (void *)ptr) < 0)
			dst[0] = '\0';
		return;
	}
	if (a->len_arg >= UT_MAX_ARGS) {
		dst[0] = '\0';
		return;
	}
	len = args[a->len_arg];
	if (len > size - 1)
		len = size - 1;
	len &= UT_STR_MAX - 1;
	if (len && bpf_probe_read_user(dst, len, (void *)ptr))
		len = 0;
	dst[len & (UT_STR_MAX - 1)] = '\0';
}

/*
 * With --follow the uprobes are attached for every process mapping the
 * objects, and this decides: the traced process and its descendants.
 */
static __always_inline bool wanted(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return !follow || bpf_map_lookup_elem(&followed, &tgid);
}


static __always_inline __u64 wakeup_flag(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
	       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&drops, &zero);

	if (d)
		__sync_fetch_and_add(d, 1);
}

/* The dynamic linker hook: stop the process when new objects are mapped. */
static __always_inline int dl_hook(struct pt_regs *ctx, const struct ut_site_spec *spec,
				   struct ut_event *ev)
{
	__u64 state = 0;

	/* r_state: RT_CONSISTENT (0) once a load has finished; a failed
	 * read stops the process anyway, which is only slower */
	if (spec->hook_state_off &&
	    !read_user(read_reg(ctx, ip_off) + spec->hook_state_off, 4, &state) && state != 0)
		return 0;
	ev->kind = UT_EV_DLOPEN;
	bpf_send_signal(SIGSTOP);
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), BPF_RB_FORCE_WAKEUP))
		count_drop();
	return 0;
}

SEC("uprobe")
int usdt_hit(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx), zero = 0;
	struct ut_site_spec *spec;
	struct scratch *buf;
	struct ut_event *ev;
	__u64 id, size;
	__u16 nstr = 0;
	int i;

	if (!wanted())
		return 0;
	spec = bpf_map_lookup_elem(&site_specs, &site);
	buf = bpf_map_lookup_elem(&scratch_buf, &zero);
	if (!spec || !buf)
		return 0;
	ev = &buf->ev;
	id = bpf_get_current_pid_tgid();
	ev->ts = bpf_ktime_get_ns();
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->site_id = site;
	ev->kind = UT_EV_PROBE;
	ev->str_len = str_len;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));

	if (spec->flags & UT_SITE_DLHOOK)
		return dl_hook(ctx, spec, ev);

	for (i = 0; i < UT_MAX_ARGS; i++) {
		if (i >= spec->nr_args)
			break;
		ev->args[i] = fetch_arg(ctx, &spec->args[i]);
	}
	/* strings second: a string's length may be a later argument */
	for (i = 0; i < UT_MAX_ARGS; i++) {
		const struct ut_arg_spec *a = &spec->args[i];
		__u64 off;

		if (i >= spec->nr_args)
			break;
		if (!(a->flags & UT_ARG_STR))
			continue;
		off = (__u64)nstr * str_len;
		if (off > (UT_MAX_ARGS - 1) * UT_STR_MAX || str_len > UT_STR_MAX)
			break;
		read_str(buf->strs + off, str_len, a, ev->args[i], ev->args);
		nstr++;
	}
	ev->nr_strs = nstr;
	size = sizeof(*ev) + (__u64)nstr * str_len;
	if (size > sizeof(*buf))
		return 0;
	if (bpf_ringbuf_output(&events, buf, size, wakeup_flag()))
		count_drop();
	return 0;
}

/* ---- count: exact hits per site, no event crosses the ring buffer ------- */

const volatile bool count_by_pid;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);		/* resized to the site capacity */
	__type(key, __u32);
	__type(value, __u64);
} site_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ut_count_key);
	__type(value, __u64);
} pid_counts SEC(".maps");

SEC("uprobe")
int usdt_count(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx);
	struct ut_count_key k;
	__u64 *c, one = 1;

	if (!wanted())
		return 0;
	if (!count_by_pid) {
		c = bpf_map_lookup_elem(&site_counts, &site);
		if (c)
			*c += 1;	/* per-CPU: no atomic needed */
		return 0;
	}
	k.site_id = site;
	k.pid = bpf_get_current_pid_tgid() >> 32;
	c = bpf_map_lookup_elem(&pid_counts, &k);
	if (c)
		*c += 1;
	else if (bpf_map_update_elem(&pid_counts, &k, &one, BPF_NOEXIST))
		count_drop();	/* table full: counted, never silent */
	return 0;
}

/* ---- latency: BEGIN..END on one thread, LIFO, histogram in the kernel --- */

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
	__u64 *c, one = 1;

	c = bpf_map_lookup_elem(&lat_hist, &hk);
	if (c)
		*c += 1;
	else if (bpf_map_update_elem(&lat_hist, &hk, &one, BPF_NOEXIST))
		count_drop();
	st = bpf_map_lookup_elem(&lat_stats, &key);
	if (!st) {
		if (bpf_map_update_elem(&lat_stats, &key, &init, BPF_NOEXIST))
			count_drop();
		return;
	}
	/* a per-CPU hash zero-fills the other CPUs' slots of a new key */
	if (!st->count || ns < st->min_ns)
		st->min_ns = ns;
	st->count++;
	st->sum_ns += ns;
	if (ns > st->max_ns)
		st->max_ns = ns;
}

static __always_inline int lat_begin(struct pt_regs *ctx, const struct ut_site_spec *spec,
				     __u32 tid, __u64 now)
{
	struct ut_lat_stack *stk = bpf_map_lookup_elem(&lat_stacks, &tid);
	__u32 d, k = spec->key_arg;
	__u64 key = 0;

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
	if ((spec->flags & UT_SITE_KEY) && k < UT_MAX_ARGS)
		key = fetch_arg(ctx, &spec->args[k]);
	stk->ts[d & (UT_LAT_DEPTH - 1)] = now;
	stk->key[d & (UT_LAT_DEPTH - 1)] = key;
	stk->depth = d + 1;
	return 0;
}

static __always_inline int lat_end(__u32 tid, __u64 now)
{
	struct ut_lat_stack *stk = bpf_map_lookup_elem(&lat_stacks, &tid);
	__u32 d;

	if (!stk || !stk->depth) {
		count_in(&lat_unmatched, 0);
		return 0;
	}
	d = (stk->depth - 1) & (UT_LAT_DEPTH - 1);
	stk->depth = d;
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

	if (!wanted())
		return 0;
	spec = bpf_map_lookup_elem(&site_specs, &site);
	if (!spec)
		return 0;
	if (spec->flags & UT_SITE_BEGIN)
		return lat_begin(ctx, spec, tid, now);
	if (spec->flags & UT_SITE_END)
		return lat_end(tid, now);
	return 0;
}

/* ---- calls: per-method counts and times, aggregated in the kernel -------- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct ut_call_stack);
} call_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
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

/*
 * The args naming the method, and a fingerprint of their pointers: the
 * runtimes pass the same name pointers at a method's entry and return, so
 * a return can tell whether the innermost open entry is its own.
 */
static __always_inline __u64 ident_fp(struct pt_regs *ctx, const struct ut_site_spec *spec,
				      __u64 *vals)
{
	__u64 fp = 0;
	int i, k;

	for (i = 0; i < UT_IDENT_MAX; i++) {
		k = spec->ident[i];
		vals[i] = 0;
		if (k < 0 || k >= UT_MAX_ARGS)
			continue;
		vals[i] = fetch_arg(ctx, &spec->args[k]);
		fp = fp * 1000003 + vals[i];
	}
	return fp;
}

static __always_inline void method_record(struct pt_regs *ctx,
					  const struct ut_site_spec *spec,
					  const __u64 *vals, __u64 dur, __u64 self, bool timed)
{
	struct ut_method_stats *st, init = {};
	struct ut_method_key *key;
	__u64 args[UT_MAX_ARGS] = {};
	__u32 zero = 0;
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
			args[la] = fetch_arg(ctx, &spec->args[la]);
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
	if (!spec)
		return 0;
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
	method_record(ctx, spec, vals, dur, self, true);
	return 0;
}
