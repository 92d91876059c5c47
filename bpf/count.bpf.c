// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * count.bpf.c - the count mode: exact hits per site (or per site and
 * process, or per key of --by parts: pid, tid, comm, argument values and
 * string contents), counted in the kernel; no event crosses the ring
 * buffer. Keys live in a bounded hash: a key that does not fit is counted
 * in key_overflow, never dropped silently.
 */
#include "common.bpf.h"

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

/* The key being built; `busy` as the other per-CPU buffers (pred.bpf.h). */
struct key_buf {
	__u8 key[UT_KEY_MAX];
	__u64 args[UT_MAX_ARGS];	/* a pointer + length string's length */
	__u64 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct key_buf);
} key_bufs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);		/* resized: --max-keys */
	__uint(key_size, UT_KEY_MAX);	/* resized: the layout's size */
	__uint(value_size, sizeof(__u64));
} key_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} key_overflow SEC(".maps");


/* Key part @k of the hit into the key: STR_OK, STR_CUT, or STR_FAULT (unread). */
static __always_inline enum str_read key_part(struct pt_regs *ctx, const struct ut_site_spec *spec,
				     struct key_buf *b, __u32 k)
{
	const volatile struct ut_key_part *part = &cfg.keys[k];
	__u32 off = part->off, size = part->size, a = part->arg, la;
	const struct ut_arg_spec *as;
	bool fault = false;
	__u64 v;

	if (off + size > UT_KEY_MAX || size > UT_KEY_MAX)
		return STR_FAULT;
	switch (part->kind) {
	case UT_KEY_PID:
		*(__u32 *)(b->key + off) = bpf_get_current_pid_tgid() >> 32;
		return STR_OK;
	case UT_KEY_TID:
		*(__u32 *)(b->key + off) = (__u32)bpf_get_current_pid_tgid();
		return STR_OK;
	case UT_KEY_COMM:
		bpf_get_current_comm(b->key + off, UT_COMM_LEN);
		return STR_OK;
	}
	if (a >= UT_MAX_ARGS)
		return STR_FAULT;
	as = &spec->args[a];
	v = fetch_arg(ctx, as, &fault);
	if (fault)
		return STR_FAULT;
	if (part->kind == UT_KEY_ARG) {
		*(__u64 *)(b->key + off) = v;
		return STR_OK;
	}
	la = as->len_arg;
	if ((as->flags & UT_ARG_STRLEN) && la < UT_MAX_ARGS) {
		b->args[la] = fetch_arg(ctx, &spec->args[la], &fault);
		if (fault)
			return STR_FAULT;
	}
	return read_str((char *)b->key + off, size, as, v, b->args);
}

static __always_inline void count_keyed(struct pt_regs *ctx, __u32 site,
					const struct ut_site_spec *spec)
{
	__u32 zero = 0, k;
	struct key_buf *b = bpf_map_lookup_elem(&key_bufs, &zero);
	__u64 *c, one = 1;
	enum str_read r;

	if (!b)
		return;
	if (__sync_lock_test_and_set(&b->busy, 1)) {
		count_drop();	/* its buffer in use by a preempted hit */
		return;
	}
	__builtin_memset(b->key, 0, sizeof(b->key));
	*(__u32 *)b->key = site;
	for (k = 0; k < UT_MAX_KEYS; k++) {
		if (k >= cfg.nr_keys)
			break;
		r = key_part(ctx, spec, b, k);
		if (r == STR_FAULT) {
			b->key[4] |= 1 << k;	/* that part is null, not a value */
			count_fault();
		} else if (r == STR_CUT) {
			b->key[4] |= 0x10 << k;	/* a string cut at the key's room */
		}
	}
	c = bpf_map_lookup_elem(&key_counts, b->key);
	if (c) {
		*c += 1;
	} else if (bpf_map_update_elem(&key_counts, b->key, &one, BPF_NOEXIST)) {
		c = bpf_map_lookup_elem(&key_counts, b->key);
		if (c)
			*c += 1;	/* another CPU created it meanwhile */
		else
			count_in(&key_overflow, 0);
	}
	b->busy = 0;
}

SEC("uprobe")
int usdt_count(struct pt_regs *ctx)
{
	__u32 site = (__u32)bpf_get_attach_cookie(ctx);
	struct ut_site_spec *spec;
	struct ut_count_key k;
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
	if (!cfg.count_by_pid) {
		c = bpf_map_lookup_elem(&site_counts, &site);
		if (c)
			*c += 1;	/* per-CPU: no atomic needed */
		return 0;
	}
	k.site_id = site;
	k.pid = bpf_get_current_pid_tgid() >> 32;
	percpu_inc(&pid_counts, &k);	/* a full table is counted, never silent */
	return 0;
}

