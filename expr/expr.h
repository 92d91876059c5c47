/* SPDX-License-Identifier: MIT */
/*
 * expr.h - probe predicates: the expression between slashes after a probe
 * ('acc:str(s,d) /arg0 == "gam*" && arg1 > 3/'), parsed, type-checked
 * against a probe's arguments and compiled into the compact program
 * (struct ut_pred, bpf/usdtrace.h) that the BPF programs evaluate in the
 * kernel before any ring-buffer or map work.
 *
 *   expr    := or
 *   or      := and ('||' and)*
 *   and     := not ('&&' not)*
 *   not     := '!' not | cmp
 *   cmp     := bitand (('=='|'!='|'<'|'<='|'>'|'>=') bitand)?
 *   bitand  := primary ('&' primary)*
 *   primary := '(' or ')' | arg0..arg11 | pid | tid | uid | comm
 *            | INTEGER (decimal, 0x hex, negative) | "STRING"
 *
 * A string (an argument whose FMT is s or S, or comm) compares only with a
 * string literal, by == or !=, which match it as a glob (* and ?).
 * Pure code: no I/O, no BPF; unit-tested and fuzzed.
 */
#ifndef USDTRACE_EXPR_H
#define USDTRACE_EXPR_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "../bpf/usdtrace.h"

struct expr;

/* Where and why a predicate was refused; column 1 is its opening '/'. */
struct expr_error {
	int column;
	char msg[128];
};

/*
 * Parse @len bytes at @text, the predicate with its slashes ("/arg0 > 3/").
 * Returns 0 with *@out set (free with expr__free), or -EINVAL with @err.
 */
int expr__parse(const char *text, size_t len, struct expr **out, struct expr_error *err);
void expr__free(struct expr *e);

/*
 * *@e becomes (*@e && SRC == "@glob"), or just that when *@e is NULL; SRC is
 * argument @arg (a string, FMT s or S), or comm where @arg is -1.
 */
int expr__and_glob(struct expr **e, int arg, const char *glob);

/* What a probe's arguments are, for the type check. */
struct expr_args {
	int nr_args;
	char fmt[UT_MAX_ARGS];	/* s S d u x -, or '\0' for the probe's own */
};

/*
 * Type-check @e against @args and compile it into @out. Returns 0, or
 * -EINVAL with @err (an unknown argument, a string where a number must be,
 * a program past the limits of struct ut_pred).
 */
int expr__compile(const struct expr *e, const struct expr_args *args, struct ut_pred *out,
		  struct expr_error *err);

/* Glob @pat compiled into @t's NFA tables (exposed for the unit tests). */
int expr__compile_glob(const char *pat, size_t len, struct ut_str_test *t);
/* The match @t computes in BPF, done in user space (unit tests, fuzzing). */
bool expr__glob_match(const struct ut_str_test *t, const char *s, size_t len);

#endif /* USDTRACE_EXPR_H */
