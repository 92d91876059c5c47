/* SPDX-License-Identifier: MIT */
/*
 * normalize.h - SQL text with its literals replaced by $n, so that
 * `SELECT 1 + 1` and `SELECT 2 + 1` are one query (`SELECT $1 + $2`), as
 * pg_stat_statements shows them. A small lexer, not a parser: numbers
 * (integer, decimal, exponent, hex/octal/binary, a unary minus where an
 * operand is expected), quoted strings ('...' with '' inside, E'...' with
 * backslash escapes, B'', X'', N''), dollar-quoted strings ($$..$$,
 * $tag$..$tag$). Identifiers (quoted or not), comments, $1 parameters and
 * whitespace are kept as sent; numbering starts after the highest $n the
 * text already has. A text cut short (a literal still open at its end)
 * ends with that literal's $n.
 * Pure code: no I/O; unit-tested and fuzzed.
 */
#ifndef USDTRACE_SQL_NORMALIZE_H
#define USDTRACE_SQL_NORMALIZE_H

#include <stddef.h>

/*
 * Normalize @len bytes of @sql (up to a NUL) into @out (@size bytes, NUL-terminated).
 * Returns the length written, or -ENOSPC when @out is too small (then it
 * holds a cut prefix). 3 * len + 16 bytes always suffice.
 */
int sql_normalize(const char *sql, size_t len, char *out, size_t size);

#endif /* USDTRACE_SQL_NORMALIZE_H */
