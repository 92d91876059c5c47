/* SPDX-License-Identifier: MIT */
/*
 * regs.h - (arch/: what differs by architecture, used by attach/ and
 * stack/ alike) where the kernel's struct pt_regs keeps each register, per
 * architecture, chosen by an object's e_machine: the DWARF register
 * numbers of sdt/'s argument specs, the instruction pointer, and the
 * function-call ABI's argument and return registers. Pure tables (no
 * host #ifdef chooses them), so every architecture is unit-tested on one
 * machine; only regs_host_machine() says which one BPF runs on.
 */
#ifndef USDTRACE_REGS_H
#define USDTRACE_REGS_H

/* offsetof(struct pt_regs, DWARF register @reg) on @machine, or -EOPNOTSUPP. */
int regs_offset(int machine, int reg);
/* offsetof(struct pt_regs, instruction pointer) on @machine, or -EOPNOTSUPP. */
int regs_ip_offset(int machine);
/* offsetof(struct pt_regs, stack pointer) on @machine, or -EOPNOTSUPP. */
int regs_sp_offset(int machine);
/* The DWARF numbers of the stack and frame pointers on @machine, or -EOPNOTSUPP. */
int regs_sp_dwarf(int machine);
int regs_fp_dwarf(int machine);
/* ABI argument register @n (0-based) or the return value (n = -1), or -Exxx. */
int regs_abi_arg_offset(int machine, int n);
/* The e_machine of the kernel usdtrace runs on (EM_NONE if not in the table). */
int regs_host_machine(void);

#endif /* USDTRACE_REGS_H */
