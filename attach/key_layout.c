// SPDX-License-Identifier: MIT
/*
 * key_layout.c - the --by words made into the key layout BPF fills
 * (key_layout.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "key_layout.h"

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

bool key_layout__valid(const char *list)
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

size_t key_layout__repeated(const char *list, const char **word)
{
	const char *p, *q;
	size_t n;

	for (p = list; *p; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		for (q = list; q < p; q += strcspn(q, ",") + 1) {
			if (strcspn(q, ",") == n && !strncmp(q, p, n)) {
				*word = p;
				return n;
			}
		}
	}
	return 0;
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

int key_layout__make(const char *list, const struct probe_spec *probes, int nr_probes,
		     uint32_t str_len, struct key_layout *out, char *err, size_t size)
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

int key_layout__add_stack(struct key_layout *l)
{
	uint16_t off = (uint16_t)((l->key_size + 7) & ~7u);

	if (l->nr >= UT_MAX_KEYS || off + 16 > UT_KEY_MAX)
		return -E2BIG;
	l->parts[l->nr++] = (struct ut_key_part){ .kind = UT_KEY_USTACK, .off = off, .size = 16 };
	l->key_size = off + 16;
	return 0;
}

void key_layout__apply(const struct key_layout *l, uint32_t max_keys, struct attach_opts *ao)
{
	ao->keys = (struct attach_keys){ .parts = l->parts, .nr = l->nr, .size = l->key_size,
					 .max = max_keys };
}
