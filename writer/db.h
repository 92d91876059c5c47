/* SPDX-License-Identifier: MIT */
/*
 * db.h - a database's figures written (stat -l postgresql): the counts of
 * lang-adapters/db_stat.h as a text row (with a line per lock mode and
 * lwlock tranche), a JSON `stat` record, or Prometheus counters labelled
 * lang. Formats to the FILE given; pure.
 */
#ifndef USDTRACE_WRITER_DB_H
#define USDTRACE_WRITER_DB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../lang-adapters/db_stat.h"
#include "../lang-adapters/statements.h"

/* One `stat` record: an interval's counts (@final: the totals) at @now. */
void db_counts__write_json(FILE *out, const char *lang, const struct db_counts *c,
			   uint64_t now, bool final);
/* One text row headed @when ("1.000", "total"), the column header first if @header. */
void db_counts__write_text(FILE *out, const struct db_counts *c, bool header,
			   const char *when);
/* The usdtrace_db_* families of the totals @c. */
void db_counts__prom(FILE *out, const char *lang, const struct db_counts *c);

/*
 * A statement's row: a JSON `calls` record of lang @lang, or a text line;
 * @figures: with pg_stat_statements' rows, exec and plan columns.
 */
void stmt_row__write_json(FILE *out, const char *lang, const struct stmt_row *r, bool figures,
			  uint64_t now, bool final);
void stmt_row__write_text(FILE *out, const struct stmt_row *r, bool figures);
/* The text lines' column header. */
void stmt_rows__header(FILE *out, bool figures);
/*
 * --min: one statement at least that long (a UT_EV_STMT_SLOW event), its
 * text as sent (@len bytes); times from @t0 in text.
 */
void stmt_slow__write(FILE *out, bool json, uint64_t t0, const struct ut_event *ev,
		      const char *text, size_t len);
void stmt_slow__header(FILE *out);
/* usdtrace_unmatched_total: statements started that did not finish. */
void stmt_unmatched__prom(FILE *out, uint64_t unmatched);

#endif /* USDTRACE_WRITER_DB_H */
