// SPDX-License-Identifier: MIT
/*
 * fuzz_expr.c - libFuzzer target for the predicate parser and compiler.
 *
 * Input: one byte choosing the probe's argument types (bit i set: argument
 * i is a string, FMT s), then the predicate text. Whatever compiles must be
 * a program the BPF evaluator can run: stack within bounds and one value
 * left, argument and string-test indexes in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../expr/expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_program(const struct ut_pred *p, const struct expr_args *a)
{
	int depth = 0;
	__u32 i;

	if (p->nr_ops > UT_PRED_OPS || p->nr_tests > UT_PRED_TESTS)
		abort();
	for (i = 0; i < p->nr_ops; i++) {
		const struct ut_pred_op *op = &p->ops[i];

		if (op->code >= UT_OP_ARG && op->code <= UT_OP_TEST)
			depth++;
		else if (op->code >= UT_OP_EQ && op->code <= UT_OP_OR)
			depth--;
		else if (op->code != UT_OP_NOT)
			abort();
		if (depth < 1 || depth > UT_PRED_STACK)
			abort();
		if (op->code == UT_OP_ARG && (op->arg >= a->nr_args || a->fmt[op->arg] == 's'))
			abort();
		if (op->code == UT_OP_TEST && op->arg >= p->nr_tests)
			abort();
	}
	if (depth != 1)
		abort();
	/* the fast shape must say what the program says */
	if (p->fast.on && (p->nr_tests || (p->nr_ops != 3 && p->nr_ops != 5) ||
			   p->fast.cmp != p->ops[p->nr_ops - 1].code ||
			   p->fast.src != p->ops[0].code))
		abort();
	for (i = 0; i < p->nr_tests; i++) {
		if (p->tests[i].len > 63 ||
		    (p->tests[i].src != UT_PRED_SRC_COMM && p->tests[i].src >= a->nr_args))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expr_args args = { .nr_args = 6 };
	struct expr_error err;
	struct ut_pred *p;
	struct expr *e;
	int i;

	if (size < 1)
		return 0;
	for (i = 0; i < args.nr_args; i++)
		args.fmt[i] = (data[0] >> i) & 1 ? 's' : 0;
	if (expr__parse((const char *)data + 1, size - 1, &e, &err)) {
		if (err.column < 1 || (size_t)err.column > size + 1 || !err.msg[0])
			abort();
		return 0;
	}
	p = malloc(sizeof(*p));
	if (p && !expr__compile(e, &args, p, &err))
		check_program(p, &args);
	free(p);
	expr__free(e);
	return 0;
}
