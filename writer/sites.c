// SPDX-License-Identifier: MIT
/*
 * sites.c - text and JSON Lines output of probe sites (see sites.h).
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "sites.h"

static const char *reg_name(int machine, int reg)
{
	const char *name = sdt_reg_name(machine, reg);

	return name ? name : "?";
}

/* " + 0x10", " - 0x8", or "" for 0. */
static void format_disp(int64_t v, char *buf, size_t size)
{
	if (!v)
		buf[0] = '\0';
	else if (v < 0)
		snprintf(buf, size, " - %#" PRIx64, (uint64_t)0 - (uint64_t)v);
	else
		snprintf(buf, size, " + %#" PRIx64, (uint64_t)v);
}

void sdt_arg__describe(const struct sdt_arg *a, int machine, char *buf, size_t size)
{
	char type[8], disp[32], base[SDT_SYM_MAX + 48];

	snprintf(type, sizeof(type), "%c%d", a->is_signed ? 's' : 'u', a->size * 8);
	format_disp(a->value, disp, sizeof(disp));
	if (a->symbol_len)
		snprintf(base, sizeof(base), a->lo12 ? "lo12(&%.*s)" : "&%.*s", a->symbol_len,
			 a->symbol);
	else if (a->reg >= 0)
		snprintf(base, sizeof(base), "%s", reg_name(machine, a->reg));
	else
		base[0] = '\0';

	switch (a->kind) {
	case SDT_ARG_CONST:
		snprintf(buf, size, "%s %" PRId64, type, a->value);
		break;
	case SDT_ARG_REG:
		if (a->reg_shift)
			snprintf(buf, size, "%s %s>>%d", type, reg_name(machine, a->reg),
				 a->reg_shift);
		else
			snprintf(buf, size, "%s %s", type, reg_name(machine, a->reg));
		break;
	case SDT_ARG_SIB:
		if (a->symbol_len && a->reg >= 0)
			snprintf(base, sizeof(base), "&%.*s + %s", a->symbol_len, a->symbol,
				 reg_name(machine, a->reg));
		snprintf(buf, size, "%s *(%s%s%s*%d%s)", type, base, base[0] ? " + " : "",
			 reg_name(machine, a->index_reg), a->scale, disp);
		break;
	case SDT_ARG_MEM:
		if (a->symbol_len && a->reg >= 0)
			snprintf(base, sizeof(base), "%s + %s%.*s%s", reg_name(machine, a->reg),
				 a->lo12 ? "lo12(&" : "&", a->symbol_len, a->symbol,
				 a->lo12 ? ")" : "");
		/* fallthrough */
	case SDT_ARG_RIP:
	case SDT_ARG_ABS:
		if (base[0])
			snprintf(buf, size, "%s *(%s%s)", type, base, disp);
		else
			snprintf(buf, size, "%s *(%#" PRIx64 ")", type, (uint64_t)a->value);
		break;
	}
}

static void probe_label(const struct sdt_probe *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s", p->provider, p->name);
}

static int hex_width(uint64_t v)
{
	char buf[24];

	return snprintf(buf, sizeof(buf), "%#" PRIx64, v);
}

void sites__print_text(FILE *out, const struct site_ref *sites, size_t nr,
		       bool verbose)
{
	int wprobe = 5, wpath = 4, woff = 6, wsem = 9;
	char label[512], desc[256];
	size_t i;

	for (i = 0; i < nr; i++) {
		const struct sdt_probe *p = sites[i].probe;
		int n = snprintf(label, sizeof(label), "%s:%s", p->provider, p->name);
		int w = (int)strlen(sites[i].path);

		wprobe = n > wprobe ? n : wprobe;
		wpath = w > wpath ? w : wpath;
		w = hex_width(p->offset);
		woff = w > woff ? w : woff;
		w = p->sem_offset ? hex_width(p->sem_offset) : 1;
		wsem = w > wsem ? w : wsem;
	}
	if (!nr)
		return;
	fprintf(out, "%-*s  %-*s  %*s  %*s  %s\n", wprobe, "PROBE", wpath, "FILE",
		woff, "OFFSET", wsem, "SEMAPHORE", "ARGS");
	for (i = 0; i < nr; i++) {
		const struct sdt_probe *p = sites[i].probe;
		char sem[24] = "-";
		int a;

		probe_label(p, label, sizeof(label));
		if (p->sem_offset)
			snprintf(sem, sizeof(sem), "%#" PRIx64, p->sem_offset);
		fprintf(out, "%-*s  %-*s  %#*" PRIx64 "  %*s  %s\n", wprobe, label, wpath,
			sites[i].path, woff, p->offset, wsem, sem, p->args_text);
		if (!verbose)
			continue;
		for (a = 0; a < p->nr_args; a++) {
			sdt_arg__describe(&p->args[a], sites[i].file->machine, desc,
					  sizeof(desc));
			fprintf(out, "    arg%d: %s\n", a, desc);
		}
		if (p->nr_args < 0)
			fprintf(out, "    args: not decodable\n");
	}
}

static void print_arg_json(FILE *out, const struct sdt_arg *a, int machine,
			   const char *text, size_t len)
{
	const char *at = memchr(text, '@', len);

	if (at) {
		len -= (size_t)(at + 1 - text);
		text = at + 1;
	}
	fprintf(out, "{\"size\":%d,\"signed\":%s,\"kind\":\"%s\",\"text\":", a->size,
		a->is_signed ? "true" : "false", sdt_arg_kind_str(a->kind));
	json_write_strn(out, text, len);
	if (a->kind == SDT_ARG_CONST) {
		fprintf(out, ",\"value\":%" PRId64 "}", a->value);
		return;
	}
	if (a->reg >= 0) {
		fprintf(out, ",\"reg\":\"%s\"", reg_name(machine, a->reg));
		if (a->kind == SDT_ARG_REG)
			fprintf(out, ",\"reg_width\":%d,\"reg_shift\":%d", a->reg_width,
				a->reg_shift);
	}
	if (a->kind == SDT_ARG_SIB)
		fprintf(out, ",\"index\":\"%s\",\"scale\":%d",
			reg_name(machine, a->index_reg), a->scale);
	if (a->symbol_len) {
		fputs(",\"symbol\":", out);
		json_write_strn(out, a->symbol, a->symbol_len);
		if (a->lo12)
			fputs(",\"lo12\":true", out);
	}
	if (a->kind != SDT_ARG_REG)
		fprintf(out, ",\"disp\":%" PRId64, a->value);
	fputc('}', out);
}

static void print_site_json(FILE *out, const struct site_ref *s)
{
	const struct sdt_probe *p = s->probe;
	size_t pos = 0, start, len;
	int a = 0;

	fputs("{\"type\":\"site\",\"path\":", out);
	json_write_str(out, s->path);
	fputs(",\"provider\":", out);
	json_write_str(out, p->provider);
	fputs(",\"name\":", out);
	json_write_str(out, p->name);
	fprintf(out, ",\"location\":%" PRIu64 ",\"base\":%" PRIu64 ",\"semaphore\":%" PRIu64
		",\"offset\":%" PRIu64 ",\"semaphore_offset\":%" PRIu64 ",\"args\":",
		p->location, p->base, p->semaphore, p->offset, p->sem_offset);
	json_write_str(out, p->args_text);
	if (s->file->e_type == 1)	/* ET_REL: offsets in the section, nothing to attach */
		fputs(",\"relocatable\":true", out);
	if (p->nr_args < 0) {
		fputs(",\"arg_specs\":null}\n", out);
		return;
	}
	fputs(",\"arg_specs\":[", out);
	while (a < p->nr_args && sdt_arg_specs__next(p->args_text, &pos, &start, &len)) {
		if (a)
			fputc(',', out);
		print_arg_json(out, &p->args[a], s->file->machine, p->args_text + start, len);
		a++;
	}
	fputs("]}\n", out);
}

void sites__print_json(FILE *out, const struct site_ref *sites, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		print_site_json(out, &sites[i]);
}
