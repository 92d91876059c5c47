/* SPDX-License-Identifier: MIT */
/*
 * normalize.h - SQL text with its literals replaced by $n, so that
 * `SELECT 1 + 1` and `SELECT 2 + 1` are one query (`SELECT $1 + $2`), as
 * pg_stat_statements shows them. A small lexer, not a parser: numbers
 * (integer, decimal, exponent, hex/octal/binary, a unary minus where an
 * operand is expected), quoted strings ('...' with '' inside, E'...' with
 * backslash escapes, B'', X'', N''), dollar-quoted strings ($$..$$,
 * $tag$..$tag$). Identifiers (quoted or not), comments, $1 parameters and
 * whitespace are kept as sent (sql_canonical() says which texts are one); numbering starts after the highest $n the
 * text already has. A text cut short (a literal still open at its end)
 * ends with that literal's $n.
 * Pure code: no I/O; unit-tested and fuzzed.
 */
#ifndef USDTRACE_SQL_NORMALIZE_H
#define USDTRACE_SQL_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Normalize @len bytes of @sql (up to a NUL) into @out (@size bytes, NUL-terminated).
 * Returns the length written, or -ENOSPC when @out is too small (then it
 * holds a cut prefix). 3 * len + 16 bytes always suffice.
 */
int sql_normalize(const char *sql, size_t len, char *out, size_t size);

/* Types whose parenthesized numbers are modifiers (varchar(10)), not constants; NULL-ended. */
extern const char *const sql_typmod_types[];

/*
 * The key under which pg_stat_statements' rows merge texts that differ only
 * in white space, comments and the case of keywords and unquoted names:
 * @len bytes of @sql with comments dropped, one space where white space
 * kept two words (or two operators) apart and none elsewhere, letters
 * lowercased outside quotes, aliases (AS name) outside parentheses out. Into @out (@size bytes, NUL-terminated): the
 * length, or -ENOSPC; len + 1 bytes always suffice.
 */
int sql_canonical(const char *sql, size_t len, char *out, size_t size);

/*
 * One statement as pg_stat_statements cuts it: @sql without the white space
 * around it and a trailing ';'. Its length; *@start is where it begins.
 */
size_t sql_trim(const char *sql, size_t len, size_t *start);

/*
 * Does @sql begin with a utility statement (not SELECT, INSERT, UPDATE,
 * DELETE, MERGE, VALUES, TABLE, WITH or a parenthesized query)?
 * pg_stat_statements keeps those as sent.
 */
bool sql_is_utility(const char *sql, size_t len);

#endif /* USDTRACE_SQL_NORMALIZE_H */
