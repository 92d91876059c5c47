/* SPDX-License-Identifier: MIT */
/*
 * json.h - the few JSON writing helpers the JSON Lines records need.
 *
 * Strings are escaped so the output is always valid JSON whatever bytes a
 * traced process or a hostile ELF file hands us: control characters become
 * \uXXXX, and bytes that are not valid UTF-8 become \u00XX (their Latin-1
 * reading), so the line stays printable and parseable.
 */
#ifndef USDTRACE_JSON_H
#define USDTRACE_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Write @s (NUL-terminated) as a quoted JSON string. */
void json_write_str(FILE *out, const char *s);
/* Write @len bytes of @s as a quoted JSON string. */
void json_write_strn(FILE *out, const char *s, size_t len);
/* @s as a JSON string, or null when @s is NULL. */
void json_write_str_or_null(FILE *out, const char *s);

/*
 * Length of the valid UTF-8 sequence at @s (at most @len bytes), 0 when
 * invalid: overlong forms, surrogates and code points past U+10FFFF are
 * invalid. Shared by the JSON and the text escaping.
 */
size_t utf8_valid_len(const unsigned char *s, size_t len);

#endif /* USDTRACE_JSON_H */
