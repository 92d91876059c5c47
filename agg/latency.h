/* SPDX-License-Identifier: MIT */
/*
 * latency.h - latency's results: one series (histogram and figures) per
 * key of BEGIN's (one without --key), read from the kernel or made from
 * pairs; and the pairing of BEGIN and END events in user space (for
 * --timeline), by the kernel's own rule (ut_lat_push/pop, bpf/usdtrace.h).
 * Pure.
 */
#ifndef USDTRACE_AGG_LATENCY_H
#define USDTRACE_AGG_LATENCY_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/usdtrace.h"
#include "hist.h"
#include "site.h"

/* One histogram per key value. */
struct lat_series {
	uint64_t key;
	char text[UT_LAT_KEY_STR];	/* a string key's content */
	struct hist h;
	struct ut_lat_stats st;
};

struct lat_table {
	struct lat_series *series;
	size_t nr, cap;
};

/* The series of @key, made when new; NULL when out of memory. */
struct lat_series *lat_table__series(struct lat_table *t, uint64_t key);
/* One pair of @dur ns into @sr. */
void lat_series__add(struct lat_series *sr, uint64_t dur);
/* By key text (string keys), then key. */
void lat_table__sort(struct lat_table *t);
uint64_t lat_table__count(const struct lat_table *t);
void lat_table__reset(struct lat_table *t);
void lat_table__free(struct lat_table *t);

/* What a series' text and records show. */
struct lat_figures {
	uint64_t min, max, mean, p50, p90, p99;
};

void lat_series__figures(const struct lat_series *sr, struct lat_figures *f);

/* A BEGIN waiting for its END: its event (a copy, owned), site and key. */
struct lat_open {
	struct ut_event *ev;
	const struct site_info *site;
	uint64_t key;
};

struct lat_thread {
	uint32_t tid;
	__u32 depth;
	struct lat_open open[UT_LAT_DEPTH];
};

/* BEGINs open per thread, and the hits that found no partner. */
struct lat_pairs {
	struct lat_thread *threads;
	size_t nr, cap;
	uint64_t unmatched;
};

/*
 * BEGIN @ev (copied) at @site keyed @key on its thread. 0; -ENOSPC when
 * UT_LAT_DEPTH are open (counted unmatched); -ENOMEM.
 */
int lat_pairs__begin(struct lat_pairs *p, const struct ut_event *ev,
		     const struct site_info *site, uint64_t key);
/*
 * END on thread @tid: its BEGIN into *@out (the caller frees out->ev). 0,
 * or -ENOENT when none is open (counted unmatched).
 */
int lat_pairs__end(struct lat_pairs *p, uint32_t tid, struct lat_open *out);
/* The unmatched, and with @open the BEGINs still open too. */
uint64_t lat_pairs__unmatched(const struct lat_pairs *p, bool open);
void lat_pairs__free(struct lat_pairs *p);

#endif /* USDTRACE_AGG_LATENCY_H */
