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
#include "../bpf/usdtrace.h"

#define STMT_BUCKETS	4096	/* hash chains of the row table */

/* A time pg_stat_statements keeps: how many, their total, extremes. */
struct stmt_time {
	uint64_t n;
	uint64_t total_ns;
	uint64_t min_ns;
	uint64_t max_ns;
};

struct stmt_row {
	char *key;		/* what makes two texts one row (sql_canonical), owned */
	char *text;		/* the first text seen, normalized (or raw), owned */
	bool cut;		/* the text was longer than what was read */
	uint64_t seq;		/* the text shown came first: the lowest seq of its texts */
	uint64_t count;		/* calls */
	uint64_t total_ns;	/* the whole statement's time */
	uint64_t max_ns;
	struct hist h;		/* execution times (whole ones without figures) */
	/* the kernel's figures (stmt_table__add_figures) */
	uint64_t rows;
	struct stmt_time exec;
	struct stmt_time plan;
	struct stmt_row *next;	/* hash chain */
};

struct stmt_table {
	bool raw;			/* texts as sent, not normalized */
	bool figures;			/* rows have exec, plan and rows figures */
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
struct stmt_text;
/*
 * One statement's figures from the kernel (merged over CPUs) under its
 * text @e (normalized once, kept in @e), which came @e->seq-th: a row
 * shows the text of its first, as pg_stat_statements shows the first text
 * it saw; @e->row is the row they went to. 0 or -ENOMEM.
 */
int stmt_table__add_figures(struct stmt_table *t, struct stmt_text *e,
			    const struct ut_stmt_stats *st);
/* Every row gone (the table is made again from the kernel's at each tick). */
void stmt_table__clear(struct stmt_table *t);

/*
 * The texts of the kernel's statement keys (UT_EV_STMT_TEXT), put together
 * from their pieces, each with the row it went to in the last rebuild.
 */
struct stmt_text {
	struct ut_stmt_key key;
	char *text;		/* len bytes and a NUL, owned (stmt_texts) */
	char *norm;		/* as a row shows it, made once, owned */
	char *canon;		/* its row's key, made once, owned */
	uint32_t len;
	uint32_t got;		/* bytes of it received */
	uint64_t seq;		/* the order it came in */
	bool cut;		/* the statement was longer */
	struct stmt_row *row;	/* NULL: not in the table (yet) */
	struct stmt_text *next;
};

struct stmt_texts {
	struct stmt_text *buckets[STMT_BUCKETS];
	size_t nr;
	uint64_t seq;
};

/*
 * A piece of @key's text: @len_flags (its length, UT_STMT_CUT), the piece
 * at @off, @n bytes. 0, -ENOMEM, or -EINVAL for a piece that does not fit.
 */
int stmt_texts__piece(struct stmt_texts *x, const struct ut_stmt_key *key, uint64_t len_flags,
		      uint64_t off, const char *bytes, size_t n);
/* @key's text, NULL until all of it came. */
struct stmt_text *stmt_texts__find(const struct stmt_texts *x, const struct ut_stmt_key *key);
/* @e's normalized forms freed (its text is the caller's). */
void stmt_text__clear(struct stmt_text *e);
/* Forget every text's row (before the table is made again). */
void stmt_texts__unlink(struct stmt_texts *x);
void stmt_texts__free(struct stmt_texts *x);

/* The rows by total time, most first: an array of t->nr the caller frees; NULL: ENOMEM. */
struct stmt_row **stmt_table__sorted(const struct stmt_table *t);
void stmt_table__free(struct stmt_table *t);

#endif /* USDTRACE_LANG_STATEMENTS_H */
