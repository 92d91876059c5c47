/* SPDX-License-Identifier: MIT */
/*
 * text.h - strings from traced processes are data, never terminal
 * control: text output escapes control bytes and invalid UTF-8 as \xNN
 * (valid UTF-8 is kept), backslashes and, quoted, '"'. Pure.
 */
#ifndef USDTRACE_WRITER_TEXT_H
#define USDTRACE_WRITER_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Write @len bytes escaped; @quoted: '"' escaped too. */
void text_write_escaped(FILE *out, const char *s, size_t len, bool quoted);
/* Write @len bytes quoted for a terminal: "..." with \" \\ \n \t \xNN. */
void text_write_quoted(FILE *out, const char *s, size_t len);

#endif /* USDTRACE_WRITER_TEXT_H */
