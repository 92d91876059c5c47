// SPDX-License-Identifier: MIT
/*
 * test_expr.c - predicates: parse errors with their columns, type errors,
 * the compiled reverse Polish code, and globs against an exact matcher.
 */
#include <fnmatch.h>
#include <string.h>

#include "../../expr/expr.h"
#include "test.h"

/* Two string args (FMT s), an int with FMT d, one without FMT. */
static const struct expr_args ARGS = { 4, { 's', 's', 'd', 0 } };

static int compile(const char *text, struct ut_pred *p, struct expr_error *err)
{
	struct expr *e;
	int ret = expr__parse(text, strlen(text), &e, err);

	if (ret)
		return ret;
	ret = expr__compile(e, &ARGS, p, err);
	expr__free(e);
	return ret;
}

static void bad(struct test_stats *st, const char *text, int column, const char *msg)
{
	struct expr_error err;
	struct ut_pred p;
	char name[160];

	snprintf(name, sizeof(name), "expr refuses %s", text);
	CHECK(st, compile(text, &p, &err) && err.column == column && strstr(err.msg, msg), name,
	      "column %d: %s", err.column, err.msg);
}

/* The opcodes of @text, as a string of their numbers. */
static void code(struct test_stats *st, const char *text, const __u8 *want, int n)
{
	struct expr_error err;
	struct ut_pred p;
	char name[160];
	int i, ok;

	ok = !compile(text, &p, &err) && (int)p.nr_ops == n;
	for (i = 0; ok && i < n; i++)
		ok = p.ops[i].code == want[i];
	snprintf(name, sizeof(name), "expr compiles %s", text);
	CHECK(st, ok, name, "err %s, %u ops", err.msg, p.nr_ops);
}

static void glob(struct test_stats *st, const char *pat, const char *s)
{
	struct ut_str_test t;
	bool want = !fnmatch(pat, s, 0), got;
	char name[160];

	expr__compile_glob(pat, strlen(pat), &t);
	got = expr__glob_match(&t, s, strlen(s));
	snprintf(name, sizeof(name), "expr glob %s ~ %s is %d", pat, s, want);
	CHECK(st, got == want, name, "got %d", got);
}

int main(void)
{
	static const char *const pats[] = { "gam*", "*ma", "g?m*a", "*", "", "a*b*c", "**x",
					    "?", "SELECT*", "*a*" };
	static const char *const strs[] = { "gamma", "", "gam", "xgamma", "abc", "aXbYc", "x",
					    "SELECT 1", "ab", "a" };
	struct test_stats st = {};
	struct expr_error err;
	struct ut_pred p;
	size_t i, j;

	bad(&st, "/arg0 == /", 10, "expected a value");
	bad(&st, "//", 2, "empty predicate");
	bad(&st, "/arg3 > 1", 10, "closing '/'");
	bad(&st, "/arg12 > 1/", 2, "unknown name 'arg12'");
	bad(&st, "/foo > 1/", 2, "unknown name 'foo'");
	bad(&st, "/arg4 > 1/", 2, "arg4: the probe has 4 arguments");
	bad(&st, "/arg0 > 3/", 7, "strings compare with == or != only");
	bad(&st, "/arg2 == \"x\"/", 2, "arg2 is a number here: to compare it with a \"string\"");
	bad(&st, "/pid == \"x\"/", 9, "a \"string\" compares with a string argument");
	bad(&st, "/arg0 == 3/", 10, "compares with a \"string\" literal");
	bad(&st, "/arg0/", 2, "a string here");
	bad(&st, "/1 < 2 < 3/", 8, "do not chain");
	bad(&st, "/(arg2 > 1/", 11, "expected ')'");
	bad(&st, "/arg2 > 0x1g/", 12, "bad digit 'g'");
	bad(&st, "/arg2 > 99999999999999999999/", 9, "out of range");
	bad(&st, "/comm == \"x/", 10, "unterminated string");
	bad(&st, "/arg2 $ 1/", 7, "unexpected '$'");
	bad(&st, "/arg2 > 1/ x", 11, "text after");
	bad(&st, "/(arg2 > 1) == 1/", 13, "comparing a comparison");

	code(&st, "/arg2 > 3/", (const __u8[]){ UT_OP_ARG, UT_OP_CONST, UT_OP_GT }, 3);
	code(&st, "/arg0 == \"gam*\" && arg2 > 3/",
	     (const __u8[]){ UT_OP_TEST, UT_OP_ARG, UT_OP_CONST, UT_OP_GT, UT_OP_AND }, 5);
	code(&st, "/!(pid == 1 || comm != \"sh\")/",
	     (const __u8[]){ UT_OP_PID, UT_OP_CONST, UT_OP_EQ, UT_OP_TEST, UT_OP_OR, UT_OP_NOT },
	     6);
	code(&st, "/arg3 & 4/", (const __u8[]){ UT_OP_ARG, UT_OP_CONST, UT_OP_BITAND }, 3);
	code(&st, "/\"x*\" == arg1/", (const __u8[]){ UT_OP_TEST }, 1);

	CHECK(&st, !compile("/arg2 > -5/", &p, &err) && p.ops[1].val == (__u64)-5 &&
	      p.ops[2].sign == UT_CMP_SIGNED, "expr negative literal compares signed", "%s",
	      err.msg);
	CHECK(&st, !compile("/arg3 < 10/", &p, &err) && p.ops[2].sign == UT_CMP_ARG_SIGN &&
	      p.ops[2].arg == 3, "expr arg without FMT compares by its spec's sign", "%s",
	      err.msg);
	CHECK(&st, !compile("/uid == 0x10/", &p, &err) && p.ops[1].val == 16 &&
	      p.ops[2].sign == UT_CMP_UNSIGNED, "expr hex literal, unsigned uid", "%s", err.msg);
	CHECK(&st, !compile("/comm != \"post*\"/", &p, &err) && p.nr_tests == 1 &&
	      p.tests[0].src == UT_PRED_SRC_COMM && p.tests[0].negate,
	      "expr comm != glob is a negated test", "%s", err.msg);
	bad(&st, "/arg0 == \"a\" || arg0 == \"b\" || arg1 == \"c\" || arg1 == \"d\" || "
	    "arg0 == \"e\"/", 67, "at most 4 string comparisons");

	CHECK(&st, !compile("/arg2 > 3/", &p, &err) && p.fast.on && p.fast.src == UT_OP_ARG &&
	      p.fast.arg == 2 && p.fast.cmp == UT_OP_GT && p.fast.val == 3 && !p.fast.mask &&
	      p.fast.sign == UT_CMP_SIGNED, "expr one comparison has the fast shape", "%s",
	      err.msg);
	CHECK(&st, !compile("/(arg3 & 4) == 4/", &p, &err) && p.fast.on && p.fast.mask == 4 &&
	      p.fast.val == 4 && p.fast.cmp == UT_OP_EQ && p.fast.sign == UT_CMP_UNSIGNED,
	      "expr a masked comparison has the fast shape (bits compare unsigned)", "%s",
	      err.msg);
	CHECK(&st, !compile("/tid != 7/", &p, &err) && p.fast.on && p.fast.src == UT_OP_TID,
	      "expr tid comparison has the fast shape", "%s", err.msg);
	CHECK(&st, !compile("/arg2 > 3 && pid == 1/", &p, &err) && !p.fast.on,
	      "expr two comparisons run the program", "fast");
	CHECK(&st, !compile("/arg0 == \"x\"/", &p, &err) && !p.fast.on,
	      "expr a string test runs the program", "fast");
	CHECK(&st, !compile("/(arg3 & 0) == 0/", &p, &err) && !p.fast.on,
	      "expr a zero mask runs the program", "fast");

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		for (j = 0; j < sizeof(strs) / sizeof(strs[0]); j++)
			glob(&st, pats[i], strs[j]);
	return st.failed ? 1 : 0;
}
