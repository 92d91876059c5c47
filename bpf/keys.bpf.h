/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * keys.bpf.h - keys built in the kernel for --by (count, hist): the site id,
 * fault and cut flags, then each part the load-time layout names (pid,
 * tid, comm, an argument's value or a string's content) in a per-CPU
 * buffer; a full table is counted in key_overflow. Included after
 * common.bpf.h by the modes that key.
 */
#ifndef USDTRACE_KEYS_BPF_H
#define USDTRACE_KEYS_BPF_H

#include "stack.bpf.h"

/*
 * The key being built, room for a bucket after it (hist --by);
 * `busy` as the other per-CPU buffers (pred.bpf.h).
 */
struct key_buf {
	__u8 key[UT_KEY_MAX + 8];
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
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} key_overflow SEC(".maps");

/*
 * UT_KEY_USTACK: the kernel's frame-pointer walk of the user stack, one
 * entry per distinct stack. No BPF_F_REUSE_STACKID: a stack whose hash
 * slot is taken by another fails (a faulted key part, counted), where
 * reusing the slot would give counted keys another stack.
 */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);		/* resized: UT_USTACKS with a stack key */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, UT_STACK_FP_MAX * sizeof(__u64));
} user_stacks SEC(".maps");


/* Key part @k of the hit into the key: STR_OK, STR_CUT, or STR_FAULT (unread). */
static __always_inline enum str_read key_part(struct pt_regs *ctx,
					      const struct ut_site_spec *spec,
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
	case UT_KEY_USTACK:
		if (size != 16)
			return STR_FAULT;
		v = bpf_get_stackid(ctx, &user_stacks, BPF_F_USER_STACK);
		if ((long)v < 0)
			return STR_FAULT;
		*(__u32 *)(b->key + off) = (__u32)v;
		stack_top_word(ctx, (__u64 *)(b->key + off + 8));
		return STR_OK;
	}
	if (a >= UT_MAX_ARGS)
		return STR_FAULT;
	as = &spec->args[a];
	v = fetch_arg_fast(ctx, as, &fault);
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

/*
 * The hit's key (site id, fault and cut flags, the --by parts) into the
 * per-CPU key buffer, held: the caller counts it and calls key_release().
 * NULL when a preempted hit holds the buffer (counted as a drop).
 */
static __always_inline struct key_buf *key_build(struct pt_regs *ctx, __u32 site,
						 const struct ut_site_spec *spec)
{
	__u32 zero = 0, k;
	struct key_buf *b = bpf_map_lookup_elem(&key_bufs, &zero);
	struct ut_key_head *head;
	enum str_read r;

	if (!b)
		return NULL;
	if (__sync_lock_test_and_set(&b->busy, 1)) {
		count_drop();	/* its buffer in use by a preempted hit */
		return NULL;
	}
	__builtin_memset(b->key, 0, sizeof(b->key));
	head = (struct ut_key_head *)b->key;
	head->site_id = site;
	for (k = 0; k < UT_MAX_KEYS; k++) {
		if (k >= cfg.nr_keys)
			break;
		r = key_part(ctx, spec, b, k);
		if (r == STR_FAULT) {
			head->faults |= 1 << k;	/* that part is null, not a value */
			count_fault();
		} else if (r == STR_CUT) {
			head->cuts |= 1 << k;	/* a string cut at the key's room */
		}
	}
	return b;
}

static __always_inline void key_release(struct key_buf *b)
{
	b->busy = 0;
}

/*
 * One more in this CPU's slot of @key in per-CPU hash @map, where a full
 * table counts in key_overflow: never dropped silently.
 */
static __always_inline void key_inc(void *map, const void *key)
{
	__u64 *c = bpf_map_lookup_elem(map, key), one = 1;

	if (c) {
		*c += 1;
	} else if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST)) {
		c = bpf_map_lookup_elem(map, key);
		if (c)
			*c += 1;	/* another CPU created it meanwhile */
		else
			count_in(&key_overflow, 0);
	}
}

#endif /* USDTRACE_KEYS_BPF_H */
