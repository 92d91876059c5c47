// SPDX-License-Identifier: MIT
/*
 * count_keys.c - count --by keys: layout, rows, output (count_keys.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../writer/events.h"
#include "../writer/json.h"
#include "count_keys.h"
#include "key_index.h"

static int key_word(const char *w, size_t n, enum ut_key_kind *kind, int *arg, bool *site)
{
	char buf[16], *end;
	long v;

	*site = false;
	snprintf(buf, sizeof(buf), "%.*s", (int)(n < sizeof(buf) ? n : sizeof(buf) - 1), w);
	if (n >= sizeof(buf))
		return -EINVAL;
	if (!strcmp(buf, "probe")) {
		*kind = 0;
	} else if (!strcmp(buf, "site")) {
		*kind = 0;
		*site = true;
	} else if (!strcmp(buf, "pid")) {
		*kind = UT_KEY_PID;
	} else if (!strcmp(buf, "tid")) {
		*kind = UT_KEY_TID;
	} else if (!strcmp(buf, "comm")) {
		*kind = UT_KEY_COMM;
	} else if (!strncmp(buf, "arg", 3) && buf[3]) {
		v = strtol(buf + 3, &end, 10);
		if (*end || v < 0 || v >= UT_MAX_ARGS || (buf[3] == '0' && buf[4]))
			return -EINVAL;
		*kind = UT_KEY_ARG;
		*arg = (int)v;
	} else {
		return -EINVAL;
	}
	return 0;
}

bool count_layout__valid(const char *list)
{
	enum ut_key_kind kind;
	const char *p = list;
	bool site;
	int arg;
	size_t n;

	do {
		n = strcspn(p, ",");
		if (!n || key_word(p, n, &kind, &arg, &site))
			return false;
		p += n;
	} while (*p++ == ',');
	return true;
}

/* Is argument @a a string (FMT s or S) in the probes, consistently? */
static int arg_is_string(const struct probe_spec *probes, int nr, int a, char *err,
			 size_t size)
{
	int i, str = -1, s;

	for (i = 0; i < nr; i++) {
		s = a < probes[i].nr_fmt && (probes[i].fmt[a] == 's' || probes[i].fmt[a] == 'S');
		if (str >= 0 && s != str) {
			snprintf(err, size, "--by arg%d: a string in one probe, a number in "
				 "another (FMT)", a);
			return -EINVAL;
		}
		str = s;
	}
	return str > 0;
}

int count_layout__make(const char *list, const struct probe_spec *probes, int nr_probes,
		       uint32_t str_len, struct count_layout *out, char *err, size_t size)
{
	uint16_t off = UT_KEY_HEAD, fixed = UT_KEY_HEAD, nstr = 0, str_size;
	const char *p = list;
	enum ut_key_kind kind;
	bool site;
	int arg = 0, k, s;
	size_t n;

	memset(out, 0, sizeof(*out));
	do {
		n = strcspn(p, ",");
		key_word(p, n, &kind, &arg, &site);
		out->site |= site;
		if (kind && out->nr == UT_MAX_KEYS) {
			snprintf(err, size, "--by: at most %d keys besides probe and site",
				 UT_MAX_KEYS);
			return -EINVAL;
		}
		if (kind == UT_KEY_ARG) {
			s = arg_is_string(probes, nr_probes, arg, err, size);
			if (s < 0)
				return s;
			kind = s ? UT_KEY_ARG_STR : UT_KEY_ARG;
		}
		if (kind) {
			out->parts[out->nr].kind = (__u8)kind;
			out->parts[out->nr++].arg = (__u8)arg;
		}
		p += n;
	} while (*p++ == ',');
	for (k = 0; k < out->nr; k++) {
		struct ut_key_part *pt = &out->parts[k];

		pt->size = pt->kind == UT_KEY_COMM ? UT_COMM_LEN : pt->kind == UT_KEY_ARG ? 8 :
			   pt->kind == UT_KEY_ARG_STR ? 0 : 4;
		fixed += pt->size + 8;	/* room for alignment */
		nstr += pt->kind == UT_KEY_ARG_STR;
	}
	str_size = nstr ? (uint16_t)((UT_KEY_MAX - fixed) / nstr) : 0;
	if (str_size > str_len)
		str_size = (uint16_t)str_len;
	/* fixed-size parts first, 8-aligned numbers, strings last */
	for (k = 0; k < out->nr; k++) {
		struct ut_key_part *pt = &out->parts[k];

		if (pt->kind == UT_KEY_ARG_STR)
			continue;
		if (pt->kind == UT_KEY_ARG)
			off = (uint16_t)((off + 7) & ~7);
		pt->off = off;
		off += pt->size;
	}
	for (k = 0; k < out->nr; k++) {
		if (out->parts[k].kind != UT_KEY_ARG_STR)
			continue;
		out->parts[k].off = off;
		out->parts[k].size = str_size;
		off += str_size;
	}
	out->key_size = (uint16_t)((off + 7) & ~7);
	return 0;
}

int count_layout__apply(const struct cli_layout_req *req, struct count_layout *l,
			struct attach_opts *ao, char *err, size_t size)
{
	int ret = count_layout__make(req->list, req->probes, req->nr_probes, req->str_len, l,
				     err, size);

	if (ret)
		return ret;
	ao->keys = l->parts;
	ao->nr_keys = l->nr;
	ao->key_size = l->key_size;
	ao->max_keys = req->max_keys;
	return 0;
}

static void row_at(const void *rows, size_t i, const struct site_info **si,
		   const uint8_t **key)
{
	const struct key_row *r = (const struct key_row *)rows + i;

	*si = &r->si;
	*key = r->key;
}

int key_table__add(struct key_table *t, struct attach_session *s, const uint8_t *key,
		   uint64_t count)
{
	uint32_t site;
	const struct site_info *si;
	struct key_row *r;
	size_t slot;
	long row;

	memcpy(&site, key, sizeof(site));
	si = attach_session__site(s, site);
	if (!si || si->probe_idx < 0)
		return 0;
	t->index.l = t->l;
	row = key_index__find(&t->index, t->rows, t->nr, row_at, si, key, &slot);
	if (row == -2)
		return -ENOMEM;
	if (row >= 0) {
		t->rows[row].total += count;
		return 0;
	}
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;

		r = realloc(t->rows, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		t->rows = r;
		t->cap = cap;
	}
	r = &t->rows[t->nr++];
	memset(r, 0, sizeof(*r));
	r->si = *si;
	memcpy(r->key, key, t->l->key_size);
	r->total = count;
	key_index__set(&t->index, slot, t->nr - 1);
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct key_row *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return memcmp(x->key + 4, y->key + 4, UT_KEY_MAX - 4);
}

void key_table__sort(struct key_table *t)
{
	if (t->nr > 1)
		qsort(t->rows, t->nr, sizeof(*t->rows), cmp_rows);
	key_index__stale(&t->index);
}

void key_table__reset(struct key_table *t)
{
	t->nr = 0;
	key_index__stale(&t->index);
}

static const char *part_name(const struct ut_key_part *pt, char *buf, size_t size)
{
	switch (pt->kind) {
	case UT_KEY_PID:
		return "pid";
	case UT_KEY_TID:
		return "tid";
	case UT_KEY_COMM:
		return "comm";
	case UT_KEY_USTACK:
		return "stack";
	default:
		snprintf(buf, size, "arg%d", pt->arg);
		return buf;
	}
}

/* Part @k of row @r as JSON or text; strings through the writers' escaping. */
static void put_part(FILE *out, const struct key_table *t, const struct key_row *r, int k,
		     bool json)
{
	const struct ut_key_part *pt = &t->l->parts[k];
	const uint8_t *v = r->key + pt->off;
	uint64_t n64;
	uint32_t n32;
	size_t len;
	char f;

	if (r->key[4] & (1u << k)) {
		fputs(json ? "null" : "<fault>", out);
		return;
	}
	switch (pt->kind) {
	case UT_KEY_PID:
	case UT_KEY_TID:
		memcpy(&n32, v, sizeof(n32));
		fprintf(out, "%u", n32);
		return;
	case UT_KEY_ARG:
		memcpy(&n64, v, sizeof(n64));
		f = pt->arg < r->si.nr_args ? r->si.fmt[pt->arg] : 'u';
		if (f == 'x')
			fprintf(out, json ? "\"%#" PRIx64 "\"" : "%#" PRIx64, n64);
		else if (f == 'd')
			fprintf(out, "%" PRId64, (int64_t)n64);
		else
			fprintf(out, "%" PRIu64, n64);
		return;
	default:	/* comm, strings */
		len = strnlen((const char *)v, pt->size);
		if (json) {
			json_write_strn(out, (const char *)v, len);
		} else {
			text_write_quoted(out, (const char *)v, len);
			if (r->key[4] & (0x10u << k))
				fputs("...", out);
		}
	}
}

const char *key_table__label(const struct key_table *t, const struct key_row *r, int k,
			     char *buf, size_t size, char *name, size_t nsize)
{
	return count_key__label(t->l, &r->si, r->key, k, buf, size, name, nsize);
}

const char *count_key__label(const struct count_layout *l, const struct site_info *si,
			     const uint8_t *key, int k, char *buf, size_t size, char *name,
			     size_t nsize)
{
	const struct ut_key_part *pt = &l->parts[k];
	const uint8_t *v = key + pt->off;
	const char *pn = part_name(pt, name, nsize);
	uint64_t n64;
	uint32_t n32;
	char f;

	if (pn != name)
		snprintf(name, nsize, "%s", pn);
	if (key[4] & (1u << k)) {
		snprintf(buf, size, "<fault>");
		return buf;
	}
	switch (pt->kind) {
	case UT_KEY_PID:
	case UT_KEY_TID:
	case UT_KEY_USTACK:
		memcpy(&n32, v, sizeof(n32));
		snprintf(buf, size, "%u", n32);
		break;
	case UT_KEY_ARG:
		memcpy(&n64, v, sizeof(n64));
		f = pt->arg < si->nr_args ? si->fmt[pt->arg] : 'u';
		if (f == 'x')
			snprintf(buf, size, "%#" PRIx64, n64);
		else if (f == 'd')
			snprintf(buf, size, "%" PRId64, (int64_t)n64);
		else
			snprintf(buf, size, "%" PRIu64, n64);
		break;
	default:	/* comm, strings: as they are (the exposition escapes them) */
		snprintf(buf, size, "%.*s%s", (int)strnlen((const char *)v, pt->size),
			 (const char *)v, key[4] & (0x10u << k) ? "..." : "");
	}
	return buf;
}

/* JSON: ,"truncated":["arg0",...] for the strings cut at the key's room. */
static void put_cuts(FILE *out, const struct key_table *t, const struct key_row *r)
{
	char name[16];
	int k, n = 0;

	for (k = 0; k < t->l->nr; k++) {
		if (!(r->key[4] & (0x10u << k)))
			continue;
		fprintf(out, "%s\"%s\"", n++ ? "," : ",\"truncated\":[",
			part_name(&t->l->parts[k], name, sizeof(name)));
	}
	if (n)
		fputc(']', out);
}

void count_key__fields(FILE *out, const struct count_layout *l, const struct site_info *si,
		       const uint8_t *key, bool json)
{
	struct key_table t = { .l = l };
	struct key_row r = { .si = *si };
	char name[16];
	int k;

	memcpy(r.key, key, l->key_size);
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
			part_name(&l->parts[k], name, sizeof(name)));
		put_part(out, &t, &r, k, json);
	}
	if (json)
		put_cuts(out, &t, &r);
}

static void print_json(const struct key_table *t, FILE *out, bool final, uint64_t now,
		       size_t n, uint64_t overflow)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct key_row *r = &t->rows[i];

		fputs("{\"type\":\"count\",\"probe\":", out);
		json_write_str(out, r->si.label);
		count_key__fields(out, t->l, &r->si, r->key, true);
		fprintf(out, ",\"count\":%" PRIu64, final ? r->total : r->total - r->prev);
		if (!final)
			fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, now);
		fputs("}\n", out);
	}
	if (final && overflow)
		fprintf(out, "{\"type\":\"count\",\"overflow\":true,\"count\":%" PRIu64 "}\n",
			overflow);
}

static void print_text(const struct key_table *t, FILE *out, bool final, size_t n,
		       uint64_t overflow)
{
	char name[16];
	size_t i;
	int k, w = 5;

	for (i = 0; i < n; i++) {
		int len = (int)strlen(t->rows[i].si.label);

		w = len > w ? len : w;
	}
	fprintf(out, "%-*s", w, "PROBE");
	if (t->l->site)
		fputs("  SITE", out);
	for (k = 0; k < t->l->nr; k++)
		fprintf(out, "  %s", part_name(&t->l->parts[k], name, sizeof(name)));
	fprintf(out, "  %s\n", final ? "COUNT" : "INTERVAL");
	for (i = 0; i < n; i++) {
		const struct key_row *r = &t->rows[i];

		fprintf(out, "%-*s", w, r->si.label);
		if (t->l->site)
			fprintf(out, "  %s+%#" PRIx64, r->si.object, r->si.offset);
		for (k = 0; k < t->l->nr; k++) {
			fputs("  ", out);
			put_part(out, t, r, k, false);
		}
		fprintf(out, "  %" PRIu64 "\n", final ? r->total : r->total - r->prev);
	}
	if (final && overflow)
		fprintf(out, "(keys past --max-keys)  %" PRIu64 "\n", overflow);
}

void key_table__print(const struct key_table *t, FILE *out, bool json, bool final,
		      uint64_t now, long top, uint64_t overflow)
{
	size_t n = top > 0 && (size_t)top < t->nr ? (size_t)top : t->nr;

	if (json)
		print_json(t, out, final, now, n, overflow);
	else
		print_text(t, out, final, n, overflow);
}

void key_table__free(struct key_table *t)
{
	free(t->rows);
	key_index__free(&t->index);
	t->rows = NULL;
	t->nr = t->cap = 0;
}
