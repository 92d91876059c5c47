// SPDX-License-Identifier: MIT
/*
 * perfmap.c - /tmp/perf-PID.map parsing and lookup (perfmap.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "perfmap.h"
#include "../util/vec.h"

static int cmp_start(const void *a, const void *b)
{
	const struct perfmap_entry *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* "START SIZE NAME" of one line (@n bytes at @p) into @e. */
static int parse_line(const char *p, size_t n, struct perfmap_entry *e)
{
	char buf[32], *end;
	const char *sp, *name;
	size_t k;

	sp = memchr(p, ' ', n);
	if (!sp || (size_t)(sp - p) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, p, (size_t)(sp - p));
	buf[sp - p] = '\0';
	e->start = strtoull(buf, &end, 16);
	if (*end || end == buf)
		return -EINVAL;
	name = memchr(sp + 1, ' ', n - (size_t)(sp + 1 - p));
	k = name ? (size_t)(name - sp - 1) : 0;
	if (!name || !k || k >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, sp + 1, k);
	buf[k] = '\0';
	e->size = strtoull(buf, &end, 16);
	if (*end || !e->size)
		return -EINVAL;
	name++;
	e->name = strndup(name, n - (size_t)(name - p));
	return e->name ? 0 : -ENOMEM;
}

int perfmap__parse(const char *text, size_t len, struct perfmap *out)
{
	const char *p = text, *nl, *end = text + len;
	struct perfmap_entry e;
	size_t cap = 0;
	int err;

	memset(out, 0, sizeof(*out));
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		err = parse_line(p, (size_t)(nl - p), &e);
		if (err == -ENOMEM)
			goto out_free;
		if (err)
			continue;
		err = VEC_RESERVE(out->entries, cap, out->nr + 1);
		if (err) {
			free(e.name);
			goto out_free;
		}
		out->entries[out->nr++] = e;
	}
	if (out->nr)
		qsort(out->entries, out->nr, sizeof(*out->entries), cmp_start);
	return 0;
out_free:
	perfmap__free(out);
	return err;
}

const char *perfmap__lookup(const struct perfmap *m, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = m->nr, mid;
	const struct perfmap_entry *e;

	while (lo < hi) {	/* the last entry starting at or below addr */
		mid = lo + (hi - lo) / 2;
		if (m->entries[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	e = &m->entries[lo - 1];
	if (addr - e->start >= e->size)
		return NULL;
	*off = addr - e->start;
	return e->name;
}

void perfmap__free(struct perfmap *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		free(m->entries[i].name);
	free(m->entries);
	memset(m, 0, sizeof(*m));
}

bool perfmap__trusted(const struct stat *st, uid_t proc_uid, const char **why)
{
	if (!S_ISREG(st->st_mode)) {
		*why = "not a regular file";
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != proc_uid) {
		*why = "owned by neither root nor the process's user";
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		*why = "writable by others than its owner";
		return false;
	}
	return true;
}
