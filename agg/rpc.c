// SPDX-License-Identifier: MIT
/*
 * rpc.c - RPC calls paired with their replies, per procedure (rpc.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "rpc.h"

#define OPEN_MAX	(1u << 20)	/* calls waiting at once, at most */

struct rpc_open {
	bool used;
	enum rpc_end end;
	uint32_t pid, prog, proc, serial;
	uint64_t obj, ts;
};

static uint64_t open_hash(const struct rpc_msg *m)
{
	uint64_t h = m->obj * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)m->pid << 32 | m->serial) * 0xc2b2ae3d27d4eb4full;
	h ^= ((uint64_t)m->prog << 1 | m->end) * 0x165667b19e3779f9ull;
	return h ^ (h >> 29);
}

static bool open_is(const struct rpc_open *o, const struct rpc_msg *m)
{
	return o->used && o->end == m->end && o->pid == m->pid && o->obj == m->obj &&
	       o->prog == m->prog && o->serial == m->serial;
}

/* The slot of @m's call: its own, or the free one where it goes. */
static size_t open_slot(const struct rpc_table *t, const struct rpc_msg *m)
{
	size_t mask = t->cap_open - 1, i = (size_t)open_hash(m) & mask;

	while (t->open[i].used && !open_is(&t->open[i], m))
		i = (i + 1) & mask;
	return i;
}

static int open_grow(struct rpc_table *t)
{
	size_t cap = t->cap_open ? 2 * t->cap_open : 256, i, j, old = t->cap_open;
	struct rpc_open *was = t->open;

	t->open = calloc(cap, sizeof(*t->open));
	if (!t->open) {
		t->open = was;
		return -ENOMEM;
	}
	t->cap_open = cap;
	for (i = 0; i < old; i++) {
		struct rpc_msg m;

		if (!was[i].used)
			continue;
		m = (struct rpc_msg){ .end = was[i].end, .pid = was[i].pid, .obj = was[i].obj,
				      .prog = was[i].prog, .serial = was[i].serial };
		j = open_slot(t, &m);
		t->open[j] = was[i];
	}
	free(was);
	return 0;
}

/* Remove slot @i, moving the entries of its run that belong before it. */
static void open_remove(struct rpc_table *t, size_t i)
{
	size_t mask = t->cap_open - 1, j = i, k;

	t->open[i].used = false;
	t->nr_open--;
	for (;;) {
		struct rpc_msg m;

		j = (j + 1) & mask;
		if (!t->open[j].used)
			return;
		m = (struct rpc_msg){ .end = t->open[j].end, .pid = t->open[j].pid,
				      .obj = t->open[j].obj, .prog = t->open[j].prog,
				      .serial = t->open[j].serial };
		k = (size_t)open_hash(&m) & mask;
		/* j stays when its home k lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->open[i] = t->open[j];
		t->open[j].used = false;
		i = j;
	}
}

static struct rpc_row *row_of(struct rpc_table *t, enum rpc_end end, uint32_t prog,
			      uint32_t proc)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		if (t->rows[i].end == end && t->rows[i].prog == prog && t->rows[i].proc == proc)
			return &t->rows[i];
	}
	if (VEC_RESERVE(t->rows, t->cap, t->nr + 1))
		return NULL;
	memset(&t->rows[t->nr], 0, sizeof(t->rows[t->nr]));
	t->rows[t->nr].end = end;
	t->rows[t->nr].prog = prog;
	t->rows[t->nr].proc = proc;
	return &t->rows[t->nr++];
}

static int pair(struct rpc_table *t, const struct rpc_open *o, const struct rpc_msg *reply)
{
	struct rpc_row *r = row_of(t, o->end, o->prog, o->proc);
	uint64_t ns = reply->ts > o->ts ? reply->ts - o->ts : 0;

	if (!r)
		return -ENOMEM;
	if (!r->calls || ns < r->min_ns)
		r->min_ns = ns;
	if (ns > r->max_ns)
		r->max_ns = ns;
	r->calls++;
	r->errors += reply->error;
	r->sum_ns += ns;
	hist_add(&r->h, ut_lat_bucket(ns), 1);
	return 0;
}

int rpc_table__msg(struct rpc_table *t, const struct rpc_msg *m)
{
	struct rpc_open o;
	size_t i;

	if (!m->reply && 2 * (t->nr_open + 1) > t->cap_open) {
		if (t->cap_open >= OPEN_MAX) {
			t->unanswered++;	/* the table full: this call is not timed */
			return 0;
		}
		if (open_grow(t))
			return -ENOMEM;
	}
	if (!t->cap_open) {
		t->orphans += m->reply;
		return 0;
	}
	i = open_slot(t, m);
	if (m->reply) {
		if (!t->open[i].used) {
			t->orphans++;
			return 0;
		}
		o = t->open[i];
		open_remove(t, i);
		return pair(t, &o, m);
	}
	if (t->open[i].used)
		t->unanswered++;	/* the serial again: the first never had its reply */
	else
		t->nr_open++;
	t->open[i] = (struct rpc_open){ .used = true, .end = m->end, .pid = m->pid, .obj = m->obj,
					.prog = m->prog, .proc = m->proc, .serial = m->serial,
					.ts = m->ts };
	return 0;
}

size_t rpc_table__waiting(const struct rpc_table *t)
{
	return t->nr_open;
}

static int by_total(const void *a, const void *b)
{
	const struct rpc_row *x = *(const struct rpc_row *const *)a;
	const struct rpc_row *y = *(const struct rpc_row *const *)b;

	if (x->sum_ns != y->sum_ns)
		return x->sum_ns < y->sum_ns ? 1 : -1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->prog != y->prog)
		return x->prog < y->prog ? -1 : 1;
	return x->proc < y->proc ? -1 : x->proc > y->proc;
}

struct rpc_row **rpc_table__sorted(const struct rpc_table *t)
{
	struct rpc_row **v = calloc(t->nr ? t->nr : 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < t->nr; i++)
		v[i] = &t->rows[i];
	qsort(v, t->nr, sizeof(*v), by_total);
	return v;
}

void rpc_table__free(struct rpc_table *t)
{
	free(t->rows);
	free(t->open);
	memset(t, 0, sizeof(*t));
}
