// SPDX-License-Identifier: MIT
/*
 * calls.c - calls' method rows as text or JSON (calls.h).
 */
#include <inttypes.h>
#include <string.h>

#include "calls.h"
#include "json.h"

static void write_json(FILE *out, const struct method_row *r, const struct calls_view *v)
{
	fprintf(out, "{\"type\":\"calls\",\"lang\":\"%s\",\"method\":", v->lang);
	json_write_str(out, r->name);
	fprintf(out, ",\"count\":%" PRIu64 ",\"total_ns\":%" PRIu64, r->count, r->total_ns);
	if (v->self)
		fprintf(out, ",\"self_ns\":%" PRIu64, r->self_ns);
	fprintf(out, ",\"untimed\":%" PRIu64, r->untimed);
	if (!v->final)
		fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, v->now_ns);
	fputs("}\n", out);
}

static void write_text(FILE *out, const struct method_row *r, const struct calls_view *v,
		       int w)
{
	fprintf(out, "%-*s %10" PRIu64, w, r->name, r->count);
	if (r->untimed == r->count) {
		/* no call of it was timed: no time to show, not 0 */
		fprintf(out, " %14s", "-");
		if (v->self)
			fprintf(out, " %14s", "-");
		fputc('\n', out);
		return;
	}
	fprintf(out, " %14.3f", (double)r->total_ns / 1e6);
	if (v->self)
		fprintf(out, " %14.3f", (double)r->self_ns / 1e6);
	fputc('\n', out);
}

void method_rows__write(FILE *out, const struct method_table *t, const struct calls_view *v)
{
	size_t i, n = v->top > 0 && (size_t)v->top < t->nr ? (size_t)v->top : t->nr;
	int w = 6, len;

	for (i = 0; i < n; i++) {
		len = (int)strlen(t->rows[i].name);
		w = len > w ? len : w;
	}
	if (!v->json) {
		if (!v->final)
			fprintf(out, "%.3fs:\n", v->elapsed_s);
		fprintf(out, "%-*s %10s %14s%s\n", w, "METHOD", "CALLS", "TOTAL_MS",
			v->self ? "        SELF_MS" : "");
	}
	for (i = 0; i < n; i++) {
		if (v->json)
			write_json(out, &t->rows[i], v);
		else
			write_text(out, &t->rows[i], v, w);
	}
}
