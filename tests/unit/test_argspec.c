// SPDX-License-Identifier: MIT
/*
 * test_argspec.c - table-driven tests of sdt_arg_spec__parse() over every
 * architecture usdtrace decodes. The machine comes from the table, never
 * the host, exactly as it comes from e_machine in a real file.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "../../sdt/sdt.h"
#include "test.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

#define X64	EM_X86_64
#define X32	EM_386
#define A64	EM_AARCH64
#define RV	EM_RISCV

/* DWARF register numbers used in the expectations */
enum { RAX = 0, RDX = 1, RCX = 2, RBX = 3, RSI = 4, RDI = 5, RBP = 6, RSP = 7 };
enum { EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7 };
enum { RV_SP = 2, RV_S0 = 8, RV_A0 = 10, RV_A1 = 11, RV_A7 = 17, RV_T6 = 31 };

struct argspec_case {
	int machine;
	const char *text;
	int err;		/* expected return */
	enum sdt_arg_kind kind;
	int size;
	bool is_signed;
	int reg;
	int index_reg;
	int scale;
	int reg_width;
	int reg_shift;
	long long value;
	const char *symbol;
};

#define OK(m, t, k, sz, sg, r, w, sh, v) \
	{ m, t, 0, k, sz, sg, r, -1, 1, w, sh, v, "" }
#define SIB(m, t, sz, sg, r, idx, sc, v) \
	{ m, t, 0, SDT_ARG_SIB, sz, sg, r, idx, sc, 0, 0, v, "" }
#define SYM(m, t, k, sz, sg, v, s) \
	{ m, t, 0, k, sz, sg, -1, -1, 1, 0, 0, v, s }
#define BAD(m, t, e) { m, t, e, 0, 0, 0, 0, 0, 0, 0, 0, 0, "" }

static const struct argspec_case cases[] = {
	/* x86-64 registers and sub-registers */
	OK(X64, "8@%rax", SDT_ARG_REG, 8, false, RAX, 8, 0, 0),
	OK(X64, "-4@%eax", SDT_ARG_REG, 4, true, RAX, 4, 0, 0),
	OK(X64, "2@%ax", SDT_ARG_REG, 2, false, RAX, 2, 0, 0),
	OK(X64, "1@%al", SDT_ARG_REG, 1, false, RAX, 1, 0, 0),
	OK(X64, "-1@%ah", SDT_ARG_REG, 1, true, RAX, 1, 8, 0),
	OK(X64, "1@%bh", SDT_ARG_REG, 1, false, RBX, 1, 8, 0),
	OK(X64, "1@%ch", SDT_ARG_REG, 1, false, RCX, 1, 8, 0),
	OK(X64, "-1@%dl", SDT_ARG_REG, 1, true, RDX, 1, 0, 0),
	OK(X64, "8@%rdx", SDT_ARG_REG, 8, false, RDX, 8, 0, 0),
	OK(X64, "8@%rcx", SDT_ARG_REG, 8, false, RCX, 8, 0, 0),
	OK(X64, "-8@%rbx", SDT_ARG_REG, 8, true, RBX, 8, 0, 0),
	OK(X64, "8@%rsi", SDT_ARG_REG, 8, false, RSI, 8, 0, 0),
	OK(X64, "4@%esi", SDT_ARG_REG, 4, false, RSI, 4, 0, 0),
	OK(X64, "2@%si", SDT_ARG_REG, 2, false, RSI, 2, 0, 0),
	OK(X64, "1@%sil", SDT_ARG_REG, 1, false, RSI, 1, 0, 0),
	OK(X64, "1@%dil", SDT_ARG_REG, 1, false, RDI, 1, 0, 0),
	OK(X64, "-2@%di", SDT_ARG_REG, 2, true, RDI, 2, 0, 0),
	OK(X64, "8@%rbp", SDT_ARG_REG, 8, false, RBP, 8, 0, 0),
	OK(X64, "1@%bpl", SDT_ARG_REG, 1, false, RBP, 1, 0, 0),
	OK(X64, "8@%rsp", SDT_ARG_REG, 8, false, RSP, 8, 0, 0),
	OK(X64, "1@%spl", SDT_ARG_REG, 1, false, RSP, 1, 0, 0),
	OK(X64, "8@%r8", SDT_ARG_REG, 8, false, 8, 8, 0, 0),
	OK(X64, "-4@%r8d", SDT_ARG_REG, 4, true, 8, 4, 0, 0),
	OK(X64, "2@%r9w", SDT_ARG_REG, 2, false, 9, 2, 0, 0),
	OK(X64, "-1@%r10b", SDT_ARG_REG, 1, true, 10, 1, 0, 0),
	OK(X64, "1@%r11l", SDT_ARG_REG, 1, false, 11, 1, 0, 0),
	OK(X64, "8@%r15", SDT_ARG_REG, 8, false, 15, 8, 0, 0),
	OK(X64, "4@%r15d", SDT_ARG_REG, 4, false, 15, 4, 0, 0),
	/* constants */
	OK(X64, "-4@$1", SDT_ARG_CONST, 4, true, -1, 0, 0, 1),
	OK(X64, "4@$0", SDT_ARG_CONST, 4, false, -1, 0, 0, 0),
	OK(X64, "-4@$-42", SDT_ARG_CONST, 4, true, -1, 0, 0, -42),
	OK(X64, "8@$0x10", SDT_ARG_CONST, 8, false, -1, 0, 0, 16),
	OK(X64, "8@$-9223372036854775808", SDT_ARG_CONST, 8, false, -1, 0, 0,
	   (long long)(-9223372036854775807LL - 1)),
	OK(X64, "8@$18446744073709551615", SDT_ARG_CONST, 8, false, -1, 0, 0, -1),
	/* memory: displacement(base) */
	OK(X64, "-4@-20(%rbp)", SDT_ARG_MEM, 4, true, RBP, 8, 0, -20),
	OK(X64, "8@(%rax)", SDT_ARG_MEM, 8, false, RAX, 8, 0, 0),
	OK(X64, "-4@112(%rsp)", SDT_ARG_MEM, 4, true, RSP, 8, 0, 112),
	OK(X64, "8@0x18(%r12)", SDT_ARG_MEM, 8, false, 12, 8, 0, 24),
	OK(X64, "2@-0x8(%r13)", SDT_ARG_MEM, 2, false, 13, 8, 0, -8),
	/* SIB */
	SIB(X64, "8@(%rax,%rsi,8)", 8, false, RAX, RSI, 8, 0),
	SIB(X64, "-4@16(%rbx,%rcx,4)", 4, true, RBX, RCX, 4, 16),
	SIB(X64, "8@-8(%rsp,%r9,2)", 8, false, RSP, 9, 2, -8),
	SIB(X64, "1@(%rdx,%rdi)", 1, false, RDX, RDI, 1, 0),
	SIB(X64, "4@4(,%rax,8)", 4, false, -1, RAX, 8, 4),
	/* rip-relative and absolute globals */
	SYM(X64, "4@counter(%rip)", SDT_ARG_RIP, 4, false, 0, "counter"),
	SYM(X64, "-4@counter+4(%rip)", SDT_ARG_RIP, 4, true, 4, "counter"),
	SYM(X64, "8@table-8(%rip)", SDT_ARG_RIP, 8, false, -8, "table"),
	SYM(X64, "8@_ZN3foo3barE(%rip)", SDT_ARG_RIP, 8, false, 0, "_ZN3foo3barE"),
	SYM(X64, "4@local.0(%rip)", SDT_ARG_RIP, 4, false, 0, "local.0"),
	SYM(X64, "-4@12+sample_table(%rip)", SDT_ARG_RIP, 4, true, 12, "sample_table"),
	SYM(X32, "4@-8+tbl", SDT_ARG_ABS, 4, false, -8, "tbl"),
	BAD(X64, "-9223372036854775808@%rax", -EINVAL),	/* no -INT64_MIN (fuzz_note found it) */
	BAD(X64, "9223372036854775807@%rax", -EINVAL),
	BAD(X64, "4@12+(%rip)", -EINVAL),
	BAD(X64, "4@12+sym+4(%rip)", -EINVAL),
	/* no size prefix: an unsigned machine word */
	OK(X64, "%rdi", SDT_ARG_REG, 8, false, RDI, 8, 0, 0),
	/* i386 */
	OK(X32, "4@%eax", SDT_ARG_REG, 4, false, EAX, 4, 0, 0),
	OK(X32, "-4@%ecx", SDT_ARG_REG, 4, true, ECX, 4, 0, 0),
	OK(X32, "4@%edx", SDT_ARG_REG, 4, false, EDX, 4, 0, 0),
	OK(X32, "-2@%bx", SDT_ARG_REG, 2, true, EBX, 2, 0, 0),
	OK(X32, "1@%ah", SDT_ARG_REG, 1, false, EAX, 1, 8, 0),
	OK(X32, "-1@%dl", SDT_ARG_REG, 1, true, EDX, 1, 0, 0),
	OK(X32, "4@%esi", SDT_ARG_REG, 4, false, ESI, 4, 0, 0),
	OK(X32, "4@%edi", SDT_ARG_REG, 4, false, EDI, 4, 0, 0),
	OK(X32, "-4@8(%ebp)", SDT_ARG_MEM, 4, true, EBP, 4, 0, 8),
	OK(X32, "4@-12(%esp)", SDT_ARG_MEM, 4, false, ESP, 4, 0, -12),
	SIB(X32, "4@4(%eax,%ecx,4)", 4, false, EAX, ECX, 4, 4),
	OK(X32, "-4@$7", SDT_ARG_CONST, 4, true, -1, 0, 0, 7),
	SYM(X32, "4@counter", SDT_ARG_ABS, 4, false, 0, "counter"),
	SYM(X32, "-4@counter+8", SDT_ARG_ABS, 4, true, 8, "counter"),
	SYM(X32, "4@0x804a010", SDT_ARG_ABS, 4, false, 0x804a010, ""),
	BAD(X32, "4@%rax", -EINVAL),
	BAD(X32, "4@%r8d", -EINVAL),
	BAD(X32, "1@%sil", -EINVAL),
	/* aarch64 */
	OK(A64, "8@x0", SDT_ARG_REG, 8, false, 0, 8, 0, 0),
	OK(A64, "-4@w1", SDT_ARG_REG, 4, true, 1, 4, 0, 0),
	OK(A64, "8@x30", SDT_ARG_REG, 8, false, 30, 8, 0, 0),
	OK(A64, "8@sp", SDT_ARG_REG, 8, false, 31, 8, 0, 0),
	OK(A64, "-4@[sp, 16]", SDT_ARG_MEM, 4, true, 31, 8, 0, 16),
	OK(A64, "8@[x1]", SDT_ARG_MEM, 8, false, 1, 8, 0, 0),
	OK(A64, "8@[x29, -8]", SDT_ARG_MEM, 8, false, 29, 8, 0, -8),
	OK(A64, "4@[x2, #12]", SDT_ARG_MEM, 4, false, 2, 8, 0, 12),
	OK(A64, "-4@5", SDT_ARG_CONST, 4, true, -1, 0, 0, 5),
	OK(A64, "-4@-7", SDT_ARG_CONST, 4, true, -1, 0, 0, -7),
	OK(A64, "8@xzr", SDT_ARG_CONST, 8, false, -1, 0, 0, 0),
	{ A64, "8@[x18, #:lo12:.LANCHOR1]", 0, SDT_ARG_MEM, 8, false, 18, -1, 1, 8, 0,
	  0, ".LANCHOR1" },
	{ A64, "4@[x2, :lo12:tbl+8]", 0, SDT_ARG_MEM, 4, false, 2, -1, 1, 8, 0, 8, "tbl" },
	BAD(A64, "8@[x1, #:lo12:]", -EINVAL),
	BAD(A64, "8@x31", -EINVAL),
	BAD(A64, "8@[x1, 16", -EINVAL),
	BAD(A64, "8@[w1]", -EINVAL),
	BAD(A64, "8@%rax", -EINVAL),
	/* riscv64 */
	OK(RV, "8@a0", SDT_ARG_REG, 8, false, RV_A0, 8, 0, 0),
	OK(RV, "-4@a1", SDT_ARG_REG, 4, true, RV_A1, 8, 0, 0),
	OK(RV, "8@a7", SDT_ARG_REG, 8, false, RV_A7, 8, 0, 0),
	OK(RV, "8@t6", SDT_ARG_REG, 8, false, RV_T6, 8, 0, 0),
	OK(RV, "8@x10", SDT_ARG_REG, 8, false, RV_A0, 8, 0, 0),
	OK(RV, "8@fp", SDT_ARG_REG, 8, false, RV_S0, 8, 0, 0),
	OK(RV, "-4@-20(s0)", SDT_ARG_MEM, 4, true, RV_S0, 8, 0, -20),
	OK(RV, "8@8(sp)", SDT_ARG_MEM, 8, false, RV_SP, 8, 0, 8),
	OK(RV, "8@(a0)", SDT_ARG_MEM, 8, false, RV_A0, 8, 0, 0),
	OK(RV, "-4@5", SDT_ARG_CONST, 4, true, -1, 0, 0, 5),
	OK(RV, "4@zero", SDT_ARG_CONST, 4, false, 0, 8, 0, 0),
	BAD(RV, "8@x32", -EINVAL),
	BAD(RV, "8@8(q0)", -EINVAL),
	/* garbage */
	BAD(X64, "", -EINVAL),
	BAD(X64, "8@", -EINVAL),
	BAD(X64, "3@%rax", -EINVAL),
	BAD(X64, "16@%rax", -EINVAL),
	BAD(X64, "8@%rzz", -EINVAL),
	BAD(X64, "8@%rip", -EINVAL),
	BAD(X64, "8@%r16", -EINVAL),
	BAD(X64, "8@$", -EINVAL),
	BAD(X64, "8@$0xg", -EINVAL),
	BAD(X64, "8@$99999999999999999999", -ERANGE),
	BAD(X64, "8@(%rax", -EINVAL),
	BAD(X64, "8@()", -EINVAL),
	BAD(X64, "8@(%eax)", -EINVAL),
	BAD(X64, "8@(%rax,%rbx,3)", -EINVAL),
	BAD(X64, "8@(%rax,%rip,1)", -EINVAL),
	BAD(X64, "8@16(%rip)", -EOPNOTSUPP),
	BAD(X64, "8@%rax junk", -EINVAL),
	BAD(X64, "8@@%rax", -EINVAL),
	BAD(EM_PPC64, "8@%r3", -EOPNOTSUPP),
};

static bool arg_equal(const struct argspec_case *c, const struct sdt_arg *a)
{
	if (a->kind != c->kind || a->size != c->size || a->is_signed != c->is_signed ||
	    a->value != c->value || a->symbol_len != strlen(c->symbol) ||
	    (a->symbol_len && memcmp(a->symbol, c->symbol, a->symbol_len)))
		return false;
	if (c->kind == SDT_ARG_CONST)
		return true;
	if (c->kind == SDT_ARG_SIB)
		return a->reg == c->reg && a->index_reg == c->index_reg &&
		       a->scale == c->scale;
	if (c->kind == SDT_ARG_RIP || c->kind == SDT_ARG_ABS)
		return a->reg == -1;
	return a->reg == c->reg && a->reg_width == c->reg_width &&
	       a->reg_shift == c->reg_shift;
}

static void test_table(struct test_stats *st)
{
	char name[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct argspec_case *c = &cases[i];
		struct sdt_arg a;
		int err = sdt_arg_spec__parse(c->text, strlen(c->text), c->machine, &a);

		snprintf(name, sizeof(name), "argspec[%d] '%s'", c->machine, c->text);
		if (c->err) {
			CHECK(st, err == c->err, name, "want %d, got %d", c->err, err);
			continue;
		}
		CHECK(st, !err && arg_equal(c, &a), name,
		      "err %d kind %d size %d signed %d reg %d idx %d scale %d width %d "
		      "shift %d value %lld sym '%.*s'", err, a.kind, a.size, a.is_signed,
		      a.reg, a.index_reg, a.scale, a.reg_width, a.reg_shift,
		      (long long)a.value, a.symbol_len, a.symbol ? a.symbol : "");
	}
}

/* Whole argument strings as they appear in notes. */
static void test_lists(struct test_stats *st)
{
	struct sdt_arg args[SDT_MAX_ARGS];
	int bad = -1, n;

	n = sdt_arg_specs__parse("8@%rbp 8@%r12 -4@%eax", X64, args, &bad);
	CHECK(st, n == 3 && args[2].is_signed && args[2].size == 4,
	      "argspecs python function__entry", "n=%d", n);
	n = sdt_arg_specs__parse("-4@[sp, 16] 8@x1  8@[x2]", A64, args, &bad);
	CHECK(st, n == 3 && args[0].kind == SDT_ARG_MEM && args[0].value == 16 &&
	      args[2].reg == 2, "argspecs aarch64 with blank in operand", "n=%d", n);
	n = sdt_arg_specs__parse("", X64, args, &bad);
	CHECK(st, n == 0, "argspecs empty", "n=%d", n);
	n = sdt_arg_specs__parse("1@$1 1@$2 1@$3 1@$4 1@$5 1@$6 1@$7 1@$8 1@$9 1@$10 "
				 "1@$11 1@$12", X64, args, &bad);
	CHECK(st, n == 12 && args[11].value == 12, "argspecs twelve", "n=%d", n);
	n = sdt_arg_specs__parse("1@$1 1@$2 1@$3 1@$4 1@$5 1@$6 1@$7 1@$8 1@$9 1@$10 "
				 "1@$11 1@$12 1@$13", X64, args, &bad);
	CHECK(st, n == -E2BIG, "argspecs thirteen refused", "n=%d", n);
	n = sdt_arg_specs__parse("8@%rax 8@%bogus 8@%rbx", X64, args, &bad);
	CHECK(st, n == -EINVAL && bad == 1, "argspecs bad index", "n=%d bad=%d", n, bad);
	n = sdt_arg_specs__parse("8@[sp, 16", A64, args, &bad);
	CHECK(st, n == -EINVAL, "argspecs unterminated bracket", "n=%d", n);
}

static void test_names(struct test_stats *st)
{
	CHECK(st, !strcmp(sdt_reg_name(X64, RDX), "rdx"), "reg name x86-64", "mismatch");
	CHECK(st, !strcmp(sdt_reg_name(X32, ECX), "ecx"), "reg name i386", "mismatch");
	CHECK(st, !strcmp(sdt_reg_name(A64, 31), "sp"), "reg name aarch64", "mismatch");
	CHECK(st, !strcmp(sdt_reg_name(RV, RV_A0), "a0"), "reg name riscv", "mismatch");
	CHECK(st, !sdt_reg_name(X64, 40) && !sdt_reg_name(X64, -1), "reg name unknown", "mismatch");
	CHECK(st, sdt_glob_match("func*", "function__entry") &&
	      sdt_glob_match("*__entry", "function__entry") &&
	      sdt_glob_match("gc__?tart", "gc__start") &&
	      sdt_glob_match("*", "") && !sdt_glob_match("gc", "gc__start") &&
	      sdt_glob_match("a*b*c", "aXXbYYc") && !sdt_glob_match("a*b*c", "aXXbYY"),
	      "glob match", "mismatch");
}

int main(void)
{
	struct test_stats st = {};

	test_table(&st);
	test_lists(&st);
	test_names(&st);
	return st.failed ? 1 : 0;
}
