// SPDX-License-Identifier: MIT
/*
 * qmp.c - a QMP message's top-level keys (qmp.h).
 */
#include <errno.h>
#include <string.h>

#include "qmp.h"

struct cursor {
	const char *s;
	size_t n, i;
};

static void skip_ws(struct cursor *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\r' ||
			       c->s[c->i] == '\n'))
		c->i++;
}

/* A string at c->i (its opening quote), into @out (NUL-ended, cut at @size) if given. */
static void read_string(struct cursor *c, char *out, size_t size)
{
	size_t o = 0;

	c->i++;		/* the quote */
	while (c->i < c->n && c->s[c->i] != '"') {
		char ch = c->s[c->i];

		if (ch == '\\' && c->i + 1 < c->n) {
			c->i++;
			ch = c->s[c->i];	/* \" \\ \/ kept as the character; \uXXXX as 'u' */
		}
		if (out && o + 1 < size)
			out[o++] = ch;
		c->i++;
	}
	if (c->i < c->n)
		c->i++;	/* the closing quote */
	if (out && size)
		out[o] = '\0';
}

/* Past one value: a string, an object or array (nested), or a literal. */
static void skip_value(struct cursor *c)
{
	int depth = 0;

	skip_ws(c);
	while (c->i < c->n) {
		char ch = c->s[c->i];

		if (ch == '"') {
			read_string(c, NULL, 0);
			if (!depth)
				return;
			continue;
		}
		if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (!depth)
				return;		/* the enclosing object's end, not ours */
			if (!--depth) {
				c->i++;
				return;
			}
		} else if (!depth && (ch == ',' || ch == ' ' || ch == '\t' || ch == '\r' ||
				      ch == '\n')) {
			return;			/* a literal's end */
		}
		c->i++;
	}
}

/* One "key": value of the top object; false at its end (or the text's). */
static bool member(struct cursor *c, struct qmp_top *out)
{
	char key[QMP_NAME_MAX];

	skip_ws(c);
	if (c->i >= c->n || c->s[c->i] != '"')
		return false;
	read_string(c, key, sizeof(key));
	skip_ws(c);
	if (c->i >= c->n || c->s[c->i] != ':')
		return false;
	c->i++;
	skip_ws(c);
	if (c->i < c->n && c->s[c->i] == '"' && !strcmp(key, "execute"))
		read_string(c, out->execute, sizeof(out->execute));
	else if (c->i < c->n && c->s[c->i] == '"' && !strcmp(key, "id"))
		read_string(c, out->id, sizeof(out->id));
	else
		skip_value(c);
	out->has_return |= !strcmp(key, "return");
	out->has_error |= !strcmp(key, "error");
	skip_ws(c);
	if (c->i < c->n && c->s[c->i] == ',') {
		c->i++;
		return true;
	}
	return false;
}

int qmp_scan(const char *s, size_t n, struct qmp_top *out)
{
	struct cursor c = { s, n, 0 };

	memset(out, 0, sizeof(*out));
	skip_ws(&c);
	if (c.i >= c.n || s[c.i] != '{')
		return -EINVAL;
	c.i++;
	while (member(&c, out))
		;
	return 0;
}
