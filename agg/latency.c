// SPDX-License-Identifier: MIT
/*
 * latency.c - latency's series and user-space pairing (latency.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "latency.h"

struct lat_series *lat_table__series(struct lat_table *t, uint64_t key)
{
	struct lat_series *sr;
	size_t i;

	for (i = 0; i < t->nr; i++) {
		if (t->series[i].key == key)
			return &t->series[i];
	}
	if (VEC_RESERVE(t->series, t->cap, t->nr + 1))
		return NULL;
	sr = &t->series[t->nr++];
	memset(sr, 0, sizeof(*sr));
	sr->key = key;
	return sr;
}

void lat_series__add(struct lat_series *sr, uint64_t dur)
{
	hist_add(&sr->h, ut_lat_bucket(dur), 1);
	if (!sr->st.count || dur < sr->st.min_ns)
		sr->st.min_ns = dur;
	if (dur > sr->st.max_ns)
		sr->st.max_ns = dur;
	sr->st.count++;
	sr->st.sum_ns += dur;
}

static int cmp_series(const void *a, const void *b)
{
	const struct lat_series *x = a, *y = b;
	int c = strcmp(x->text, y->text);	/* "" unless string keys */

	if (c)
		return c;
	return x->key < y->key ? -1 : x->key > y->key;
}

void lat_table__sort(struct lat_table *t)
{
	if (t->nr > 1)
		qsort(t->series, t->nr, sizeof(*t->series), cmp_series);
}

uint64_t lat_table__count(const struct lat_table *t)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < t->nr; i++)
		n += t->series[i].h.total;
	return n;
}

void lat_table__reset(struct lat_table *t)
{
	t->nr = 0;
}

void lat_table__free(struct lat_table *t)
{
	free(t->series);
	t->series = NULL;
	t->nr = t->cap = 0;
}

void lat_series__figures(const struct lat_series *sr, struct lat_figures *f)
{
	const struct ut_lat_stats *st = &sr->st;

	f->min = st->count ? st->min_ns : 0;
	f->max = st->max_ns;
	f->mean = st->count ? st->sum_ns / st->count : 0;
	f->p50 = hist_percentile(&sr->h, 0.50, f->min, f->max);
	f->p90 = hist_percentile(&sr->h, 0.90, f->min, f->max);
	f->p99 = hist_percentile(&sr->h, 0.99, f->min, f->max);
}

static struct lat_thread *thread_of(struct lat_pairs *p, uint32_t tid, bool make)
{
	struct lat_thread *t;
	size_t i;

	for (i = 0; i < p->nr; i++) {
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	}
	if (!make || VEC_RESERVE(p->threads, p->cap, p->nr + 1))
		return NULL;
	t = &p->threads[p->nr++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	return t;
}

static struct ut_event *event_copy(const struct ut_event *ev)
{
	size_t size = sizeof(*ev) + (size_t)ev->nr_strs * ev->str_len;
	struct ut_event *c = malloc(size);

	if (c)
		memcpy(c, ev, size);
	return c;
}

int lat_pairs__begin(struct lat_pairs *p, const struct ut_event *ev,
		     const struct site_info *site, uint64_t key)
{
	struct lat_thread *t = thread_of(p, ev->tid, true);
	struct ut_event *c;
	int d;

	if (!t)
		return -ENOMEM;
	if (t->depth >= UT_LAT_DEPTH) {
		p->unmatched++;
		return -ENOSPC;
	}
	c = event_copy(ev);
	if (!c)
		return -ENOMEM;
	d = ut_lat_push(&t->depth);
	t->open[d] = (struct lat_open){ c, site, key };
	return 0;
}

int lat_pairs__end(struct lat_pairs *p, uint32_t tid, struct lat_open *out)
{
	struct lat_thread *t = thread_of(p, tid, false);
	int d = t ? ut_lat_pop(&t->depth) : -1;

	if (d < 0) {
		p->unmatched++;
		return -ENOENT;
	}
	*out = t->open[d];
	t->open[d].ev = NULL;
	return 0;
}

uint64_t lat_pairs__unmatched(const struct lat_pairs *p, bool open)
{
	uint64_t n = p->unmatched;
	size_t i;

	for (i = 0; open && i < p->nr; i++)
		n += p->threads[i].depth;
	return n;
}

void lat_pairs__free(struct lat_pairs *p)
{
	size_t i;
	__u32 d;

	for (i = 0; i < p->nr; i++) {
		for (d = 0; d < p->threads[i].depth; d++)
			free(p->threads[i].open[d].ev);
	}
	free(p->threads);
	p->threads = NULL;
	p->nr = p->cap = 0;
}
