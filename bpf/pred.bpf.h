/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pred.bpf.h - evaluate a site's predicate (struct ut_pred, compiled by
 * expr/) before any ring-buffer or map work: its string tests first, each a
 * glob NFA run over the string in one pass, then its reverse Polish code.
 * Both loops run through bpf_loop(), so the verifier checks one step, not
 * every step of every path. A rejected hit is counted in `filtered`; a
 * value that cannot be read fails the predicate (and is counted so too).
 *
 * Included by common.bpf.h, after the maps and helpers it uses.
 */
#ifndef USDTRACE_PRED_BPF_H
#define USDTRACE_PRED_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* resized: slot 0 unused, one per predicate */
	__type(key, __u32);
	__type(value, struct ut_pred);
} preds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} filtered SEC(".maps");

/*
 * One evaluation's working state, per CPU, held with `busy` as the trace
 * scratch is (a preempted evaluation's buffer is not taken). Kept in map
 * memory rather than on the BPF stack on purpose: the verifier does not
 * follow values in map memory, so the loops' iterations look alike to it
 * and it checks each step a few times instead of every combination.
 */
struct pred_buf {
	char s[UT_STR_MAX];		/* the string under test */
	__u64 args[UT_MAX_ARGS];	/* a pointer + length string's length */
	__u64 stack[UT_PRED_STACK];
	__u32 sp;
	__u32 tests;			/* bit k: string test k held */
	__u32 bad;			/* a value could not be read */
	__u32 pad;
	__u64 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pred_buf);
} pred_bufs SEC(".maps");

struct glob_walk {
	const struct ut_str_test *t;
	const char *s;
	__u64 state;
};

/* bpf_loop step: one byte through the glob's NFA; stops at NUL or no state. */
static long glob_step(__u32 i, struct glob_walk *g)
{
	unsigned char c;

	if (i >= UT_STR_MAX)
		return 1;
	c = g->s[i];
	if (!c)
		return 1;
	g->state = ((g->state & g->t->accept[c]) << 1) | (g->state & g->t->stars);
	return g->state ? 0 : 1;
}

/* String test @t: its source read (comm, or a string argument), then matched. */
static __always_inline int str_test(struct pt_regs *ctx, const struct ut_site_spec *spec,
				    const struct ut_str_test *t, struct pred_buf *buf,
				    bool sleepable)
{
	struct glob_walk g = { .t = t, .s = buf->s, .state = 1 };
	const struct ut_arg_spec *a;
	__u32 src = t->src, la;
	bool fault;
	__u64 ptr;

	if (src == UT_PRED_SRC_COMM) {
		bpf_get_current_comm(buf->s, UT_COMM_LEN);
	} else {
		if (src >= UT_MAX_ARGS)
			return -1;
		a = &spec->args[src];
		ptr = fetch_arg(ctx, a, &fault);
		if (fault)
			return -1;
		la = a->len_arg;
		if ((a->flags & UT_ARG_STRLEN) && la < UT_MAX_ARGS) {
			buf->args[la] = fetch_arg(ctx, &spec->args[la], &fault);
			if (fault)
				return -1;
		}
		if (fetch_str(buf->s, a, ptr, buf->args, sleepable) == STR_FAULT)
			return -1;
	}
	bpf_loop(UT_STR_MAX, glob_step, &g, 0);
	return (int)((g.state >> (t->len & 63)) & 1) != t->negate;
}

/* What the loop steps share; constant during an evaluation. */
/* The value of source @code (an argument, pid, tid or uid); *@fault if unread. */
static __always_inline __u64 pred_source(struct pt_regs *ctx, const struct ut_site_spec *spec,
					 __u8 code, __u32 k, bool *fault)
{
	*fault = false;
	switch (code) {
	case UT_OP_ARG:
		if (k >= UT_MAX_ARGS) {
			*fault = true;
			return 0;
		}
		return fetch_arg(ctx, &spec->args[k], fault);
	case UT_OP_PID:
		return bpf_get_current_pid_tgid() >> 32;
	case UT_OP_TID:
		return (__u32)bpf_get_current_pid_tgid();
	default:
		return (__u32)bpf_get_current_uid_gid();
	}
}

struct pred_eval {
	struct pt_regs *regs;
	const struct ut_site_spec *spec;
	const struct ut_pred *pred;
	struct pred_buf *buf;
};

static __always_inline bool cmp_signed(const struct pred_eval *e, const struct ut_pred_op *op)
{
	__u32 k = op->arg;

	if (op->sign != UT_CMP_ARG_SIGN)
		return op->sign == UT_CMP_SIGNED;
	return k < UT_MAX_ARGS && (e->spec->args[k].flags & UT_ARG_SIGNED);
}

static __always_inline __u64 binary(const struct pred_eval *e, const struct ut_pred_op *op,
				    __u64 a, __u64 b)
{
	bool s = cmp_signed(e, op);

	switch (op->code) {
	case UT_OP_EQ:
		return a == b;
	case UT_OP_NE:
		return a != b;
	case UT_OP_LT:
		return s ? (__s64)a < (__s64)b : a < b;
	case UT_OP_LE:
		return s ? (__s64)a <= (__s64)b : a <= b;
	case UT_OP_GT:
		return s ? (__s64)a > (__s64)b : a > b;
	case UT_OP_GE:
		return s ? (__s64)a >= (__s64)b : a >= b;
	case UT_OP_BITAND:
		return a & b;
	case UT_OP_AND:
		return a && b;
	default:		/* UT_OP_OR */
		return a || b;
	}
}

/* bpf_loop step: one operation of the program. */
static long pred_step(__u32 i, struct pred_eval *e)
{
	struct pred_buf *b = e->buf;
	const struct ut_pred_op *op;
	__u32 sp = b->sp, k;
	bool fault = false;
	__u64 v;

	if (i >= UT_PRED_OPS || i >= e->pred->nr_ops)
		return 1;
	op = &e->pred->ops[i];
	k = op->arg;
	switch (op->code) {
	case UT_OP_ARG:
	case UT_OP_PID:
	case UT_OP_TID:
	case UT_OP_UID:
		v = pred_source(e->regs, e->spec, op->code, k, &fault);
		if (fault)
			goto bad;
		break;
	case UT_OP_CONST:
		v = op->val;
		break;
	case UT_OP_TEST:
		v = (b->tests >> (k & 31)) & 1;
		break;
	case UT_OP_NOT:
		if (sp < 1 || sp > UT_PRED_STACK)
			goto bad;
		b->stack[(sp - 1) & (UT_PRED_STACK - 1)] =
			!b->stack[(sp - 1) & (UT_PRED_STACK - 1)];
		return 0;
	default:
		if (sp < 2 || sp > UT_PRED_STACK)
			goto bad;
		v = binary(e, op, b->stack[(sp - 2) & (UT_PRED_STACK - 1)],
			   b->stack[(sp - 1) & (UT_PRED_STACK - 1)]);
		b->stack[(sp - 2) & (UT_PRED_STACK - 1)] = v;
		b->sp = sp - 1;
		return 0;
	}
	if (sp >= UT_PRED_STACK)
		goto bad;
	b->stack[sp & (UT_PRED_STACK - 1)] = v;
	b->sp = sp + 1;
	return 0;
bad:
	b->bad = 1;
	return 1;
}

/* The whole predicate when it is one comparison (struct ut_pred_fast). */
static __always_inline bool fast_pass(struct pt_regs *ctx, const struct ut_site_spec *spec,
				      const struct ut_pred_fast *f, bool *bad)
{
	struct ut_pred_op cmp = { .code = f->cmp, .sign = f->sign, .arg = f->sign_arg };
	struct pred_eval e = { .spec = spec };
	bool fault;
	__u64 v;

	const struct ut_arg_spec *a = NULL;
	__u32 k = f->arg;

	asm volatile("" : "+r"(k));	/* checked once: clang must not load it again */
	if (k < UT_MAX_ARGS)
		a = &spec->args[k];
	if (f->src == UT_OP_ARG && a && a->kind == UT_ARG_REG) {
		v = fetch_arg_fast(ctx, a, &fault);	/* the hot case */
	} else {
		v = pred_source(ctx, spec, f->src, f->arg, &fault);
	}
	*bad = fault;
	if (f->mask)
		v &= f->mask;
	return !fault && binary(&e, &cmp, v, f->val);
}

/* The string tests, their results into buf->tests (or buf->bad). */
static __always_inline void run_tests(struct pred_eval *e, bool sleepable)
{
	struct pred_buf *b = e->buf;
	__u32 k;
	int r;

	for (k = 0; k < UT_PRED_TESTS; k++) {
		if (k >= e->pred->nr_tests)
			break;
		r = str_test(e->regs, e->spec, &e->pred->tests[k], b, sleepable);
		if (r < 0)
			b->bad = 1;
		else if (r)
			b->tests |= 1u << k;
	}
}

/*
 * Does the hit pass @spec's predicate? A site without one always does. A
 * rejected hit is counted in `filtered` and costs nothing more.
 */
static __always_inline bool pred_pass(struct pt_regs *ctx, const struct ut_site_spec *spec,
				      bool sleepable)
{
	struct pred_eval e = { .regs = ctx, .spec = spec };
	__u32 id = spec->pred_id, zero = 0;
	bool pass, bad;

	if (!cfg.preds || !id)
		return true;	/* cfg.preds is known at load: no code without predicates */
	if (spec->fast.on) {
		pass = fast_pass(ctx, spec, &spec->fast, &bad);
		if (!pass)
			count_in(&filtered, 0);
		return pass;
	}
	e.pred = bpf_map_lookup_elem(&preds, &id);
	if (!e.pred)
		return true;
	e.buf = bpf_map_lookup_elem(&pred_bufs, &zero);
	if (!e.buf)
		return true;
	if (__sync_lock_test_and_set(&e.buf->busy, 1)) {
		count_drop();	/* its buffer in use by a preempted hit */
		return false;
	}
	e.buf->sp = 0;
	e.buf->tests = 0;
	e.buf->bad = 0;
	if (e.pred->nr_tests)
		run_tests(&e, sleepable);
	if (!e.buf->bad)
		bpf_loop(UT_PRED_OPS, pred_step, &e, 0);
	pass = !e.buf->bad && e.buf->sp == 1 && e.buf->stack[0];
	e.buf->busy = 0;
	if (!pass)
		count_in(&filtered, 0);
	return pass;
}

#endif /* USDTRACE_PRED_BPF_H */
