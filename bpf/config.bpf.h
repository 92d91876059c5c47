/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * config.bpf.h - the settings user space fixes at load time, one struct in
 * .rodata of every mode's object (struct ut_config, usdtrace.h). The IP's
 * place in pt_regs comes from there too: reading ctx->ip through vmlinux.h
 * would be a CO-RE relocation, and loading the kernel's BTF for it costs
 * tens of milliseconds of every start, for a layout that is user-space ABI
 * anyway.
 */
#ifndef USDTRACE_CONFIG_BPF_H
#define USDTRACE_CONFIG_BPF_H

#include "usdtrace.h"

const volatile struct ut_config cfg = {
	.str_len = UT_STR_DEFAULT,
	/*
	 * Wake the reader only once this many bytes wait in the ring buffer: a
	 * wakeup per event roughly doubles the cost of a hit. User space also
	 * polls on a short timer, so a trickle of events is still seen within it.
	 */
	.wakeup_bytes = 256 * 1024,
};

#endif /* USDTRACE_CONFIG_BPF_H */
