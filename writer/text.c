// SPDX-License-Identifier: MIT
/*
 * text.c - strings from traced processes written for a terminal (text.h).
 */
#include <stdio.h>

#include "json.h"
#include "text.h"

void text_write_escaped(FILE *out, const char *str, size_t len, bool quoted)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = s[i];

		if ((c == '"' && quoted) || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else if ((n = utf8_valid_len(s + i, len - i)) > 0) {
			fwrite(s + i, 1, n, out);
			i += n;
			continue;
		} else {
			fprintf(out, "\\x%02x", c);
		}
		i++;
	}
}

void text_write_quoted(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	text_write_escaped(out, s, len, true);
	fputc('"', out);
}
