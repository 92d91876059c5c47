/* SPDX-License-Identifier: MIT */
/*
 * usdtrace.h - the one header of structs shared by the BPF programs and
 * user space: per-site argument specs (written by attach/, read by BPF)
 * and ring-buffer events (written by BPF, read by writer/).
 *
 * Fixed-width types only, so both sides agree on every offset; user space
 * _Static_asserts the sizes (attach/spec.c).
 */
#ifndef USDTRACE_BPF_SHARED_H
#define USDTRACE_BPF_SHARED_H

#define UT_MAX_ARGS		12
#define UT_STR_MAX		1024	/* upper bound of --strlen */
#define UT_STR_DEFAULT		64
#define UT_COMM_LEN		16

/* How BPF fetches one argument. */
enum ut_arg_kind {
	UT_ARG_CONST = 0,	/* val_off */
	UT_ARG_REG = 1,		/* *(ctx + reg_off) >> reg_shift */
	UT_ARG_MEM = 2,		/* *(reg + val_off) */
	UT_ARG_SIB = 3,		/* *([reg] + idx * scale + val_off) */
	UT_ARG_IPREL = 4,	/* *(ip + val_off): a global of the site's object */
};

/* ut_arg_spec.flags */
#define UT_ARG_SIGNED		0x1
#define UT_ARG_STR		0x2	/* the value is a pointer to a string */
#define UT_ARG_HAS_REG		0x4	/* SIB with a base register */

struct ut_arg_spec {
	__u64 val_off;		/* constant, displacement, or ip-relative delta */
	__u16 reg_off;		/* offsetof(struct pt_regs, base register) */
	__u16 idx_off;		/* offsetof(struct pt_regs, index register) */
	__u8 kind;		/* enum ut_arg_kind */
	__u8 size;		/* 1, 2, 4, 8 */
	__u8 flags;		/* UT_ARG_* */
	__u8 scale;
	__u8 reg_shift;		/* 8 for %ah */
	__u8 reg_size;		/* bytes of the register to keep: 1 for %al */
	__u8 pad[6];
};

/* site_spec.flags */
#define UT_SITE_DLHOOK		0x1	/* the dynamic linker hook, not a probe */

/* One attached site, found by the BPF cookie of its link. */
struct ut_site_spec {
	__u32 probe_id;		/* index of the user's probe */
	__u16 nr_args;
	__u16 flags;
	__u64 hook_state_off;	/* UT_SITE_DLHOOK: ip-relative delta of r_debug.r_state */
	struct ut_arg_spec args[UT_MAX_ARGS];
};

/* Event kinds in the ring buffer. */
#define UT_EV_PROBE		1
#define UT_EV_DLOPEN		2	/* the traced process stopped in the ld.so hook */

struct ut_event {
	__u64 ts;		/* bpf_ktime_get_ns() */
	__u32 pid;		/* process (tgid) */
	__u32 tid;
	__u32 site_id;		/* the cookie */
	__u16 kind;		/* UT_EV_* */
	__u16 nr_strs;		/* string slots that follow args[] */
	__u32 str_len;		/* bytes per string slot */
	__u32 pad;
	char comm[UT_COMM_LEN];
	__u64 args[UT_MAX_ARGS];
	/* then nr_strs slots of str_len bytes, each NUL-terminated */
};

#endif /* USDTRACE_BPF_SHARED_H */
