// SPDX-License-Identifier: MIT
/*
 * json.c - JSON string escaping (see json.h).
 */
#include <stdint.h>
#include <string.h>

#include "json.h"

size_t utf8_valid_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and code points past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* How many bytes from @s on need no escaping: printable ASCII, valid UTF-8. */
static size_t plain_run(const unsigned char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			i++;
		else if (s[i] >= 0x80 && (n = utf8_valid_len(s + i, len - i)) > 0)
			i += n;
		else
			break;
	}
	return i;
}

void json_write_strn(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	fputc('"', out);
	while (i < len) {
		unsigned char c = s[i];

		n = plain_run(s + i, len - i);
		if (n) {	/* one write a run, not a byte */
			fwrite(s + i, 1, n, out);
			i += n;
			continue;
		}
		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c == '\t') {
			fputs("\\t", out);
		} else if (c == '\r') {
			fputs("\\r", out);
		} else {	/* a control byte, or not UTF-8: its code, never raw */
			fprintf(out, "\\u%04x", c);
		}
		i++;
	}
	fputc('"', out);
}

void json_write_str(FILE *out, const char *s)
{
	json_write_strn(out, s, strlen(s));
}

void json_write_str_or_null(FILE *out, const char *s)
{
	if (s)
		json_write_str(out, s);
	else
		fputs("null", out);
}
