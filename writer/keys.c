// SPDX-License-Identifier: MIT
/*
 * keys.c - keyed rows as text, JSON and Prometheus samples (keys.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "keys.h"
#include "prom.h"
#include "text.h"

/* a quoted string part: every byte as \xNN at worst, and "..." */
#define CELL_MAX	(4 * UT_KEY_MAX + 16)

/* Part @k of @key as JSON or text; strings through the writers' escaping. */
static void write_part(FILE *out, const struct key_layout *l, const struct site_info *si,
		       const uint8_t *key, int k, bool json)
{
	struct key_val v;

	key_part__value(l, si, key, k, &v);
	switch (v.kind) {
	case KEY_VAL_NULL:
		fputs(json ? "null" : "<fault>", out);
		break;
	case KEY_VAL_UNSIGNED:
		fprintf(out, "%" PRIu64, v.num);
		break;
	case KEY_VAL_SIGNED:
		fprintf(out, "%" PRId64, (int64_t)v.num);
		break;
	case KEY_VAL_HEX:
		fprintf(out, json ? "\"%#" PRIx64 "\"" : "%#" PRIx64, v.num);
		break;
	case KEY_VAL_STR:
		if (json) {
			json_write_strn(out, v.str, v.len);
			break;
		}
		text_write_quoted(out, v.str, v.len);
		if (v.cut)
			fputs("...", out);
	}
}

const char *keys_label(const struct key_layout *l, const struct site_info *si,
		       const uint8_t *key, int k, char *buf, size_t size, char *name, size_t nsize)
{
	const char *pn = key_part__name(&l->parts[k], name, nsize);
	struct key_val v;

	if (pn != name)
		snprintf(name, nsize, "%s", pn);
	key_part__value(l, si, key, k, &v);
	switch (v.kind) {
	case KEY_VAL_NULL:
		snprintf(buf, size, "<fault>");
		break;
	case KEY_VAL_UNSIGNED:
		snprintf(buf, size, "%" PRIu64, v.num);
		break;
	case KEY_VAL_SIGNED:
		snprintf(buf, size, "%" PRId64, (int64_t)v.num);
		break;
	case KEY_VAL_HEX:
		snprintf(buf, size, "%#" PRIx64, v.num);
		break;
	case KEY_VAL_STR:	/* as it is: the exposition escapes it */
		snprintf(buf, size, "%.*s%s", (int)v.len, v.str, v.cut ? "..." : "");
	}
	return buf;
}

/* JSON: ,"truncated":["arg0",...] for the strings cut at the key's room. */
static void write_cuts(FILE *out, const struct key_layout *l, const uint8_t *key)
{
	struct ut_key_head h;
	char name[16];
	int k, n = 0;

	memcpy(&h, key, sizeof(h));
	for (k = 0; k < l->nr; k++) {
		if (!(h.cuts & (1u << k)))
			continue;
		fprintf(out, "%s\"%s\"", n++ ? "," : ",\"truncated\":[",
			key_part__name(&l->parts[k], name, sizeof(name)));
	}
	if (n)
		fputc(']', out);
}

void keys_write_fields(FILE *out, const struct key_layout *l, const struct site_info *si,
		       const uint8_t *key, bool json)
{
	char name[16];
	int k;

	if (!l)
		return;
	if (l->site) {
		if (json) {
			fputs(",\"object\":", out);
			json_write_str(out, si->object);
			fprintf(out, ",\"offset\":%" PRIu64, si->offset);
		} else {
			fprintf(out, " site=%s+%#" PRIx64, si->object, si->offset);
		}
	}
	for (k = 0; k < l->nr; k++) {
		fprintf(out, json ? ",\"%s\":" : " %s=",
			key_part__name(&l->parts[k], name, sizeof(name)));
		write_part(out, l, si, key, k, json);
	}
	if (json)
		write_cuts(out, l, key);
}

static size_t rows_shown(const struct keytab *t, long top)
{
	return top > 0 && (size_t)top < t->nr ? (size_t)top : t->nr;
}

static uint64_t value_of(const struct keytab_row *r, bool final)
{
	return final ? r->total : r->total - r->prev;
}

static void write_json(FILE *out, const struct keytab *t, const struct count_table_view *v)
{
	size_t i, n = rows_shown(t, v->top);

	for (i = 0; i < n; i++) {
		const struct keytab_row *r = keytab__at(t, i);

		fputs("{\"type\":\"count\",\"probe\":", out);
		json_write_str(out, r->si.label);
		keys_write_fields(out, t->l, &r->si, r->key, true);
		fprintf(out, ",\"count\":%" PRIu64, value_of(r, v->final));
		if (!v->final)
			fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, v->now_ns);
		fputs("}\n", out);
	}
	if (v->final && v->overflow)
		fprintf(out, "{\"type\":\"count\",\"overflow\":true,\"count\":%" PRIu64 "}\n",
			v->overflow);
}

/* Column @c of row @r as text into @buf: 0 the site, 1.. the key's parts. */
static void cell(const struct keytab *t, const struct keytab_row *r, int c, char *buf,
		 size_t size)
{
	FILE *f;

	if (c == 0) {
		snprintf(buf, size, "%s+%#" PRIx64, r->si.object, r->si.offset);
		return;
	}
	buf[0] = '\0';
	f = fmemopen(buf, size, "w");
	if (!f)
		return;
	write_part(f, t->l, &r->si, r->key, c - 1, false);
	fclose(f);
}

/*
 * After the table: the rows -n left out, and the probes that attached but
 * never fired (left out of the table, named here).
 */
static void write_text_tail(FILE *out, const struct keytab *t, const struct count_table_view *v,
			    size_t shown)
{
	size_t i, more = 0, silent = 0;

	for (i = shown; i < t->nr; i++)
		more += value_of(keytab__at(t, i), v->final) != 0;
	if (more)
		fprintf(out, "... %zu more (-n %ld)\n", more, v->top);
	if (!v->final)
		return;
	for (i = 0; i < t->nr; i++) {
		const struct keytab_row *r = keytab__at(t, i);

		if (r->total || (t->l && t->l->nr))
			continue;
		fprintf(out, "%s%s", silent++ ? ", " : "(no hit: ", r->si.label);
	}
	if (silent)
		fputs(")\n", out);
}

static void write_text(FILE *out, const struct keytab *t, const struct count_table_view *v)
{
	int nparts = t->l ? t->l->nr : 0, w[1 + UT_MAX_KEYS] = { 4 }, lw = 5, c, len;
	bool site = t->l && t->l->site;
	size_t i, n = rows_shown(t, v->top);
	char buf[CELL_MAX], name[16];

	while (n && !value_of(keytab__at(t, n - 1), v->final) && v->final)
		n--;	/* sorted by count: the probes without a hit are last */

	for (c = 0; c < nparts; c++)
		w[1 + c] = (int)strlen(key_part__name(&t->l->parts[c], name, sizeof(name)));
	for (i = 0; i < n; i++) {
		const struct keytab_row *r = keytab__at(t, i);

		len = (int)strlen(r->si.label);
		lw = len > lw ? len : lw;
		for (c = site ? 0 : 1; c <= nparts; c++) {
			cell(t, r, c, buf, sizeof(buf));
			len = (int)strlen(buf);
			w[c] = len > w[c] ? len : w[c];
		}
	}
	if (!v->final)
		fprintf(out, "%.3fs:\n", v->elapsed_s);
	fprintf(out, "%-*s", lw, "PROBE");
	if (site)
		fprintf(out, "  %-*s", w[0], "SITE");
	for (c = 0; c < nparts; c++)
		fprintf(out, "  %-*s", w[1 + c],
			key_part__name(&t->l->parts[c], name, sizeof(name)));
	fprintf(out, "  %12s\n", v->final ? "COUNT" : "INTERVAL");
	for (i = 0; i < n; i++) {
		const struct keytab_row *r = keytab__at(t, i);

		fprintf(out, "%-*s", lw, r->si.label);
		for (c = site ? 0 : 1; c <= nparts; c++) {
			cell(t, r, c, buf, sizeof(buf));
			fprintf(out, "  %-*s", w[c], buf);
		}
		fprintf(out, "  %12" PRIu64 "\n", value_of(r, v->final));
	}
	if (v->final && v->overflow)
		fprintf(out, "(keys past --max-keys)  %" PRIu64 "\n", v->overflow);
	write_text_tail(out, t, v, n);
}

void count_table__write(FILE *out, const struct keytab *t, const struct count_table_view *v)
{
	if (v->json)
		write_json(out, t, v);
	else
		write_text(out, t, v);
}

uint64_t count_table__prom(FILE *out, const struct keytab *t, uint32_t max_series,
			   uint64_t overflow)
{
	char vals[UT_MAX_KEYS][UT_KEY_MAX + 8], names[UT_MAX_KEYS][16];
	int nparts = t->l ? t->l->nr : 0, k;
	struct prom_label l[1 + UT_MAX_KEYS];
	uint64_t other = overflow, folded = 0;
	size_t i;

	prom_family(out, COUNT_HITS_METRIC, "counter",
		    "Hits of each probe (and --by key), counted in the kernel.");
	for (i = 0; i < t->nr; i++) {
		const struct keytab_row *r = keytab__at(t, i);

		if (i >= max_series) {
			other += r->total;
			folded++;
			continue;
		}
		l[0] = (struct prom_label){ "probe", r->si.label };
		for (k = 0; k < nparts; k++) {
			l[1 + k].value = keys_label(t->l, &r->si, r->key, k, vals[k],
						    sizeof(vals[k]), names[k], sizeof(names[k]));
			l[1 + k].name = names[k];
		}
		prom_sample(out, COUNT_HITS_METRIC, l, 1 + nparts, r->total);
	}
	if (other) {	/* past --max-keys in the kernel, or --max-series here */
		l[0] = (struct prom_label){ "probe", "other" };
		for (k = 0; k < nparts; k++) {
			l[1 + k].name = key_part__name(&t->l->parts[k], names[k], sizeof(names[k]));
			l[1 + k].value = "other";
		}
		prom_sample(out, COUNT_HITS_METRIC, l, 1 + nparts, other);
	}
	return folded;
}
