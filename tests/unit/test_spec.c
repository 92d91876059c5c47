// SPDX-License-Identifier: MIT
/*
 * test_spec.c - decoded arg locations to BPF fetch specs: register
 * offsets, sub-registers, SIB, globals as deltas from the site, FMT.
 */
#include <asm/ptrace.h>
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "../../attach/spec.h"
#include "test.h"

static int resolve(void *ctx, const char *sym, uint64_t *vaddr)
{
	(void)ctx;
	if (!strcmp(sym, "counter")) {
		*vaddr = 0x4010;
		return 0;
	}
	return -ENOENT;
}

static int conv(const char *text, char fmt, bool pie, struct ut_arg_spec *out)
{
	struct spec_site site = { EM_X86_64, EM_X86_64, pie, 0x1200, resolve, NULL };
	struct sdt_arg a;
	int err = sdt_arg_spec__parse(text, strlen(text), EM_X86_64, &a);

	return err ? err : spec_from_sdt_arg(&a, fmt, &site, out);
}

int main(void)
{
	struct test_stats st = {};
	struct ut_arg_spec s;
	struct sdt_arg a;
	struct spec_site arm = { EM_AARCH64, EM_X86_64, true, 0, NULL, NULL };
	struct spec_site arm_host = { EM_AARCH64, EM_AARCH64, true, 0, NULL, NULL };
	int err;

	err = conv("-4@%eax", 0, true, &s);
	CHECK(&st, !err && s.kind == UT_ARG_REG && s.reg_off == offsetof(struct pt_regs, rax) &&
	      s.size == 4 && (s.flags & UT_ARG_SIGNED) && s.reg_size == 4,
	      "spec sub-register", "err %d", err);
	err = conv("1@%ah", 0, true, &s);
	CHECK(&st, !err && s.reg_shift == 8 && s.reg_size == 1, "spec %ah shift", "err %d", err);
	err = conv("8@%r13", 0, true, &s);
	CHECK(&st, !err && s.reg_off == offsetof(struct pt_regs, r13), "spec r13", "err %d", err);
	err = conv("-8@-16(%rbp)", 0, true, &s);
	CHECK(&st, !err && s.kind == UT_ARG_MEM && s.val_off == (__u64)-16 &&
	      s.reg_off == offsetof(struct pt_regs, rbp), "spec mem", "err %d", err);
	err = conv("8@8(%rbx,%rcx,4)", 0, true, &s);
	CHECK(&st, !err && s.kind == UT_ARG_SIB && s.scale == 4 && (s.flags & UT_ARG_HAS_REG) &&
	      s.idx_off == offsetof(struct pt_regs, rcx), "spec sib", "err %d", err);
	err = conv("-4@counter+4(%rip)", 0, true, &s);
	CHECK(&st, !err && s.kind == UT_ARG_IPREL && s.val_off == 0x4014 - 0x1200,
	      "spec rip global is site-relative", "err %d off %llx", err,
	      (unsigned long long)s.val_off);
	err = conv("-4@nosuch(%rip)", 0, true, &s);
	CHECK(&st, err == -ENOENT, "spec missing symbol", "err %d", err);
	err = conv("8@counter(,%rax,8)", 0, false, &s);
	CHECK(&st, !err && s.kind == UT_ARG_SIB && s.val_off == 0x4010 &&
	      !(s.flags & UT_ARG_HAS_REG), "spec non-PIE table", "err %d", err);
	err = conv("8@counter(,%rax,8)", 0, true, &s);
	CHECK(&st, err == -EOPNOTSUPP, "spec PIE absolute table refused", "err %d", err);
	err = conv("-4@$-5", 0, true, &s);
	CHECK(&st, !err && s.kind == UT_ARG_CONST && s.val_off == (__u64)-5, "spec const",
	      "err %d", err);
	err = conv("8@%rdi", 's', true, &s);
	CHECK(&st, !err && (s.flags & UT_ARG_STR), "spec FMT s", "err %d", err);
	err = conv("4@%edi", 's', true, &s);
	CHECK(&st, err == -EINVAL, "spec FMT s on 4 bytes refused", "err %d", err);
	err = conv("8@%rdi", 'd', true, &s);
	CHECK(&st, !err && (s.flags & UT_ARG_SIGNED), "spec FMT d", "err %d", err);
	err = conv("-8@%rdi", 'u', true, &s);
	CHECK(&st, !err && !(s.flags & UT_ARG_SIGNED), "spec FMT u", "err %d", err);
	sdt_arg_spec__parse("8@x0", 4, EM_AARCH64, &a);
	CHECK(&st, spec_from_sdt_arg(&a, 0, &arm, &s) == -EOPNOTSUPP,
	      "spec other architecture than the host's refused", "accepted");
	sdt_arg_spec__parse("-4@[sp, 12]", 11, EM_AARCH64, &a);
	err = spec_from_sdt_arg(&a, 0, &arm_host, &s);
	CHECK(&st, !err && s.kind == UT_ARG_MEM && s.reg_off == 31 * 8 && s.val_off == 12 &&
	      (s.flags & UT_ARG_SIGNED), "spec arm64 [sp, 12] on an arm64 host", "err %d", err);
	sdt_arg_spec__parse("8@x19", 5, EM_AARCH64, &a);
	err = spec_from_sdt_arg(&a, 0, &arm_host, &s);
	CHECK(&st, !err && s.kind == UT_ARG_REG && s.reg_off == 19 * 8, "spec arm64 x19",
	      "err %d", err);
	err = spec_abi_arg(EM_X86_64, 0, 'x', &s);
	CHECK(&st, !err && s.reg_off == offsetof(struct pt_regs, rdi), "spec arg0 is rdi",
	      "err %d", err);
	err = spec_abi_arg(EM_X86_64, 5, 0, &s);
	CHECK(&st, !err && s.reg_off == offsetof(struct pt_regs, r9), "spec arg5 is r9",
	      "err %d", err);
	err = spec_abi_arg(EM_X86_64, -1, 'd', &s);
	CHECK(&st, !err && s.reg_off == offsetof(struct pt_regs, rax) &&
	      (s.flags & UT_ARG_SIGNED), "spec retval is rax", "err %d", err);
	err = spec_abi_arg(EM_X86_64, 6, 0, &s);
	CHECK(&st, err == -EINVAL, "spec arg6 is past the registers", "err %d", err);
	err = spec_abi_arg(EM_AARCH64, 2, 0, &s);
	CHECK(&st, !err && s.reg_off == 2 * 8, "spec arm64 arg2 is x2", "err %d", err);
	return st.failed ? 1 : 0;
}
