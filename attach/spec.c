// SPDX-License-Identifier: MIT
/*
 * spec.c - decoded argument locations to BPF fetch specs (see spec.h).
 *
 * Registers: the uprobe program sees the kernel's struct pt_regs; where
 * each register lives there comes from regs.c's table for the object's
 * e_machine. Only the host's architecture can be traced: a uprobe's BPF
 * program sees the registers of the kernel it runs on.
 */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../arch/regs.h"
#include "spec.h"

_Static_assert(sizeof(struct ut_arg_spec) == 24, "ut_arg_spec layout");
_Static_assert(sizeof(struct ut_site_spec) == 48 + 24 * UT_MAX_ARGS, "ut_site_spec layout");
_Static_assert(sizeof(struct ut_call_stack) == 8 + 24 * UT_CALL_DEPTH, "ut_call_stack layout");
_Static_assert(sizeof(struct ut_lat_key) == 16, "ut_lat_key layout");
_Static_assert(sizeof(struct ut_lat_stack) == 8 + 16 * UT_LAT_DEPTH, "ut_lat_stack layout");
_Static_assert(sizeof(struct ut_event) == 56 + 8 * UT_MAX_ARGS, "ut_event layout");
_Static_assert(sizeof(struct ut_stack) == 16 + 8 * UT_STACK_REGS, "ut_stack layout");

static int apply_fmt(char fmt, struct ut_arg_spec *out)
{
	switch (fmt) {
	case 's':
	case 'S':
		if (out->size != 8)
			return -EINVAL;	/* a pointer is 8 bytes here */
		out->flags |= UT_ARG_STR | (fmt == 'S' ? UT_ARG_STRLEN : 0);
		out->flags &= (__u8)~UT_ARG_SIGNED;
		break;
	case 'd':
		out->flags |= UT_ARG_SIGNED;
		break;
	case 'u':
	case 'x':
		out->flags &= (__u8)~UT_ARG_SIGNED;
		break;
	default:
		break;
	}
	return 0;
}

/* Address of the symbol the arg names, plus its displacement. */
static int symbol_address(const struct sdt_arg *arg, const struct spec_site *site,
			  uint64_t *addr)
{
	char name[SDT_SYM_MAX + 1];
	uint64_t v = 0;
	int err;

	if (arg->symbol_len) {
		if (!site->resolve)
			return -ENOENT;
		snprintf(name, sizeof(name), "%.*s", arg->symbol_len, arg->symbol);
		err = site->resolve(site->ctx, name, &v);
		if (err)
			return err;
	}
	*addr = v + (uint64_t)arg->value;
	return 0;
}

static int set_reg(int machine, int reg, __u16 *off)
{
	int o = regs_offset(machine, reg);

	if (o < 0)
		return -EOPNOTSUPP;
	*off = (__u16)o;
	return 0;
}

int spec_from_sdt_arg(const struct sdt_arg *arg, char fmt, const struct spec_site *site,
		      struct ut_arg_spec *out)
{
	uint64_t addr;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (site->machine != site->host)
		return -EOPNOTSUPP;	/* BPF sees the host's registers only */
	out->size = arg->size;
	out->flags = arg->is_signed ? UT_ARG_SIGNED : 0;
	out->scale = arg->scale;
	out->val_off = (__u64)arg->value;

	switch (arg->kind) {
	case SDT_ARG_CONST:
		out->kind = UT_ARG_CONST;
		break;
	case SDT_ARG_REG:
		out->kind = UT_ARG_REG;
		out->reg_shift = arg->reg_shift;
		out->reg_size = arg->reg_width;
		err = set_reg(site->machine, arg->reg, &out->reg_off);
		break;
	case SDT_ARG_MEM:
	case SDT_ARG_SIB:
		/* a symbol here is an absolute table address: non-PIE only */
		if (arg->symbol_len && site->is_pie)
			return -EOPNOTSUPP;
		err = symbol_address(arg, site, &addr);
		if (err)
			return err;
		out->val_off = addr;
		out->kind = arg->kind == SDT_ARG_MEM ? UT_ARG_MEM : UT_ARG_SIB;
		if (arg->reg >= 0) {
			err = set_reg(site->machine, arg->reg, &out->reg_off);
			out->flags |= UT_ARG_HAS_REG;
		}
		if (!err && arg->kind == SDT_ARG_SIB)
			err = set_reg(site->machine, arg->index_reg, &out->idx_off);
		break;
	case SDT_ARG_RIP:
	case SDT_ARG_ABS:
		/* relative to the site: the same delta in every process */
		err = symbol_address(arg, site, &addr);
		if (err)
			return err;
		out->kind = UT_ARG_IPREL;
		out->val_off = addr - site->site_vaddr;
		break;
	}
	if (err)
		return err;
	return apply_fmt(fmt, out);
}

int spec_abi_arg(int machine, int n, char fmt, struct ut_arg_spec *out)
{
	int off = regs_abi_arg_offset(machine, n);

	if (off < 0)
		return off;
	memset(out, 0, sizeof(*out));
	out->kind = UT_ARG_REG;
	out->size = 8;
	out->reg_size = 8;
	out->scale = 1;
	out->reg_off = (__u16)off;
	return apply_fmt(fmt, out);
}
