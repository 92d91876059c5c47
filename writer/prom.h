/* SPDX-License-Identifier: MIT */
/*
 * prom.h - the Prometheus text exposition format (version 0.0.4): metric
 * families with their # HELP and # TYPE lines, samples with labels. Label
 * values are escaped as the format requires (\\ \" \n), so a string a
 * traced process chose, used as a key, cannot forge a series. Writes to
 * the FILE * it is given; pure formatting.
 */
#ifndef USDTRACE_PROM_H
#define USDTRACE_PROM_H

#include <stdint.h>
#include <stdio.h>

#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct prom_label {
	const char *name;	/* [a-zA-Z_][a-zA-Z0-9_]* */
	const char *value;	/* any bytes, escaped here */
};

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram). */
void prom_family(FILE *out, const char *name, const char *type, const char *help);
/* name{labels} value, an integer. */
void prom_sample(FILE *out, const char *name, const struct prom_label *labels, int nr,
		 uint64_t value);
/* ... a signed integer. */
void prom_sample_i(FILE *out, const char *name, const struct prom_label *labels, int nr,
		   int64_t value);
/* ... a float ("+Inf" for le is a label, not a value). */
void prom_sample_f(FILE *out, const char *name, const struct prom_label *labels, int nr,
		   double value);
/* A label value as the format escapes it, without the quotes. */
void prom_write_label_value(FILE *out, const char *v);

#endif /* USDTRACE_PROM_H */
