// SPDX-License-Identifier: MIT
/*
 * argspec.c - parse USDT argument specs into typed locations.
 *
 * Each probe argument is recorded by <sys/sdt.h> as "SIZE@OPERAND", where
 * SIZE is 1, 2, 4 or 8, negative when the value is signed, and OPERAND is
 * whatever the assembler syntax of the target prints for a "nor" asm
 * operand: AT&T on x86 ("%eax", "$5", "-8(%rbp)", "4(%rax,%rdx,8)",
 * "counter+4(%rip)"), "x0", "[sp, 16]" or "5" on aarch64, and "a0",
 * "-20(s0)" or "5" on riscv. The parser is chosen by the file's e_machine,
 * never the host's, so every architecture is testable on any machine.
 *
 * Pure code: no allocation, no I/O; input is a bounded byte range.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sdt.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

/* A bounded cursor over the spec text. */
struct cursor {
	const char *p;
	const char *end;
};

static bool cur_eof(const struct cursor *c)
{
	return c->p >= c->end;
}

static char cur_peek(const struct cursor *c)
{
	return cur_eof(c) ? '\0' : *c->p;
}

static bool cur_accept(struct cursor *c, char ch)
{
	if (cur_peek(c) != ch)
		return false;
	c->p++;
	return true;
}

static void cur_skip_blanks(struct cursor *c)
{
	while (cur_peek(c) == ' ' || cur_peek(c) == '\t')
		c->p++;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int hex_value(char ch)
{
	if (is_digit(ch))
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * An integer: optional sign, decimal or 0x-hex. Values up to UINT64_MAX are
 * kept as their two's complement bits, as the assembler does.
 */
static int parse_number(struct cursor *c, int64_t *out)
{
	bool neg = false, hex = false;
	uint64_t v = 0;
	int digits = 0;

	if (cur_accept(c, '-'))
		neg = true;
	else
		cur_accept(c, '+');
	if (c->end - c->p >= 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X')) {
		hex = true;
		c->p += 2;
	}
	for (; !cur_eof(c); c->p++, digits++) {
		int d = hex ? hex_value(*c->p) : (is_digit(*c->p) ? *c->p - '0' : -1);
		uint64_t base = hex ? 16 : 10;

		if (d < 0)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	if (!digits)
		return -EINVAL;
	if (neg && v > (uint64_t)INT64_MAX + 1)
		return -ERANGE;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static bool starts_number(const struct cursor *c)
{
	const char *p = c->p;

	if (p < c->end && (*p == '-' || *p == '+'))
		p++;
	return p < c->end && is_digit(*p);
}

static bool is_sym_start(char ch)
{
	return is_alpha(ch) || ch == '_' || ch == '.' || ch == '$';
}

static bool is_sym_char(char ch)
{
	return is_sym_start(ch) || is_digit(ch) || ch == '@';
}

/* "sym", "sym+8", "sym-8", "8+sym" or a plain number into symbol/value. */
static int parse_sym_disp(struct cursor *c, struct sdt_arg *arg)
{
	size_t n = 0;
	int err;

	if (!is_sym_start(cur_peek(c))) {
		err = parse_number(c, &arg->value);
		if (err || cur_peek(c) != '+')
			return err;
		c->p++;		/* "12+table": the assembler's other order */
		if (!is_sym_start(cur_peek(c)))
			return -EINVAL;
	}

	arg->symbol = c->p;
	while (!cur_eof(c) && is_sym_char(*c->p)) {
		if (++n >= SDT_SYM_MAX)
			return -ENAMETOOLONG;
		c->p++;
	}
	arg->symbol_len = (uint16_t)n;
	if ((cur_peek(c) == '+' || cur_peek(c) == '-') && !arg->value)
		return parse_number(c, &arg->value);
	return 0;
}

/* Read an identifier-like register name into @buf. */
static int read_word(struct cursor *c, char *buf, size_t size)
{
	size_t n = 0;

	while (!cur_eof(c) && (is_alpha(*c->p) || is_digit(*c->p))) {
		if (n + 1 >= size)
			return -EINVAL;
		buf[n++] = *c->p++;
	}
	buf[n] = '\0';
	return n ? 0 : -EINVAL;
}

/* ---- x86 (AT&T) --------------------------------------------------------- */

/* DWARF numbers of the eight legacy registers, in "a c d b sp bp si di" order. */
static const char *const x86_legacy[] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const int x86_64_dwarf[] = { 0, 2, 1, 3, 7, 6, 4, 5 };
static const int i386_dwarf[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

/*
 * Look up an x86 register name (without '%'): rax/eax/ax/al/ah, rsi/esi/si/
 * sil, r8/r8d/r8w/r8b, rip. i386 knows only the 32-bit set and its parts.
 */
static int x86_reg_lookup(const char *name, bool is64, struct sdt_arg *arg)
{
	size_t len = strlen(name);
	unsigned int i;

	arg->reg_shift = 0;
	for (i = 0; i < 8; i++) {
		const char *l = x86_legacy[i];
		int dw = is64 ? x86_64_dwarf[i] : i386_dwarf[i];

		if (!strcmp(name, l)) {
			arg->reg = dw, arg->reg_width = 2;
			return 0;
		}
		if (len == 3 && name[1] == l[0] && name[2] == l[1]) {
			if (name[0] == 'e') {
				arg->reg = dw, arg->reg_width = 4;
				return 0;
			}
			if (name[0] == 'r' && is64) {
				arg->reg = dw, arg->reg_width = 8;
				return 0;
			}
		}
		if (i < 4 && len == 2 && name[0] == l[0] && (name[1] == 'l' || name[1] == 'h')) {
			arg->reg = dw, arg->reg_width = 1;
			arg->reg_shift = name[1] == 'h' ? 8 : 0;
			return 0;
		}
		/* sil, dil, bpl, spl exist only with a REX prefix */
		if (i >= 4 && is64 && len == 3 && name[0] == l[0] && name[1] == l[1] &&
		    name[2] == 'l') {
			arg->reg = dw, arg->reg_width = 1;
			return 0;
		}
	}
	if (is64 && !strcmp(name, "rip")) {
		arg->reg = 16, arg->reg_width = 8;
		return 0;
	}
	if (is64 && name[0] == 'r' && is_digit(name[1])) {
		char *end;
		long n = strtol(name + 1, &end, 10);

		if (n < 8 || n > 15 || (name[1] == '0'))
			return -EINVAL;
		arg->reg = (int16_t)n;
		if (!*end)
			arg->reg_width = 8;
		else if (!strcmp(end, "d"))
			arg->reg_width = 4;
		else if (!strcmp(end, "w"))
			arg->reg_width = 2;
		else if (!strcmp(end, "b") || !strcmp(end, "l"))
			arg->reg_width = 1;
		else
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static int x86_parse_reg(struct cursor *c, bool is64, struct sdt_arg *arg)
{
	char name[8];
	int err;

	if (!cur_accept(c, '%'))
		return -EINVAL;
	err = read_word(c, name, sizeof(name));
	if (err)
		return err;
	return x86_reg_lookup(name, is64, arg);
}

/* Inside "(...)": "%base", "%base,%index", "%base,%index,scale", ",%index,s". */
static int x86_parse_mem(struct cursor *c, bool is64, struct sdt_arg *arg)
{
	struct sdt_arg idx = {};
	int64_t scale = 1;
	int err;

	arg->kind = SDT_ARG_MEM;
	if (cur_peek(c) == '%') {
		err = x86_parse_reg(c, is64, arg);
		if (err)
			return err;
		if (arg->reg_width != (is64 ? 8 : 4))
			return -EINVAL;	/* addresses use full registers */
	}
	if (cur_accept(c, ',')) {
		err = x86_parse_reg(c, is64, &idx);
		if (err)
			return err;
		if (idx.reg_width != (is64 ? 8 : 4) || idx.reg == 16)
			return -EINVAL;
		if (cur_accept(c, ',')) {
			err = parse_number(c, &scale);
			if (err)
				return err;
			if (scale != 1 && scale != 2 && scale != 4 && scale != 8)
				return -EINVAL;
		}
		arg->kind = SDT_ARG_SIB;
		arg->index_reg = idx.reg;
		arg->scale = (uint8_t)scale;
	} else if (arg->reg < 0) {
		return -EINVAL;	/* "()" */
	}
	if (!cur_accept(c, ')'))
		return -EINVAL;
	if (arg->reg == 16) {
		if (arg->kind != SDT_ARG_MEM)
			return -EINVAL;
		/* a bare pc-relative number needs the instruction length */
		if (!arg->symbol_len)
			return -EOPNOTSUPP;
		arg->kind = SDT_ARG_RIP;
		arg->reg = -1;
	}
	return 0;
}

static int x86_parse_operand(struct cursor *c, bool is64, struct sdt_arg *arg)
{
	int err;

	if (cur_peek(c) == '%') {
		arg->kind = SDT_ARG_REG;
		err = x86_parse_reg(c, is64, arg);
		if (!err && arg->reg == 16)
			return -EINVAL;	/* %rip itself is no value */
		return err;
	}
	if (cur_accept(c, '$')) {
		arg->kind = SDT_ARG_CONST;
		return parse_number(c, &arg->value);
	}
	if (cur_peek(c) != '(') {
		err = parse_sym_disp(c, arg);
		if (err)
			return err;
	}
	if (cur_accept(c, '('))
		return x86_parse_mem(c, is64, arg);
	arg->kind = SDT_ARG_ABS;
	return 0;
}

/* ---- aarch64 ------------------------------------------------------------ */

static int arm64_reg_lookup(const char *name, struct sdt_arg *arg)
{
	char *end;
	long n;

	if (!strcmp(name, "sp") || !strcmp(name, "wsp")) {
		arg->reg = 31, arg->reg_width = name[0] == 'w' ? 4 : 8;
		return 0;
	}
	if ((name[0] != 'x' && name[0] != 'w') || !is_digit(name[1]))
		return -EINVAL;
	n = strtol(name + 1, &end, 10);
	if (*end || n > 30 || (name[1] == '0' && name[2]))
		return -EINVAL;
	arg->reg = (int16_t)n;
	arg->reg_width = name[0] == 'x' ? 8 : 4;
	return 0;
}

/*
 * The offset of "[xN, OFF]": a number, or ":lo12:sym" - the low 12 bits
 * of a symbol's address, paired with an adrp that put its page in xN.
 */
static int arm64_parse_offset(struct cursor *c, struct sdt_arg *arg)
{
	static const char lo12[] = ":lo12:";
	size_t n = sizeof(lo12) - 1;

	if ((size_t)(c->end - c->p) > n && !memcmp(c->p, lo12, n)) {
		c->p += n;
		arg->lo12 = true;
		if (!is_sym_start(cur_peek(c)))
			return -EINVAL;
		return parse_sym_disp(c, arg);
	}
	return parse_number(c, &arg->value);
}

static int arm64_parse_operand(struct cursor *c, struct sdt_arg *arg)
{
	char name[8];
	int err;

	if (cur_accept(c, '[')) {
		arg->kind = SDT_ARG_MEM;
		cur_skip_blanks(c);
		err = read_word(c, name, sizeof(name));
		if (!err)
			err = arm64_reg_lookup(name, arg);
		if (err || arg->reg_width != 8)
			return err ? err : -EINVAL;
		cur_skip_blanks(c);
		if (cur_accept(c, ',')) {
			cur_skip_blanks(c);
			cur_accept(c, '#');
			err = arm64_parse_offset(c, arg);
			if (err)
				return err;
			cur_skip_blanks(c);
		}
		return cur_accept(c, ']') ? 0 : -EINVAL;
	}
	if (cur_accept(c, '#') || starts_number(c)) {
		arg->kind = SDT_ARG_CONST;
		return parse_number(c, &arg->value);
	}
	err = read_word(c, name, sizeof(name));
	if (err)
		return err;
	if (!strcmp(name, "xzr") || !strcmp(name, "wzr")) {
		arg->kind = SDT_ARG_CONST;	/* the zero register reads 0 */
		arg->value = 0;
		return 0;
	}
	arg->kind = SDT_ARG_REG;
	return arm64_reg_lookup(name, arg);
}

/* ---- riscv -------------------------------------------------------------- */

static const char *const riscv_abi[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
	"s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
	"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
	"s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static int riscv_reg_lookup(const char *name, struct sdt_arg *arg)
{
	char *end;
	long n;
	int i;

	arg->reg_width = 8;
	for (i = 0; i < 32; i++) {
		if (!strcmp(name, riscv_abi[i])) {
			arg->reg = (int16_t)i;
			return 0;
		}
	}
	if (!strcmp(name, "fp")) {
		arg->reg = 8;
		return 0;
	}
	if (name[0] != 'x' || !is_digit(name[1]))
		return -EINVAL;
	n = strtol(name + 1, &end, 10);
	if (*end || n > 31 || (name[1] == '0' && name[2]))
		return -EINVAL;
	arg->reg = (int16_t)n;
	return 0;
}

static int riscv_parse_operand(struct cursor *c, struct sdt_arg *arg)
{
	char name[8];
	int err;

	if (starts_number(c)) {
		err = parse_number(c, &arg->value);
		if (err)
			return err;
		if (cur_peek(c) != '(') {
			arg->kind = SDT_ARG_CONST;
			return 0;
		}
	}
	if (cur_accept(c, '(')) {
		arg->kind = SDT_ARG_MEM;
		err = read_word(c, name, sizeof(name));
		if (!err)
			err = riscv_reg_lookup(name, arg);
		if (err)
			return err;
		return cur_accept(c, ')') ? 0 : -EINVAL;
	}
	err = read_word(c, name, sizeof(name));
	if (err)
		return err;
	arg->kind = SDT_ARG_REG;
	err = riscv_reg_lookup(name, arg);
	if (!err && arg->reg == 0) {
		arg->kind = SDT_ARG_CONST;	/* x0 is hard-wired to 0 */
		arg->value = 0;
	}
	return err;
}

/* ---- common ------------------------------------------------------------- */

static int machine_word_size(int machine)
{
	switch (machine) {
	case EM_X86_64:
	case EM_AARCH64:
	case EM_RISCV:
		return 8;
	case EM_386:
		return 4;
	default:
		return -EOPNOTSUPP;
	}
}

/* "N@" prefix; without one the value is an unsigned machine word. */
static int parse_size(struct cursor *c, int machine, struct sdt_arg *arg)
{
	const char *at = memchr(c->p, '@', (size_t)(c->end - c->p));
	int64_t n;
	int err, word = machine_word_size(machine);

	if (word < 0)
		return word;
	if (!at || !starts_number(c)) {
		arg->size = (uint8_t)word;
		return 0;
	}
	err = parse_number(c, &n);
	if (err)
		return err;
	if (c->p != at)
		return -EINVAL;
	c->p++;
	/* bounded before the sign goes: -INT64_MIN does not exist */
	if (n < -8 || n > 8)
		return -EINVAL;
	arg->is_signed = n < 0;
	if (n < 0)
		n = -n;
	if (n != 1 && n != 2 && n != 4 && n != 8)
		return -EINVAL;
	arg->size = (uint8_t)n;
	return 0;
}

int sdt_arg_spec__parse(const char *text, size_t len, int machine,
			struct sdt_arg *arg)
{
	struct cursor c = { text, text + len };
	int err;

	memset(arg, 0, sizeof(*arg));
	arg->reg = -1;
	arg->index_reg = -1;
	arg->scale = 1;

	err = parse_size(&c, machine, arg);
	if (err)
		return err;

	switch (machine) {
	case EM_X86_64:
	case EM_386:
		err = x86_parse_operand(&c, machine == EM_X86_64, arg);
		break;
	case EM_AARCH64:
		err = arm64_parse_operand(&c, arg);
		break;
	case EM_RISCV:
		err = riscv_parse_operand(&c, arg);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (err)
		return err;
	return cur_eof(&c) ? 0 : -EINVAL;
}

bool sdt_arg_specs__next(const char *text, size_t *pos, size_t *start, size_t *len)
{
	size_t i = *pos;

	while (text[i] == ' ' || text[i] == '\t')
		i++;
	if (!text[i])
		return false;
	*start = i;
	/* aarch64 memory operands hold a blank: "[sp, 16]" */
	while (text[i] && text[i] != ' ' && text[i] != '\t') {
		if (text[i] == '[') {
			while (text[i] && text[i] != ']')
				i++;
			if (!text[i])
				break;
		}
		i++;
	}
	*len = i - *start;
	*pos = i;
	return true;
}

int sdt_arg_specs__parse(const char *text, int machine,
			 struct sdt_arg args[SDT_MAX_ARGS], int *bad_idx)
{
	size_t pos = 0, start, len;
	int n = 0, err;

	while (sdt_arg_specs__next(text, &pos, &start, &len)) {
		*bad_idx = n;
		if (n == SDT_MAX_ARGS)
			return -E2BIG;
		err = sdt_arg_spec__parse(text + start, len, machine, &args[n]);
		if (err)
			return err;
		n++;
	}
	return n;
}

const char *sdt_reg_name(int machine, int reg)
{
	static const char *const x86_64[] = {
		"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
	};
	static const char *const i386[] = {
		"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	};
	static const char *const arm64[] = {
		"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
		"x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18",
		"x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27",
		"x28", "x29", "x30", "sp",
	};

	if (reg < 0)
		return NULL;
	switch (machine) {
	case EM_X86_64:
		return reg < 17 ? x86_64[reg] : NULL;
	case EM_386:
		return reg < 8 ? i386[reg] : NULL;
	case EM_AARCH64:
		return reg < 32 ? arm64[reg] : NULL;
	case EM_RISCV:
		return reg < 32 ? riscv_abi[reg] : NULL;
	default:
		return NULL;
	}
}

const char *sdt_arg_kind_str(enum sdt_arg_kind kind)
{
	switch (kind) {
	case SDT_ARG_CONST:
		return "const";
	case SDT_ARG_REG:
		return "reg";
	case SDT_ARG_MEM:
		return "mem";
	case SDT_ARG_SIB:
		return "sib";
	case SDT_ARG_RIP:
		return "rip";
	case SDT_ARG_ABS:
		return "abs";
	}
	return "?";
}
