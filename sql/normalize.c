// SPDX-License-Identifier: MIT
/*
 * normalize.c - SQL literals replaced by $n (see normalize.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "normalize.h"

struct sql_lex {
	const char *s;
	size_t len;
	size_t i;		/* next byte to read */
	char *out;
	size_t size;
	size_t n;		/* bytes written */
	unsigned int next;	/* the next $n */
	bool operand;		/* an operand may come next: '-' starts a number */
	bool full;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (unsigned char)c >= 0x80;
}

static bool is_ident(char c)
{
	return is_ident_start(c) || is_digit(c) || c == '$';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void put(struct sql_lex *lx, const char *p, size_t n)
{
	if (lx->full || lx->n + n >= lx->size) {
		lx->full = true;
		return;
	}
	memcpy(lx->out + lx->n, p, n);
	lx->n += n;
}

/* Copy the bytes from @start to the read position as they are. */
static void keep(struct sql_lex *lx, size_t start)
{
	put(lx, lx->s + start, lx->i - start);
}

static void param(struct sql_lex *lx)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "$%u", lx->next++);

	put(lx, buf, (size_t)n);
	lx->operand = false;
}

static char at(const struct sql_lex *lx, size_t i)
{
	return i < lx->len ? lx->s[i] : '\0';
}

/* '...' from the opening quote; '' is a quote inside, \ escapes if @esc. */
static void skip_quoted(struct sql_lex *lx, char q, bool esc)
{
	lx->i++;
	while (lx->i < lx->len) {
		char c = lx->s[lx->i++];

		if (esc && c == '\\') {
			lx->i++;
		} else if (c == q) {
			if (at(lx, lx->i) != q)
				return;
			lx->i++;
		}
	}
	if (lx->i > lx->len)
		lx->i = lx->len;
}

/* A dollar-quote tag at the read position ($$ or $tag$): its length, 0 if none. */
static size_t dollar_tag(const struct sql_lex *lx)
{
	size_t j = lx->i + 1;

	if (at(lx, j) != '$' && !is_ident_start(at(lx, j)))
		return 0;
	while (j < lx->len && lx->s[j] != '$') {
		if (!is_ident(lx->s[j]) || lx->s[j] == '$')
			return 0;
		j++;
	}
	return j < lx->len ? j - lx->i + 1 : 0;
}

static void skip_dollar(struct sql_lex *lx, size_t tag)
{
	const char *t = lx->s + lx->i;
	size_t j;

	for (j = lx->i + tag; j + tag <= lx->len; j++) {
		if (!memcmp(lx->s + j, t, tag)) {
			lx->i = j + tag;
			return;
		}
	}
	lx->i = lx->len;	/* cut short: the literal runs to the end */
}

static void skip_number(struct sql_lex *lx)
{
	char c = at(lx, lx->i), x = at(lx, lx->i + 1) | 0x20;

	if (c == '-')
		lx->i++;
	if (at(lx, lx->i) == '0' && (x == 'x' || x == 'o' || x == 'b')) {
		lx->i += 2;
		while (is_ident(at(lx, lx->i)))
			lx->i++;
		return;
	}
	while (is_digit(at(lx, lx->i)) || at(lx, lx->i) == '_')
		lx->i++;
	if (at(lx, lx->i) == '.' && at(lx, lx->i + 1) != '.') {
		lx->i++;
		while (is_digit(at(lx, lx->i)))
			lx->i++;
	}
	c = at(lx, lx->i);
	if ((c == 'e' || c == 'E') &&
	    (is_digit(at(lx, lx->i + 1)) ||
	     ((at(lx, lx->i + 1) == '+' || at(lx, lx->i + 1) == '-') &&
	      is_digit(at(lx, lx->i + 2))))) {
		lx->i += 2;
		while (is_digit(at(lx, lx->i)))
			lx->i++;
	}
}

static void skip_comment(struct sql_lex *lx)
{
	int depth = 0;

	if (at(lx, lx->i) == '-') {
		while (lx->i < lx->len && lx->s[lx->i] != '\n')
			lx->i++;
		return;
	}
	while (lx->i < lx->len) {	/* block comments nest in PostgreSQL */
		if (lx->s[lx->i] == '/' && at(lx, lx->i + 1) == '*') {
			depth++;
			lx->i += 2;
		} else if (lx->s[lx->i] == '*' && at(lx, lx->i + 1) == '/') {
			lx->i += 2;
			if (!--depth)
				return;
		} else {
			lx->i++;
		}
	}
}

/* The highest $n parameter the text already has. */
static unsigned int max_param(const char *s, size_t len)
{
	unsigned int best = 0, v;
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (s[i] != '$' || !is_digit(s[i + 1]) || (i && is_ident(s[i - 1])))
			continue;
		for (v = 0, i++; i < len && is_digit(s[i]) && v < 100000; i++)
			v = v * 10 + (unsigned int)(s[i] - '0');
		best = v > best ? v : best;
	}
	return best;
}

/* One token at the read position. */
static void step(struct sql_lex *lx)
{
	size_t start = lx->i, tag;
	char c = lx->s[lx->i], n1 = at(lx, lx->i + 1);

	if (is_space(c)) {
		lx->i++;
		keep(lx, start);
	} else if ((c == '-' && n1 == '-') || (c == '/' && n1 == '*')) {
		skip_comment(lx);
		keep(lx, start);
	} else if (c == '\'') {
		skip_quoted(lx, '\'', false);
		param(lx);
	} else if ((c | 0x20) == 'e' && n1 == '\'') {
		lx->i++;
		skip_quoted(lx, '\'', true);
		param(lx);
	} else if (((c | 0x20) == 'b' || (c | 0x20) == 'x' || (c | 0x20) == 'n') && n1 == '\'') {
		lx->i++;
		skip_quoted(lx, '\'', false);
		param(lx);
	} else if (c == '"') {
		skip_quoted(lx, '"', false);
		keep(lx, start);
		lx->operand = false;
	} else if (c == '$' && is_digit(n1)) {
		lx->i++;
		while (is_digit(at(lx, lx->i)))
			lx->i++;
		keep(lx, start);
		lx->operand = false;
	} else if (c == '$' && (tag = dollar_tag(lx))) {
		skip_dollar(lx, tag);
		param(lx);
	} else if (is_digit(c) || (c == '.' && is_digit(n1)) ||
		   (c == '-' && lx->operand && (is_digit(n1) || (n1 == '.' &&
						is_digit(at(lx, lx->i + 2)))))) {
		skip_number(lx);
		param(lx);
	} else if (is_ident_start(c)) {
		while (lx->i < lx->len && is_ident(lx->s[lx->i]))
			lx->i++;
		keep(lx, start);
		lx->operand = false;
	} else {
		lx->i++;
		keep(lx, start);
		/* after ')' or ']' a '-' is binary; after other punctuation, unary */
		lx->operand = c != ')' && c != ']';
	}
}

int sql_normalize(const char *sql, size_t len, char *out, size_t size)
{
	struct sql_lex lx = {
		.s = sql, .len = strnlen(sql, len), .out = out, .size = size, .operand = true,
	};

	if (!size)
		return -ENOSPC;
	lx.next = max_param(sql, lx.len) + 1;
	while (lx.i < lx.len && !lx.full)
		step(&lx);
	out[lx.n] = '\0';
	return lx.full ? -ENOSPC : (int)lx.n;
}
