/* SPDX-License-Identifier: MIT */
/*
 * spec.h - turn decoded USDT argument locations (struct sdt_arg) and
 * the user's FMT into the specs the BPF program fetches with (struct
 * ut_arg_spec): pt_regs offsets, sizes, signs, strings, and globals as
 * deltas from the probe site's own address, so one spec serves every
 * process whatever its load address.
 *
 * Pure code (no libbpf): unit-tested.
 */
#ifndef USDTRACE_SPEC_H
#define USDTRACE_SPEC_H

#include <linux/types.h>
#include <stdint.h>

#include "../bpf/usdtrace.h"
#include "../sdt/sdt.h"

/* Resolves a symbol of the site's object to its link-time address. */
typedef int (*spec_sym_resolver)(void *ctx, const char *symbol, uint64_t *vaddr);

struct spec_site {
	int machine;		/* e_machine of the object */
	int host;		/* e_machine the BPF program runs on */
	bool is_pie;		/* ET_DYN: absolute symbol addresses move */
	uint64_t site_vaddr;	/* link-time address of the site (base-adjusted) */
	spec_sym_resolver resolve;
	void *ctx;
};

/*
 * Fill @out for @arg with format @fmt ('\0' default, 's', 'd', 'u', 'x',
 * '-'). Returns 0, -EOPNOTSUPP (another architecture than the host's, a
 * location BPF cannot reach), -ENOENT (symbol not found) or -EINVAL (FMT
 * s on an argument that cannot hold a pointer).
 */
int spec_from_sdt_arg(const struct sdt_arg *arg, char fmt, const struct spec_site *site,
		      struct ut_arg_spec *out);

/*
 * Spec of @machine's ABI argument register @n (0-based), or of the return
 * value (n = -1). -EINVAL past the argument registers.
 */
int spec_abi_arg(int machine, int n, char fmt, struct ut_arg_spec *out);

#endif /* USDTRACE_SPEC_H */
