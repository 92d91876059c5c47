/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * args.bpf.h - fetch a probe's arguments as its site spec says: registers
 * (at the pt_regs offsets user space chose by the object's e_machine),
 * memory, constants, SIB addressing, globals relative to the site, and
 * strings. Shared by every mode's BPF program; it owns no map.
 */
#ifndef USDTRACE_ARGS_BPF_H
#define USDTRACE_ARGS_BPF_H

#include "config.bpf.h"

static __always_inline __u64 read_reg(struct pt_regs *ctx, __u16 off)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)ctx + off);
	return v;
}

/*
 * read_reg for the hot places that read one argument once a hit (a
 * one-comparison predicate, a hist value, a key part): a load from the
 * context at a constant offset, one case per register, since the verifier
 * refuses a variable one. The helper call of read_reg costs about as much
 * as the rest of such a predicate; the switch costs verifier time at every
 * start for each place it is inlined, so the argument loops call it as
 * the global function ut_reg() below instead.
 */
#define REG_CASE(n)							\
	case n:								\
		if ((n) * 8 + 8 <= sizeof(struct pt_regs)) {		\
			/* asm: clang would merge the loads into one */	\
			asm volatile("%0 = *(u64 *)(%1 + %2)"		\
				     : "=r"(v) : "r"(ctx), "i"((n) * 8));	\
			return v;					\
		}							\
		break

static __always_inline __u64 read_reg_fast(struct pt_regs *ctx, __u16 off)
{
	__u64 v = 0;

	if (!(off & 7)) {
		switch (off >> 3) {
		REG_CASE(0); REG_CASE(1); REG_CASE(2); REG_CASE(3); REG_CASE(4);
		REG_CASE(5); REG_CASE(6); REG_CASE(7); REG_CASE(8); REG_CASE(9);
		REG_CASE(10); REG_CASE(11); REG_CASE(12); REG_CASE(13); REG_CASE(14);
		REG_CASE(15); REG_CASE(16); REG_CASE(17); REG_CASE(18); REG_CASE(19);
		REG_CASE(20); REG_CASE(21); REG_CASE(22); REG_CASE(23); REG_CASE(24);
		REG_CASE(25); REG_CASE(26); REG_CASE(27); REG_CASE(28); REG_CASE(29);
		REG_CASE(30); REG_CASE(31); REG_CASE(32); REG_CASE(33);
		}
	}
	return read_reg(ctx, off);
}

/*
 * read_reg_fast as a global BPF function: verified once per program,
 * however many argument reads call it (inlined in the event builder's
 * loop it cost a second of verifier time), and a BPF-to-BPF call is
 * cheaper than read_reg's helper call.
 */
__noinline __u64 ut_reg(struct pt_regs *ctx, __u32 off)
{
	if (!ctx)
		return 0;
	return read_reg_fast(ctx, off);
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

/*
 * The value of argument @a; *@fault is set when its memory could not be
 * read (the value is then 0, and must not be shown as one).
 */
static __always_inline __u64 fetch_arg(struct pt_regs *ctx, const struct ut_arg_spec *a,
				       bool *fault)
{
	__u64 v = 0, addr;
	int err = 0;

	switch (a->kind) {
	case UT_ARG_CONST:
		v = a->val_off;
		break;
	case UT_ARG_REG:
		v = ut_reg(ctx, a->reg_off) >> (a->reg_shift & 63);
		v = extend(v, a->reg_size, false);
		break;
	case UT_ARG_MEM:
		addr = read_reg(ctx, a->reg_off) + a->val_off;
		err = read_user(addr, a->size, &v);
		break;
	case UT_ARG_SIB:
		addr = read_reg(ctx, a->idx_off) * a->scale + a->val_off;
		if (a->flags & UT_ARG_HAS_REG)
			addr += read_reg(ctx, a->reg_off);
		err = read_user(addr, a->size, &v);
		break;
	case UT_ARG_IPREL:
		addr = read_reg(ctx, cfg.ip_off) + a->val_off;
		err = read_user(addr, a->size, &v);
		break;
	}
	*fault = err != 0;
	return extend(v, a->size, a->flags & UT_ARG_SIGNED);
}

/*
 * fetch_arg with a register read inlined (read_reg_fast): for the few hot
 * places that read one argument once per hit (a hist value, a key part).
 */
static __always_inline __u64 fetch_arg_fast(struct pt_regs *ctx, const struct ut_arg_spec *a,
					    bool *fault)
{
	__u64 v;

	if (a->kind != UT_ARG_REG)
		return fetch_arg(ctx, a, fault);
	*fault = false;
	v = read_reg_fast(ctx, a->reg_off) >> (a->reg_shift & 63);
	return extend(extend(v, a->reg_size, false), a->size, a->flags & UT_ARG_SIGNED);
}

/* What read_str() found. */
enum str_read {
	STR_OK,
	STR_CUT,	/* longer than the slot: cut at size - 1 bytes */
	STR_FAULT,	/* unreadable: the slot holds "" */
};

/*
 * Copy the string argument @a (pointer in args[]) into @dst of @size
 * bytes (2..UT_STR_MAX), NUL-terminated: up to its NUL, or exactly its
 * length argument when the runtime passes pointer + length (HotSpot).
 */
static __always_inline enum str_read read_str(char *dst, __u32 size,
					      const struct ut_arg_spec *a, __u64 ptr,
					      const __u64 *args)
{
	__u64 len, whole;
	char next = 0;
	__u32 la;
	long n;

	if (!(a->flags & UT_ARG_STRLEN)) {
		n = bpf_probe_read_user_str(dst, size, (void *)ptr);
		if (n < 0) {
			dst[0] = '\0';
			return STR_FAULT;
		}
		/* a full slot: cut, unless its last byte was the string's NUL */
		if (n == size && !bpf_probe_read_user(&next, 1, (void *)(ptr + size - 1)) &&
		    next)
			return STR_CUT;
		return STR_OK;
	}
	la = a->len_arg;	/* read once: clang would load it again unchecked */
	if (la >= UT_MAX_ARGS) {
		dst[0] = '\0';
		return STR_FAULT;
	}
	whole = args[la];
	len = whole > size - 1 ? size - 1 : whole;
	len &= UT_STR_MAX - 1;
	if (len && bpf_probe_read_user(dst, len, (void *)ptr)) {
		dst[0] = '\0';
		return STR_FAULT;
	}
	dst[len & (UT_STR_MAX - 1)] = '\0';
	return whole > size - 1 ? STR_CUT : STR_OK;
}

/*
 * Sleepable programs only: take the page fault of user address @addr as
 * the process itself would (bpf_copy_from_user sleeps for it), where a
 * non-faulting read gave -EFAULT because the page was never touched.
 * Returns non-zero where the address really is unmapped.
 */
static __always_inline long fault_in(__u64 addr)
{
	char c;

	return bpf_copy_from_user(&c, 1, (void *)addr);
}

/*
 * String argument @a into @dst (cfg.str_len bytes). Where a non-faulting read fails and
 * the program may sleep, take the page faults of the slot's pages (at
 * most two: UT_STR_MAX <= the page size) as the process would, then read
 * again; an address that really is unmapped stays a fault.
 */
static __always_inline enum str_read fetch_str(char *dst, const struct ut_arg_spec *a,
					       __u64 ptr, const __u64 *args, bool sleepable)
{
	__u32 size = cfg.str_len;
	enum str_read r = read_str(dst, size, a, ptr, args);
	__u64 next_page = (ptr | 4095) + 1;

	if (r != STR_FAULT || !sleepable || fault_in(ptr))
		return r;
	if (next_page < ptr + size)
		fault_in(next_page);	/* may be unmapped: the string ends before */
	return read_str(dst, size, a, ptr, args);
}

#endif /* USDTRACE_ARGS_BPF_H */
