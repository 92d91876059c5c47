// SPDX-License-Identifier: MIT
/*
 * prom.c - Prometheus text exposition (prom.h).
 */
#include <inttypes.h>

#include "prom.h"

/* Bytes of the valid UTF-8 sequence at @s, 0 when it is not one. */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	/* overlong 3- and 4-byte forms, surrogates, past U+10FFFF */
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

void prom_write_label_value(FILE *out, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	int n;

	while (*s) {
		switch (*s) {
		case '\\':
			fputs("\\\\", out);
			s++;
			continue;
		case '"':
			fputs("\\\"", out);
			s++;
			continue;
		case '\n':
			fputs("\\n", out);
			s++;
			continue;
		}
		n = utf8_len(s);
		if (!n) {
			/* the format is UTF-8: a byte that is not, as U+FFFD */
			fputs("\xef\xbf\xbd", out);
			s++;
			continue;
		}
		fwrite(s, 1, (size_t)n, out);
		s += n;
	}
}

/* HELP text escapes only \ and newline. */
static void write_help(FILE *out, const char *help)
{
	for (; *help; help++) {
		if (*help == '\\')
			fputs("\\\\", out);
		else if (*help == '\n')
			fputs("\\n", out);
		else
			fputc(*help, out);
	}
}

void prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s ", name);
	write_help(out, help);
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

static void write_labels(FILE *out, const struct prom_label *labels, int nr)
{
	int i;

	if (!nr)
		return;
	fputc('{', out);
	for (i = 0; i < nr; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "", labels[i].name);
		prom_write_label_value(out, labels[i].value);
		fputc('"', out);
	}
	fputc('}', out);
}

void prom_sample(FILE *out, const char *name, const struct prom_label *labels, int nr,
		 uint64_t value)
{
	fputs(name, out);
	write_labels(out, labels, nr);
	fprintf(out, " %" PRIu64 "\n", value);
}

void prom_sample_i(FILE *out, const char *name, const struct prom_label *labels, int nr,
		   int64_t value)
{
	fputs(name, out);
	write_labels(out, labels, nr);
	fprintf(out, " %" PRId64 "\n", value);
}

void prom_sample_f(FILE *out, const char *name, const struct prom_label *labels, int nr,
		   double value)
{
	fputs(name, out);
	write_labels(out, labels, nr);
	fprintf(out, " %.9g\n", value);
}
