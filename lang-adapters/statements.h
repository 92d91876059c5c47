/* SPDX-License-Identifier: MIT */
/*
 * statements.h - a database's statements as pg_stat_statements keeps them
 * (calls -l postgresql): one row per statement text, normalized (literals
 * -> $n, sql/normalize.h) unless raw or a utility statement (kept as
 * sent), texts differing only in white space, comments and case being one
 * row that shows the first; with its count, total and maximum
 * time and a latency histogram for percentiles. Pure, no I/O
 * (writer/db.h prints the rows).
 */
#ifndef USDTRACE_LANG_STATEMENTS_H
#define USDTRACE_LANG_STATEMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../agg/hist.h"

#define STMT_BUCKETS	4096	/* hash chains of the row table */

struct stmt_row {
	char *key;		/* what makes two texts one row (sql_canonical), owned */
	char *text;		/* the first text seen, normalized (or raw), owned */
	bool cut;		/* the text was longer than what was read */
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns;
	struct hist h;
	struct stmt_row *next;	/* hash chain */
};

struct stmt_table {
	bool raw;			/* texts as sent, not normalized */
	struct stmt_row *buckets[STMT_BUCKETS];
	size_t nr;
	char *norm;			/* normalizing buffer */
	size_t norm_size;
	char *canon;			/* canonical key buffer */
	size_t canon_size;
};

/* One statement of @dur ns, its text @len bytes (@cut: more were sent). 0 or -ENOMEM. */
int stmt_table__add(struct stmt_table *t, const char *text, size_t len, bool cut,
		    uint64_t dur);
/* The rows by total time, most first: an array of t->nr the caller frees; NULL: ENOMEM. */
struct stmt_row **stmt_table__sorted(const struct stmt_table *t);
void stmt_table__free(struct stmt_table *t);

#endif /* USDTRACE_LANG_STATEMENTS_H */
