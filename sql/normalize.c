// SPDX-License-Identifier: MIT
/*
 * normalize.c - SQL literals replaced by $n (see normalize.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../bpf/usdtrace.h"
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
	/* the last two tokens: words lowercased (cut to 15 bytes), else the byte */
	char prev[2][16];
	int depth;		/* of parentheses */
	int typmod_depth;	/* inside a type's modifiers "varchar(": its depth, else -1 */
	int by_depth;		/* in a GROUP BY or ORDER BY list: its depth, else -1 */
};

/* Words after which an operand comes: a '-' there starts a negative number. */
static const char *const operand_words[] = {
	"select", "where", "and", "or", "not", "when", "then", "else", "case", "between",
	"like", "ilike", "limit", "offset", "having", "on", "return", "distinct", "all",
	"any", "some", "by", "in", "values", "set", "returning", "fetch", "first", "next",
	NULL,
};

const char *const sql_typmod_types[] = {
	"varchar", "char", "character", "varying", "nchar", "bpchar", "numeric", "decimal",
	"dec", "bit", "varbit", "timestamp", "timestamptz", "time", "timetz", "interval",
	"float", NULL,
};

/* Words that end a GROUP BY / ORDER BY list. */
static const char *const by_end_words[] = {
	"having", "limit", "offset", "fetch", "window", "union", "intersect", "except",
	"for", "returning", "into", NULL,
};

static bool in_list(const char *const *list, const char *w)
{
	for (; *list; list++) {
		if (!strcmp(*list, w))
			return true;
	}
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_start(char c)
{
	return ut_sql_ident_start((unsigned char)c);
}

static bool is_ident(char c)
{
	return ut_sql_ident((unsigned char)c);
}

static bool is_space(char c)
{
	return ut_sql_space((unsigned char)c);
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

/* Remember the token just read, from @start: a word lowercased, else its first byte. */
static void saw(struct sql_lex *lx, size_t start)
{
	size_t n = lx->i - start, k;

	memcpy(lx->prev[1], lx->prev[0], sizeof(lx->prev[0]));
	if (n >= sizeof(lx->prev[0]))
		n = sizeof(lx->prev[0]) - 1;
	for (k = 0; k < n; k++) {
		char c = lx->s[start + k];

		lx->prev[0][k] = c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
	}
	lx->prev[0][n] = '\0';
}

/* The next byte that is not white space, from @i. */
static char next_visible(const struct sql_lex *lx, size_t i)
{
	while (i < lx->len && is_space(lx->s[i]))
		i++;
	return at(lx, i);
}

/*
 * A number that pg_stat_statements keeps as written: a type's modifier
 * (varchar(10), numeric(10, 2)) or a GROUP BY / ORDER BY ordinal (a bare
 * number as a list item), neither of which is a constant to PostgreSQL.
 */
static bool kept_number(const struct sql_lex *lx, size_t end)
{
	char nx;

	if (lx->typmod_depth >= 0 && lx->depth == lx->typmod_depth)
		return true;
	if (lx->by_depth != lx->depth ||
	    (strcmp(lx->prev[0], "by") && strcmp(lx->prev[0], ",")))
		return false;
	nx = next_visible(lx, end);
	return !nx || !strchr("+-*/%^<>=!|&~:.[", nx);
}

/*
 * A word read (keyword or identifier, from @start): what it starts or ends.
 * Whether it is a constant: true, false and NULL are (SELECT true, x =
 * NULL) except after IS or IS NOT (x IS NULL is a test, not a value).
 */
static bool word(struct sql_lex *lx, size_t start)
{
	bool is = !strcmp(lx->prev[0], "is") ||
		  (!strcmp(lx->prev[0], "not") && !strcmp(lx->prev[1], "is"));
	char before[16];
	const char *w = lx->prev[0];

	memcpy(before, lx->prev[0], sizeof(before));
	saw(lx, start);
	if (!strcmp(w, "by") && (!strcmp(before, "group") || !strcmp(before, "order")))
		lx->by_depth = lx->depth;
	else if (lx->by_depth == lx->depth && in_list(by_end_words, w))
		lx->by_depth = -1;
	lx->operand = in_list(operand_words, w);
	return !is && (!strcmp(w, "true") || !strcmp(w, "false") || !strcmp(w, "null"));
}

/* Punctuation @c read: parentheses open and close the states they bound. */
static void punct(struct sql_lex *lx, size_t start, char c)
{
	if (c == '(') {
		if (in_list(sql_typmod_types, lx->prev[0]))
			lx->typmod_depth = lx->depth + 1;
		lx->depth++;
	} else if (c == ')') {
		if (lx->typmod_depth == lx->depth)
			lx->typmod_depth = -1;
		if (lx->by_depth == lx->depth)
			lx->by_depth = -1;
		lx->depth--;
	} else if (c == ';') {
		lx->by_depth = -1;
	}
	saw(lx, start);
	/* after ')' or ']' a '-' is binary; after other punctuation, unary */
	lx->operand = c != ')' && c != ']';
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

	if (c == '-') {
		lx->i++;
		while (is_space(at(lx, lx->i)))
			lx->i++;	/* "- 3" is one constant to PostgreSQL too */
	}
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

/* At a unary '-': is a number next (white space may come between)? */
static bool negative(const struct sql_lex *lx)
{
	size_t i = lx->i + 1;

	while (is_space(at(lx, i)))
		i++;
	return is_digit(at(lx, i)) || (at(lx, i) == '.' && is_digit(at(lx, i + 1)));
}

/* One token at the read position. */
static void step(struct sql_lex *lx)
{
	size_t start = lx->i, tag;
	char c = lx->s[lx->i], n1 = at(lx, lx->i + 1);

	if (is_space(c)) {
		lx->i++;
		keep(lx, start);
		return;
	}
	if ((c == '-' && n1 == '-') || (c == '/' && n1 == '*')) {
		skip_comment(lx);
		keep(lx, start);
		return;
	}
	if (c == '\'') {
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
		   (c == '-' && lx->operand && negative(lx))) {
		skip_number(lx);
		if (c != '-' && kept_number(lx, lx->i)) {
			keep(lx, start);
			lx->operand = false;
		} else {
			param(lx);
		}
	} else if (is_ident_start(c)) {
		while (lx->i < lx->len && is_ident(lx->s[lx->i]))
			lx->i++;
		if (word(lx, start))
			param(lx);
		else
			keep(lx, start);
		return;
	} else {
		lx->i++;
		keep(lx, start);
		punct(lx, start, c);
		return;
	}
	saw(lx, start);		/* a literal, a parameter or a quoted name */
}

int sql_normalize(const char *sql, size_t len, char *out, size_t size)
{
	struct sql_lex lx = {
		.s = sql, .len = strnlen(sql, len), .out = out, .size = size, .operand = true,
		.typmod_depth = -1, .by_depth = -1,
	};

	if (!size)
		return -ENOSPC;
	lx.next = max_param(sql, lx.len) + 1;
	while (lx.i < lx.len && !lx.full)
		step(&lx);
	out[lx.n] = '\0';
	return lx.full ? -ENOSPC : (int)lx.n;
}

static bool is_op(char c)
{
	return ut_sql_op((unsigned char)c);
}

/* Copy a quoted run ('...', "...") at @i of @sql as it is; the index after it. */
static size_t copy_quoted(const char *sql, size_t len, size_t i, char *out, size_t *n)
{
	char q = sql[i];

	out[(*n)++] = sql[i++];
	while (i < len) {
		char c = sql[i++];

		out[(*n)++] = c;
		if (c == q) {
			if (i >= len || sql[i] != q)
				break;
			out[(*n)++] = sql[i++];
		}
	}
	return i;
}

/* At @i of canonical text @s: the end of the alias name after "as" there, or 0. */
static size_t alias_end(const char *s, size_t i)
{
	if (s[i] != 'a' || s[i + 1] != 's')
		return 0;
	if (s[i + 2] == ' ')
		i += 3;
	else if (s[i + 2] == '"')
		i += 2;
	else
		return 0;	/* not the word "as" (ASC), or no name after it */
	if (s[i] == '"') {
		for (i++; s[i] && s[i] != '"'; i++)
			;
		return s[i] ? i + 1 : 0;
	}
	if (!is_ident_start(s[i]))
		return 0;	/* "AS (" of a WITH, a cast's type inside parentheses */
	while (is_ident(s[i]))
		i++;
	return i;
}

/*
 * Aliases out of a canonical text: `SELECT 1 AS n` and `SELECT 1` are one
 * statement to PostgreSQL's query ids (names of columns and tables are not
 * in them). Only outside parentheses, where AS names an alias rather than
 * a cast's type.
 */
static size_t drop_aliases(char *s, size_t n)
{
	size_t i = 0, o = 0, end;
	int depth = 0;
	char q;

	while (i < n) {
		char c = s[i];

		if (c == '\'' || c == '"') {
			for (q = c, s[o++] = s[i++]; i < n && s[i] != q; )
				s[o++] = s[i++];
			if (i < n)
				s[o++] = s[i++];
			continue;
		}
		if (!depth && (!o || !is_ident(s[o - 1]) || s[o - 1] == ' ') &&
		    (end = alias_end(s, i))) {
			if (o && s[o - 1] == ' ')
				o--;
			i = end;
			continue;
		}
		depth += c == '(' ? 1 : c == ')' && depth ? -1 : 0;
		s[o++] = s[i++];
	}
	s[o] = '\0';
	return o;
}

int sql_canonical(const char *sql, size_t len, char *out, size_t size)
{
	struct sql_lex lx = { .s = sql, .len = strnlen(sql, len) };
	size_t n = 0;
	bool gap = false;
	char last = '\0';

	if (size < lx.len + 1)
		return -ENOSPC;
	while (lx.i < lx.len) {
		char c = sql[lx.i], n1 = at(&lx, lx.i + 1);

		if (is_space(c)) {
			lx.i++;
			gap = true;
			continue;
		}
		if ((c == '-' && n1 == '-') || (c == '/' && n1 == '*')) {
			skip_comment(&lx);
			gap = true;
			continue;
		}
		if (gap && ((is_ident(last) && is_ident(c)) || (is_op(last) && is_op(c))))
			out[n++] = ' ';
		gap = false;
		if (c == '\'' || c == '"') {
			lx.i = copy_quoted(sql, lx.len, lx.i, out, &n);
		} else {
			out[n++] = c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
			lx.i++;
		}
		last = out[n - 1];
	}
	out[n] = '\0';
	return (int)drop_aliases(out, n);
}

size_t sql_trim(const char *sql, size_t len, size_t *start)
{
	size_t b = 0, e = strnlen(sql, len);

	while (b < e && is_space(sql[b]))
		b++;
	while (e > b && (is_space(sql[e - 1]) || sql[e - 1] == ';'))
		e--;
	*start = b;
	return e - b;
}

bool sql_is_utility(const char *sql, size_t len)
{
	static const char *const planned[] = {
		"select", "insert", "update", "delete", "merge", "values", "table", "with", NULL,
	};
	struct sql_lex lx = { .s = sql, .len = strnlen(sql, len) };
	char w[8];
	size_t k = 0;

	while (lx.i < lx.len) {		/* past white space and comments */
		char c = sql[lx.i], n1 = at(&lx, lx.i + 1);

		if (is_space(c))
			lx.i++;
		else if ((c == '-' && n1 == '-') || (c == '/' && n1 == '*'))
			skip_comment(&lx);
		else
			break;
	}
	if (at(&lx, lx.i) == '(')
		return false;
	while (k + 1 < sizeof(w) && is_ident(at(&lx, lx.i + k))) {
		w[k] = (char)(at(&lx, lx.i + k) | 0x20);
		k++;
	}
	w[k] = '\0';
	return !k || is_ident(at(&lx, lx.i + k)) || !in_list(planned, w);
}
