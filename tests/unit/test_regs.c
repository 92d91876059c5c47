// SPDX-License-Identifier: MIT
/*
 * test_regs.c - the pt_regs tables by e_machine: x86-64 against the
 * host's <asm/ptrace.h>, arm64 and riscv64 against their kernels' user
 * ABI layouts, written out (user_pt_regs, user_regs_struct).
 */
#include <asm/ptrace.h>
#include <elf.h>
#include <errno.h>
#include <stddef.h>

#include "../../arch/regs.h"
#include "test.h"

int main(void)
{
	struct test_stats st = {};
	static const struct {
		int reg;
		size_t off;
	} x86[] = {
		{ 0, offsetof(struct pt_regs, rax) }, { 1, offsetof(struct pt_regs, rdx) },
		{ 2, offsetof(struct pt_regs, rcx) }, { 3, offsetof(struct pt_regs, rbx) },
		{ 4, offsetof(struct pt_regs, rsi) }, { 5, offsetof(struct pt_regs, rdi) },
		{ 6, offsetof(struct pt_regs, rbp) }, { 7, offsetof(struct pt_regs, rsp) },
		{ 8, offsetof(struct pt_regs, r8) }, { 12, offsetof(struct pt_regs, r12) },
		{ 15, offsetof(struct pt_regs, r15) }, { 16, offsetof(struct pt_regs, rip) },
	};
	size_t i;
	int bad = -1;

	for (i = 0; i < sizeof(x86) / sizeof(x86[0]); i++) {
		if (regs_offset(EM_X86_64, x86[i].reg) != (int)x86[i].off)
			bad = x86[i].reg;
	}
	CHECK(&st, bad < 0, "regs x86-64 DWARF registers match <asm/ptrace.h>", "reg %d", bad);
	CHECK(&st, regs_ip_offset(EM_X86_64) == (int)offsetof(struct pt_regs, rip),
	      "regs x86-64 ip", "%d", regs_ip_offset(EM_X86_64));
	CHECK(&st, regs_offset(EM_X86_64, 17) == -EOPNOTSUPP, "regs x86-64 past rip",
	      "accepted");
	CHECK(&st, regs_abi_arg_offset(EM_X86_64, 0) == (int)offsetof(struct pt_regs, rdi) &&
	      regs_abi_arg_offset(EM_X86_64, 3) == (int)offsetof(struct pt_regs, rcx) &&
	      regs_abi_arg_offset(EM_X86_64, -1) == (int)offsetof(struct pt_regs, rax),
	      "regs x86-64 SysV args and return", "mismatch");

	/* arm64: struct user_pt_regs { u64 regs[31]; u64 sp; u64 pc; u64 pstate; } */
	CHECK(&st, regs_offset(EM_AARCH64, 0) == 0 && regs_offset(EM_AARCH64, 29) == 232 &&
	      regs_offset(EM_AARCH64, 30) == 240, "regs arm64 x0, x29, x30", "mismatch");
	CHECK(&st, regs_offset(EM_AARCH64, 31) == 248, "regs arm64 sp", "%d",
	      regs_offset(EM_AARCH64, 31));
	CHECK(&st, regs_ip_offset(EM_AARCH64) == 256, "regs arm64 pc", "%d",
	      regs_ip_offset(EM_AARCH64));
	CHECK(&st, regs_offset(EM_AARCH64, 32) == -EOPNOTSUPP, "regs arm64 past sp", "accepted");
	CHECK(&st, regs_abi_arg_offset(EM_AARCH64, 7) == 56 &&
	      regs_abi_arg_offset(EM_AARCH64, -1) == 0 &&
	      regs_abi_arg_offset(EM_AARCH64, 8) == -EINVAL, "regs arm64 args x0..x7, return x0",
	      "mismatch");

	/* riscv64: struct user_regs_struct { pc, ra, sp, gp, tp, t0.. } */
	CHECK(&st, regs_ip_offset(EM_RISCV) == 0 && regs_offset(EM_RISCV, 2) == 16 &&
	      regs_offset(EM_RISCV, 8) == 64, "regs riscv64 pc, sp, s0", "mismatch");
	CHECK(&st, regs_offset(EM_RISCV, 0) == -EOPNOTSUPP, "regs riscv64 x0 is no register",
	      "accepted");
	CHECK(&st, regs_abi_arg_offset(EM_RISCV, 0) == 80 && regs_abi_arg_offset(EM_RISCV, -1) == 80,
	      "regs riscv64 a0", "%d", regs_abi_arg_offset(EM_RISCV, 0));

	CHECK(&st, regs_offset(EM_386, 0) == -EOPNOTSUPP, "regs i386 has no table", "accepted");
	CHECK(&st, regs_ip_offset(regs_host_machine()) >= 0, "regs the host has a table",
	      "e_machine %d", regs_host_machine());
	return st.failed ? 1 : 0;
}
