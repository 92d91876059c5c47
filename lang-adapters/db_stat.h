/* SPDX-License-Identifier: MIT */
/*
 * db_stat.h - what a database's probes add up to (stat -l postgresql):
 * transactions committed and aborted, statements finished, heavyweight
 * lock waits (count and time, by lock mode), lwlock waits (by tranche),
 * buffer reads and shared-buffer hits, sorts, checkpoints and deadlocks;
 * each wait's begin paired with its end per backend. Fed one hit at a
 * time as plain values; pure, no I/O (writer/db.c prints the counts).
 */
#ifndef USDTRACE_LANG_DB_STAT_H
#define USDTRACE_LANG_DB_STAT_H

#include <stddef.h>
#include <stdint.h>

#include "lang.h"

#define DB_NAMES	64	/* lock modes and lwlock tranches kept by name */
#define DB_NAME_LEN	48
#define DB_WAITERS	1024	/* backends waiting at once */

/* The events a database's stat needs (1 << enum lang_event). */
#define DB_STAT_EVENTS	((1u << LANG_TX_COMMIT) | (1u << LANG_TX_ABORT) |		\
			 (1u << LANG_QUERY_END) | (1u << LANG_LOCK_WAIT_BEGIN) |	\
			 (1u << LANG_LOCK_WAIT_END) | (1u << LANG_LWLOCK_WAIT_BEGIN) |	\
			 (1u << LANG_LWLOCK_WAIT_END) | (1u << LANG_BUFFER_READ) |	\
			 (1u << LANG_SORT) | (1u << LANG_CHECKPOINT) | (1u << LANG_DEADLOCK))

struct db_wait {
	char name[DB_NAME_LEN];
	uint64_t waits;
	uint64_t ns;
};

struct db_counts {
	uint64_t commits;
	uint64_t aborts;
	uint64_t queries;
	uint64_t lock_waits;
	uint64_t lock_ns;
	uint64_t lwlock_waits;
	uint64_t lwlock_ns;
	uint64_t reads;
	uint64_t hits;
	uint64_t sorts;
	uint64_t checkpoints;
	uint64_t deadlocks;
	struct db_wait locks[DB_NAMES];		/* by mode */
	struct db_wait lwlocks[DB_NAMES];	/* by tranche */
};

/* A backend waiting: since when, for what (an index into locks/lwlocks). */
struct db_waiter {
	uint32_t tid;
	bool lw;
	int what;
	uint64_t ts;
};

struct db_stat {
	const struct lang_adapter *a;
	struct db_counts total;
	struct db_counts prev;		/* total at the last interval */
	struct db_waiter waiting[DB_WAITERS];
};

/* One hit of a probe meaning @event, its arguments as read. */
struct db_hit {
	enum lang_event event;
	uint32_t tid;
	uint64_t ts;
	const uint64_t *args;
	int nr_args;
	const char *str0;	/* argument 0 as a string, NULL when unread */
	size_t len0;
};

void db_stat__init(struct db_stat *st, const struct lang_adapter *a);
void db_stat__hit(struct db_stat *st, const struct db_hit *h);
/* The counts since the last interval into @out, and a new interval begins. */
void db_stat__interval(struct db_stat *st, struct db_counts *out);

#endif /* USDTRACE_LANG_DB_STAT_H */
