// SPDX-License-Identifier: MIT
/*
 * rt_stat.c - a runtime's probe hits added up, GC paired per thread
 * (rt_stat.h).
 */
#include <string.h>

#include "rt_stat.h"

void rt_stat__init(struct rt_stat *st, const struct lang_adapter *a)
{
	memset(st, 0, sizeof(*st));
	st->a = a;
}

static void gc_begin(struct rt_stat *st, uint32_t tid, uint64_t ts)
{
	int i;

	for (i = 0; i < RT_GC_THREADS; i++) {
		if (!st->gc_open[i].ts || st->gc_open[i].tid == tid) {
			st->gc_open[i].tid = tid;
			st->gc_open[i].ts = ts;
			break;
		}
	}
	st->total.gc++;
}

static void gc_end(struct rt_stat *st, uint32_t tid, uint64_t ts)
{
	int i;

	for (i = 0; i < RT_GC_THREADS; i++) {
		if (st->gc_open[i].ts && st->gc_open[i].tid == tid) {
			st->total.gc_ns += ts - st->gc_open[i].ts;
			st->gc_open[i].ts = 0;
			break;
		}
	}
}

void rt_stat__hit(struct rt_stat *st, enum lang_event event, uint32_t tid, uint64_t ts,
		  const uint64_t *args, int nr_args)
{
	int size_arg = st->a->alloc_size_arg;

	switch (event) {
	case LANG_GC_BEGIN:
		gc_begin(st, tid, ts);
		break;
	case LANG_GC_END:
		gc_end(st, tid, ts);
		break;
	case LANG_ALLOC:
		st->total.allocs++;
		if (size_arg >= 0 && size_arg < nr_args)
			st->total.alloc_bytes += args[size_arg];
		break;
	case LANG_THREAD_START:
		st->total.threads_started++;
		break;
	case LANG_THREAD_STOP:
		st->total.threads_stopped++;
		break;
	case LANG_LOAD:
		st->total.loaded++;
		break;
	case LANG_EXCEPTION:
		st->total.exceptions++;
		break;
	default:
		break;
	}
}

void rt_stat__interval(struct rt_stat *st, struct rt_counts *out)
{
	const uint64_t *c = (const void *)&st->total, *p = (const void *)&st->prev;
	uint64_t *o = (void *)out;
	size_t i;

	/* every field a uint64_t */
	for (i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		o[i] = c[i] - p[i];
	st->prev = st->total;
}
