// SPDX-License-Identifier: MIT
/*
 * expr.c - parse, check and compile probe predicates (see expr.h).
 *
 * Three steps, each small: a lexer over the bytes between the slashes, a
 * recursive-descent parser into a tree, and a compiler that types the tree
 * against the probe's arguments while it emits reverse Polish code. The
 * depth of recursion and the size of the tree are bounded, so hostile
 * input costs at most a few kilobytes and never exhausts the C stack.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

#define EXPR_MAX_NODES	128
#define EXPR_MAX_DEPTH	32
#define EXPR_MAX_STR	128	/* bytes of a string literal */

enum tok {
	T_END,		/* the closing '/' */
	T_INT,
	T_STR,
	T_IDENT,
	T_LPAREN,
	T_RPAREN,
	T_OROR,
	T_ANDAND,
	T_NOT,
	T_AND,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
};

enum node_kind {
	N_OR,
	N_AND,
	N_NOT,
	N_CMP,		/* op: the comparison token */
	N_BITAND,
	N_ARG,		/* n */
	N_PID,
	N_TID,
	N_UID,
	N_COMM,
	N_INT,		/* val, neg */
	N_STR,		/* str */
};

struct node {
	enum node_kind kind;
	enum tok op;
	int column;
	int n;
	uint64_t val;
	bool neg;
	char *str;
	size_t str_len;
	struct node *l, *r;
};

struct expr {
	struct node *root;
	struct node nodes[EXPR_MAX_NODES];
	int nr_nodes;
	char strs[EXPR_MAX_NODES][EXPR_MAX_STR];
};

struct parser {
	const char *s;
	size_t len;
	size_t pos;		/* of the current token */
	size_t next;		/* after it */
	enum tok tok;
	uint64_t val;		/* T_INT */
	bool neg;
	char str[EXPR_MAX_STR];	/* T_STR, T_IDENT */
	size_t str_len;
	int depth;
	struct expr *e;
	struct expr_error *err;
};

static int fail(struct expr_error *err, int column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct expr_error *err, int column, const char *fmt, ...)
{
	va_list ap;

	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- lexer ---------------------------------------------------------------- */

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static int lex_number(struct parser *p, size_t i)
{
	uint64_t v = 0, base = 10, d;
	size_t start;

	p->neg = p->s[i] == '-';
	if (p->neg)
		i++;
	if (i + 1 < p->len && p->s[i] == '0' && (p->s[i + 1] == 'x' || p->s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	start = i;
	for (; i < p->len && is_ident(p->s[i]); i++) {
		char c = p->s[i];

		d = c >= '0' && c <= '9' ? (uint64_t)(c - '0') :
		    c >= 'a' && c <= 'f' ? (uint64_t)(c - 'a' + 10) :
		    c >= 'A' && c <= 'F' ? (uint64_t)(c - 'A' + 10) : 99;
		if (d >= base)
			return fail(p->err, (int)i + 1, "bad digit '%c' in a number", c);
		if (v > (UINT64_MAX - d) / base)
			return fail(p->err, (int)start + 1, "number out of range");
		v = v * base + d;
	}
	if (i == start)
		return fail(p->err, (int)start + 1, "expected digits");
	if (p->neg && v > (uint64_t)INT64_MAX + 1)
		return fail(p->err, (int)start, "number out of range");
	p->val = p->neg ? (uint64_t)0 - v : v;
	p->tok = T_INT;
	p->next = i;
	return 0;
}

static int lex_string(struct parser *p, size_t i)
{
	size_t n = 0;

	for (i++; i < p->len && p->s[i] != '"'; i++) {
		char c = p->s[i];

		if (c == '\\' && i + 1 < p->len)
			c = p->s[++i];
		if (n + 1 >= sizeof(p->str))
			return fail(p->err, (int)p->pos + 1, "string longer than %d bytes",
				    EXPR_MAX_STR - 1);
		p->str[n++] = c;
	}
	if (i >= p->len)
		return fail(p->err, (int)p->pos + 1, "unterminated string");
	p->str[n] = '\0';
	p->str_len = n;
	p->tok = T_STR;
	p->next = i + 1;
	return 0;
}

/* Two-byte operators first, then one-byte ones. */
static bool lex_operator(struct parser *p, size_t i)
{
	static const struct {
		const char *text;
		enum tok tok;
	} ops[] = {
		{ "||", T_OROR }, { "&&", T_ANDAND }, { "==", T_EQ }, { "!=", T_NE },
		{ "<=", T_LE }, { ">=", T_GE }, { "!", T_NOT }, { "&", T_AND }, { "<", T_LT },
		{ ">", T_GT }, { "(", T_LPAREN }, { ")", T_RPAREN },
	};
	size_t k, n;

	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		n = strlen(ops[k].text);
		if (i + n <= p->len && !memcmp(p->s + i, ops[k].text, n)) {
			p->tok = ops[k].tok;
			p->next = i + n;
			return true;
		}
	}
	return false;
}

/* Read the token at p->next into p->tok. */
static int lex(struct parser *p)
{
	size_t i = p->next;

	while (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t'))
		i++;
	p->pos = i;
	if (i >= p->len)
		return fail(p->err, (int)i + 1, "expected the closing '/'");
	if (p->s[i] == '/') {
		if (i + 1 != p->len)
			return fail(p->err, (int)i + 2, "text after the closing '/'");
		p->tok = T_END;
		p->next = i + 1;
		return 0;
	}
	if ((p->s[i] >= '0' && p->s[i] <= '9') ||
	    (p->s[i] == '-' && i + 1 < p->len && p->s[i + 1] >= '0' && p->s[i + 1] <= '9'))
		return lex_number(p, i);
	if (p->s[i] == '"')
		return lex_string(p, i);
	if (is_ident(p->s[i])) {
		size_t n = 0;

		for (; i < p->len && is_ident(p->s[i]) && n + 1 < sizeof(p->str); i++)
			p->str[n++] = p->s[i];
		p->str[n] = '\0';
		p->tok = T_IDENT;
		p->next = i;
		return 0;
	}
	if (lex_operator(p, i))
		return 0;
	return fail(p->err, (int)i + 1, "unexpected '%c'", p->s[i]);
}

/* ---- parser --------------------------------------------------------------- */

static struct node *new_node(struct parser *p, enum node_kind kind, int column)
{
	struct node *n;

	if (p->e->nr_nodes == EXPR_MAX_NODES) {
		fail(p->err, column, "expression too long (at most %d terms)", EXPR_MAX_NODES);
		return NULL;
	}
	n = &p->e->nodes[p->e->nr_nodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->column = column;
	return n;
}

static int parse_or(struct parser *p, struct node **out);

/* arg0..arg11, pid, tid, uid, comm */
static int parse_ident(struct parser *p, struct node **out)
{
	static const struct {
		const char *name;
		enum node_kind kind;
	} names[] = { { "pid", N_PID }, { "tid", N_TID }, { "uid", N_UID }, { "comm", N_COMM } };
	int column = (int)p->pos + 1;
	size_t k;
	char *end;
	long n;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (!strcmp(p->str, names[k].name)) {
			*out = new_node(p, names[k].kind, column);
			return *out ? lex(p) : -EINVAL;
		}
	}
	if (strncmp(p->str, "arg", 3) || !p->str[3])
		return fail(p->err, column, "unknown name '%s' (arg0..arg%d, pid, tid, uid, comm)",
			    p->str, UT_MAX_ARGS - 1);
	n = strtol(p->str + 3, &end, 10);
	if (*end || n < 0 || n >= UT_MAX_ARGS || (p->str[3] == '0' && p->str[4]))
		return fail(p->err, column, "unknown name '%s' (arg0..arg%d, pid, tid, uid, comm)",
			    p->str, UT_MAX_ARGS - 1);
	*out = new_node(p, N_ARG, column);
	if (!*out)
		return -EINVAL;
	(*out)->n = (int)n;
	return lex(p);
}

static int parse_primary(struct parser *p, struct node **out)
{
	int column = (int)p->pos + 1, err;
	struct expr *e = p->e;

	switch (p->tok) {
	case T_LPAREN:
		err = lex(p);
		if (!err)
			err = parse_or(p, out);
		if (!err && p->tok != T_RPAREN)
			return fail(p->err, (int)p->pos + 1, "expected ')'");
		return err ? err : lex(p);
	case T_IDENT:
		return parse_ident(p, out);
	case T_INT:
		*out = new_node(p, N_INT, column);
		if (!*out)
			return -EINVAL;
		(*out)->val = p->val;
		(*out)->neg = p->neg;
		return lex(p);
	case T_STR:
		*out = new_node(p, N_STR, column);
		if (!*out)
			return -EINVAL;
		(*out)->str = e->strs[*out - e->nodes];
		memcpy((*out)->str, p->str, p->str_len + 1);
		(*out)->str_len = p->str_len;
		return lex(p);
	default:
		return fail(p->err, column, "expected a value");
	}
}

static int parse_bitand(struct parser *p, struct node **out)
{
	struct node *n;
	int err = parse_primary(p, out), column;

	while (!err && p->tok == T_AND) {
		column = (int)p->pos + 1;
		n = new_node(p, N_BITAND, column);
		if (!n)
			return -EINVAL;
		n->l = *out;
		err = lex(p);
		if (!err)
			err = parse_primary(p, &n->r);
		*out = n;
	}
	return err;
}

static bool is_cmp(enum tok t)
{
	return t == T_EQ || t == T_NE || t == T_LT || t == T_LE || t == T_GT || t == T_GE;
}

static int parse_cmp(struct parser *p, struct node **out)
{
	struct node *n;
	int err = parse_bitand(p, out);

	if (err || !is_cmp(p->tok))
		return err;
	n = new_node(p, N_CMP, (int)p->pos + 1);
	if (!n)
		return -EINVAL;
	n->op = p->tok;
	n->l = *out;
	err = lex(p);
	if (!err)
		err = parse_bitand(p, &n->r);
	*out = n;
	if (!err && is_cmp(p->tok))
		return fail(p->err, (int)p->pos + 1, "comparisons do not chain: use &&");
	return err;
}

static int parse_not(struct parser *p, struct node **out)
{
	struct node *n;
	int err;

	if (p->tok != T_NOT)
		return parse_cmp(p, out);
	if (++p->depth > EXPR_MAX_DEPTH)
		return fail(p->err, (int)p->pos + 1, "nested too deeply");
	n = new_node(p, N_NOT, (int)p->pos + 1);
	if (!n)
		return -EINVAL;
	err = lex(p);
	if (!err)
		err = parse_not(p, &n->l);
	p->depth--;
	*out = n;
	return err;
}

/* Left-associative chains of && (below ||). */
static int parse_chain(struct parser *p, struct node **out, enum tok op, enum node_kind kind,
		       int (*sub)(struct parser *, struct node **))
{
	struct node *n;
	int err = sub(p, out);

	while (!err && p->tok == op) {
		n = new_node(p, kind, (int)p->pos + 1);
		if (!n)
			return -EINVAL;
		n->l = *out;
		err = lex(p);
		if (!err)
			err = sub(p, &n->r);
		*out = n;
	}
	return err;
}

static int parse_and(struct parser *p, struct node **out)
{
	return parse_chain(p, out, T_ANDAND, N_AND, parse_not);
}

static int parse_or(struct parser *p, struct node **out)
{
	int err;

	if (++p->depth > EXPR_MAX_DEPTH)
		return fail(p->err, (int)p->pos + 1, "nested too deeply");
	err = parse_chain(p, out, T_OROR, N_OR, parse_and);
	p->depth--;
	return err;
}

int expr__parse(const char *text, size_t len, struct expr **out, struct expr_error *err)
{
	struct parser p = { .s = text, .len = len, .err = err };
	int ret;

	memset(err, 0, sizeof(*err));
	if (len < 2 || text[0] != '/')
		return fail(err, 1, "a predicate is /EXPR/");
	p.e = calloc(1, sizeof(*p.e));
	if (!p.e)
		return fail(err, 1, "out of memory");
	p.next = 1;
	ret = lex(&p);
	if (!ret && p.tok == T_END)
		ret = fail(err, (int)p.pos + 1, "empty predicate");
	if (!ret)
		ret = parse_or(&p, &p.e->root);
	if (!ret && p.tok != T_END)
		ret = fail(err, (int)p.pos + 1, "expected an operator or the closing '/'");
	if (ret) {
		free(p.e);
		return ret;
	}
	*out = p.e;
	return 0;
}

void expr__free(struct expr *e)
{
	free(e);
}

int expr__and_glob(struct expr **e, int arg, const char *glob)
{
	struct expr *x = *e;
	struct node *comm, *lit, *cmp, *and;
	size_t n = strlen(glob);

	if (n >= EXPR_MAX_STR)
		return -E2BIG;
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x)
			return -ENOMEM;
	}
	if (x->nr_nodes + 4 > EXPR_MAX_NODES) {
		if (!*e)
			free(x);
		return -E2BIG;
	}
	comm = &x->nodes[x->nr_nodes++];
	lit = &x->nodes[x->nr_nodes++];
	cmp = &x->nodes[x->nr_nodes++];
	*comm = arg < 0 ? (struct node){ .kind = N_COMM } : (struct node){ .kind = N_ARG, .n = arg };
	*lit = (struct node){ .kind = N_STR, .str = x->strs[lit - x->nodes], .str_len = n };
	memcpy(lit->str, glob, n + 1);
	*cmp = (struct node){ .kind = N_CMP, .op = T_EQ, .l = comm, .r = lit };
	if (x->root) {
		and = &x->nodes[x->nr_nodes++];
		*and = (struct node){ .kind = N_AND, .l = x->root, .r = cmp };
		x->root = and;
	} else {
		x->root = cmp;
	}
	*e = x;
	return 0;
}

/* ---- globs ---------------------------------------------------------------- */

int expr__compile_glob(const char *pat, size_t len, struct ut_str_test *t)
{
	size_t i;
	int c, m = 0;

	memset(t->accept, 0, sizeof(t->accept));
	t->stars = 0;
	for (i = 0; i < len; i++) {
		if (pat[i] == '*') {
			t->stars |= 1ull << m;	/* consecutive stars are one */
			continue;
		}
		if (m == 63)
			return -E2BIG;
		if (pat[i] == '?') {
			for (c = 1; c < 256; c++)
				t->accept[c] |= 1ull << m;
		} else {
			t->accept[(unsigned char)pat[i]] |= 1ull << m;
		}
		m++;
	}
	t->len = (__u8)m;
	return 0;
}

bool expr__glob_match(const struct ut_str_test *t, const char *s, size_t len)
{
	uint64_t state = 1;
	size_t i;

	for (i = 0; i < len && s[i] && state; i++)
		state = ((state & t->accept[(unsigned char)s[i]]) << 1) | (state & t->stars);
	return (state >> t->len) & 1;
}

/* ---- type check and code --------------------------------------------------- */

enum type {
	TY_INT,
	TY_STR,
	TY_BOOL,
};

struct compiler {
	const struct expr_args *args;
	struct ut_pred *out;
	struct expr_error *err;
	int depth;		/* values on the evaluation stack */
};

static int emit(struct compiler *c, const struct node *n, __u8 code, __u8 arg, __u64 val,
		int stack_change)
{
	struct ut_pred_op *op;

	if (c->out->nr_ops == UT_PRED_OPS)
		return fail(c->err, n->column, "expression too long (at most %d operations)",
			    UT_PRED_OPS);
	c->depth += stack_change;
	if (c->depth > UT_PRED_STACK)
		return fail(c->err, n->column, "expression nested too deeply");
	op = &c->out->ops[c->out->nr_ops++];
	memset(op, 0, sizeof(*op));
	op->code = code;
	op->arg = arg;
	op->val = val;
	return 0;
}

static bool is_string_arg(const struct compiler *c, int n)
{
	return c->args->fmt[n] == 's' || c->args->fmt[n] == 'S';
}

static int check_arg(struct compiler *c, const struct node *n)
{
	if (n->n >= c->args->nr_args)
		return fail(c->err, n->column, "arg%d: the probe has %d argument%s", n->n,
			    c->args->nr_args, c->args->nr_args == 1 ? "" : "s");
	return 0;
}

static int gen(struct compiler *c, const struct node *n, enum type *ty);

/* A string (argument or comm) == or != a string literal: a string test. */
static int gen_str_test(struct compiler *c, const struct node *n, const struct node *src,
			const struct node *lit)
{
	struct ut_str_test *t;
	int err;

	if (n->op != T_EQ && n->op != T_NE)
		return fail(c->err, n->column, "strings compare with == or != only");
	if (lit->kind != N_STR)
		return fail(c->err, lit->column, "a string compares with a \"string\" literal");
	if (c->out->nr_tests == UT_PRED_TESTS)
		return fail(c->err, n->column, "at most %d string comparisons", UT_PRED_TESTS);
	t = &c->out->tests[c->out->nr_tests];
	memset(t, 0, sizeof(*t));
	t->src = src->kind == N_COMM ? UT_PRED_SRC_COMM : (__u8)src->n;
	t->negate = n->op == T_NE;
	err = expr__compile_glob(lit->str, lit->str_len, t);
	if (err)
		return fail(c->err, lit->column, "glob longer than 63 characters");
	return emit(c, n, UT_OP_TEST, (__u8)c->out->nr_tests++, 0, 1);
}

static bool is_string_node(const struct compiler *c, const struct node *n)
{
	return n->kind == N_COMM || n->kind == N_STR || (n->kind == N_ARG && is_string_arg(c, n->n));
}

/* How a comparison of @l and @r treats sign: from FMT, a negative literal, or the spec. */
static __u8 cmp_sign(const struct compiler *c, const struct node *l, const struct node *r,
		     __u8 *arg)
{
	const struct node *sides[2] = { l, r };
	__u8 sign = UT_CMP_UNSIGNED;
	int k;

	for (k = 0; k < 2; k++) {
		const struct node *s = sides[k];

		if (s->kind == N_INT && s->neg)
			return UT_CMP_SIGNED;
		if (s->kind != N_ARG)
			continue;
		if (c->args->fmt[s->n] == 'd')
			return UT_CMP_SIGNED;
		if (!c->args->fmt[s->n] && sign == UT_CMP_UNSIGNED) {
			sign = UT_CMP_ARG_SIGN;
			*arg = (__u8)s->n;
		}
	}
	return sign;
}

static int gen_cmp(struct compiler *c, const struct node *n)
{
	static const __u8 codes[] = {
		[T_EQ] = UT_OP_EQ, [T_NE] = UT_OP_NE, [T_LT] = UT_OP_LT, [T_LE] = UT_OP_LE,
		[T_GT] = UT_OP_GT, [T_GE] = UT_OP_GE,
	};
	enum type lt, rt;
	__u8 arg = 0, sign;
	int err;

	if (n->l->kind == N_ARG && (err = check_arg(c, n->l)))
		return err;
	if (n->r->kind == N_ARG && (err = check_arg(c, n->r)))
		return err;
	if (is_string_node(c, n->l) && n->l->kind != N_STR)
		return gen_str_test(c, n, n->l, n->r);
	if (is_string_node(c, n->r) && n->r->kind != N_STR)
		return gen_str_test(c, n, n->r, n->l);
	if ((n->l->kind == N_STR && n->r->kind == N_ARG) ||
	    (n->r->kind == N_STR && n->l->kind == N_ARG)) {
		const struct node *a = n->l->kind == N_ARG ? n->l : n->r;

		return fail(c->err, a->column, "arg%d is a number here: to compare it with a "
			    "\"string\", give the probe FMT s for it (PROBE(s) /arg%d == \"...\"/)",
			    a->n, a->n);
	}
	if (n->l->kind == N_STR || n->r->kind == N_STR)
		return fail(c->err, (n->l->kind == N_STR ? n->l : n->r)->column,
			    "a \"string\" compares with a string argument or comm");
	err = gen(c, n->l, &lt);
	if (!err)
		err = gen(c, n->r, &rt);
	if (err)
		return err;
	if (lt == TY_BOOL || rt == TY_BOOL)
		return fail(c->err, n->column, "comparing a comparison: use && or ||");
	sign = cmp_sign(c, n->l, n->r, &arg);
	err = emit(c, n, codes[n->op], arg, 0, -1);
	if (!err)
		c->out->ops[c->out->nr_ops - 1].sign = sign;
	return err;
}

/* Operands of && || ! and &: numbers or conditions, never strings. */
static int gen_operand(struct compiler *c, const struct node *n, enum type *ty)
{
	int err = gen(c, n, ty);

	if (!err && *ty == TY_STR)
		return fail(c->err, n->column, "a string here: compare it with == \"glob\"");
	return err;
}

static int gen(struct compiler *c, const struct node *n, enum type *ty)
{
	enum type a, b;
	int err;

	*ty = TY_INT;
	switch (n->kind) {
	case N_ARG:
		err = check_arg(c, n);
		if (err)
			return err;
		if (is_string_arg(c, n->n)) {
			*ty = TY_STR;
			return 0;
		}
		return emit(c, n, UT_OP_ARG, (__u8)n->n, 0, 1);
	case N_PID:
		return emit(c, n, UT_OP_PID, 0, 0, 1);
	case N_TID:
		return emit(c, n, UT_OP_TID, 0, 0, 1);
	case N_UID:
		return emit(c, n, UT_OP_UID, 0, 0, 1);
	case N_INT:
		return emit(c, n, UT_OP_CONST, 0, n->val, 1);
	case N_COMM:
	case N_STR:
		*ty = TY_STR;
		return 0;
	case N_CMP:
		*ty = TY_BOOL;
		return gen_cmp(c, n);
	case N_NOT:
		*ty = TY_BOOL;
		err = gen_operand(c, n->l, &a);
		return err ? err : emit(c, n, UT_OP_NOT, 0, 0, 0);
	case N_BITAND:
	case N_AND:
	case N_OR:
		err = gen_operand(c, n->l, &a);
		if (!err)
			err = gen_operand(c, n->r, &b);
		if (err)
			return err;
		*ty = n->kind == N_BITAND ? TY_INT : TY_BOOL;
		return emit(c, n, n->kind == N_BITAND ? UT_OP_BITAND :
				  n->kind == N_AND ? UT_OP_AND : UT_OP_OR, 0, 0, -1);
	}
	return fail(c->err, n->column, "internal: node %d", (int)n->kind);
}

static bool is_source(__u8 code)
{
	return code == UT_OP_ARG || code == UT_OP_PID || code == UT_OP_TID || code == UT_OP_UID;
}

static bool is_comparison(__u8 code)
{
	return code >= UT_OP_EQ && code <= UT_OP_GE;
}

/* Recognize "SRC CONST CMP" and "SRC CONST & CONST CMP" (see struct ut_pred_fast). */
static void find_fast_shape(struct ut_pred *p)
{
	const struct ut_pred_op *o = p->ops, *cmp;
	struct ut_pred_fast *f = &p->fast;

	memset(f, 0, sizeof(*f));
	if (p->nr_tests || !is_source(o[0].code))
		return;
	if (p->nr_ops == 3 && o[1].code == UT_OP_CONST && is_comparison(o[2].code)) {
		cmp = &o[2];
		f->val = o[1].val;
	} else if (p->nr_ops == 5 && o[1].code == UT_OP_CONST && o[1].val &&
		   o[2].code == UT_OP_BITAND && o[3].code == UT_OP_CONST &&
		   is_comparison(o[4].code)) {
		cmp = &o[4];		/* "x & 0" (mask 0 means none) is left to the program */
		f->mask = o[1].val;
		f->val = o[3].val;
	} else {
		return;
	}
	f->on = 1;
	f->src = o[0].code;
	f->arg = o[0].arg;
	f->cmp = cmp->code;
	f->sign = cmp->sign;
	f->sign_arg = cmp->arg;
}

int expr__compile(const struct expr *e, const struct expr_args *args, struct ut_pred *out,
		  struct expr_error *err)
{
	struct compiler c = { .args = args, .out = out, .err = err };
	enum type ty;
	int ret;

	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	ret = gen_operand(&c, e->root, &ty);
	if (!ret && c.depth != 1)
		ret = fail(err, e->root->column, "internal: stack depth %d", c.depth);
	if (!ret)
		find_fast_shape(out);
	return ret;
}
