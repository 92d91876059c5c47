// SPDX-License-Identifier: MIT
/*
 * regs.c - the pt_regs layouts of the architectures usdtrace knows
 * (regs.h). The layouts are the kernel's user-space ABI
 * (arch/x86/include/uapi/asm/ptrace.h, arm64's struct user_pt_regs,
 * riscv's struct user_regs_struct), written out here so that an arm64
 * layout can be tested on an x86-64 machine; on a host of the same
 * architecture the table is checked against <asm/ptrace.h> at build time.
 */
#include <elf.h>
#include <errno.h>
#include <stddef.h>

#include "regs.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* x86-64 pt_regs: r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip */
enum {
	X86_R15 = 0, X86_R14 = 8, X86_R13 = 16, X86_R12 = 24, X86_RBP = 32, X86_RBX = 40,
	X86_R11 = 48, X86_R10 = 56, X86_R9 = 64, X86_R8 = 72, X86_RAX = 80, X86_RCX = 88,
	X86_RDX = 96, X86_RSI = 104, X86_RDI = 112, X86_RIP = 128, X86_RSP = 152,
};

/* DWARF order: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip */
static const short x86_64_dwarf[] = {
	X86_RAX, X86_RDX, X86_RCX, X86_RBX, X86_RSI, X86_RDI, X86_RBP, X86_RSP,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15, X86_RIP,
};
/* SysV: rdi rsi rdx rcx r8 r9; the return value in rax */
static const short x86_64_abi[] = { X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_R9 };

#if defined(__x86_64__)
#include <asm/ptrace.h>
_Static_assert(X86_RAX == offsetof(struct pt_regs, rax) &&
	       X86_RDI == offsetof(struct pt_regs, rdi) &&
	       X86_R15 == offsetof(struct pt_regs, r15) &&
	       X86_RIP == offsetof(struct pt_regs, rip) &&
	       X86_RSP == offsetof(struct pt_regs, rsp), "x86-64 pt_regs layout");
#endif

/*
 * arm64 user_pt_regs: x0..x30 at 8 * n, then sp (DWARF 31) and pc;
 * riscv64 user_regs_struct: pc first, then x1..x31 at 8 * n (x0 is zero).
 */
#define ARM64_SP	(31 * 8)
#define ARM64_PC	(32 * 8)
#define RISCV_PC	0
#define RISCV_A0	10	/* x10..x17 are a0..a7 */

int regs_offset(int machine, int reg)
{
	switch (machine) {
	case EM_X86_64:
		if (reg < 0 || reg >= (int)ARRAY_SIZE(x86_64_dwarf))
			return -EOPNOTSUPP;
		return x86_64_dwarf[reg];
	case EM_AARCH64:
		return reg >= 0 && reg <= 31 ? reg * 8 : -EOPNOTSUPP;
	case EM_RISCV:
		return reg >= 1 && reg <= 31 ? reg * 8 : -EOPNOTSUPP;
	default:
		return -EOPNOTSUPP;
	}
}

int regs_ip_offset(int machine)
{
	switch (machine) {
	case EM_X86_64:
		return X86_RIP;
	case EM_AARCH64:
		return ARM64_PC;
	case EM_RISCV:
		return RISCV_PC;
	default:
		return -EOPNOTSUPP;
	}
}

int regs_sp_offset(int machine)
{
	switch (machine) {
	case EM_X86_64:
		return X86_RSP;
	case EM_AARCH64:
		return ARM64_SP;
	case EM_RISCV:
		return 2 * 8;	/* x2 */
	default:
		return -EOPNOTSUPP;
	}
}

int regs_sp_dwarf(int machine)
{
	switch (machine) {
	case EM_X86_64:
		return 7;	/* rsp */
	case EM_AARCH64:
		return 31;	/* sp */
	case EM_RISCV:
		return 2;	/* x2 */
	default:
		return -EOPNOTSUPP;
	}
}

int regs_fp_dwarf(int machine)
{
	switch (machine) {
	case EM_X86_64:
		return 6;	/* rbp */
	case EM_AARCH64:
		return 29;	/* x29 */
	case EM_RISCV:
		return 8;	/* x8, s0 */
	default:
		return -EOPNOTSUPP;
	}
}

int regs_abi_arg_offset(int machine, int n)
{
	switch (machine) {
	case EM_X86_64:
		if (n >= (int)ARRAY_SIZE(x86_64_abi))
			return -EINVAL;
		return n < 0 ? X86_RAX : x86_64_abi[n];
	case EM_AARCH64:
		return n >= 8 ? -EINVAL : n < 0 ? 0 : n * 8;
	case EM_RISCV:
		return n >= 8 ? -EINVAL : (RISCV_A0 + (n < 0 ? 0 : n)) * 8;
	default:
		return -EOPNOTSUPP;
	}
}

int regs_host_machine(void)
{
#if defined(__x86_64__)
	return EM_X86_64;
#elif defined(__aarch64__)
	return EM_AARCH64;
#elif defined(__riscv) && __riscv_xlen == 64
	return EM_RISCV;
#else
	return EM_NONE;
#endif
}
