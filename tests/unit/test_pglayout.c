// SPDX-License-Identifier: MIT
/*
 * test_pglayout.c - the statements mode's PostgreSQL layout table
 * (lang-adapters/postgresql.c) checked with offsetof() and the enums of
 * postgresql-server-dev's own headers, for the version they are of; the
 * version read from a binary's text; the word hashes BPF compares.
 */
#include "postgres.h"
#include "executor/execdesc.h"
#include "nodes/execnodes.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "tcop/cmdtag.h"
#undef printf	/* postgres.h's port.h: pg_printf, not linked here */
#undef snprintf
#undef vsnprintf
#undef fprintf
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../../lang-adapters/lang.h"
#include "test.h"

#define OFF(want, got, name) \
	CHECK(st, (size_t)(want) == (size_t)(got), name, "headers %zu, table %u", (size_t)(want), \
	      (unsigned int)(got))

static void test_offsets(struct test_stats *st)
{
	struct ut_pg_layout l;
	int err = lang_db__layout(&lang_postgresql, PG_MAJORVERSION_NUM, &l);

	CHECK(st, !err, "pglayout: one for the headers' version", "%d", PG_MAJORVERSION_NUM);
	if (err)
		return;
	OFF(offsetof(QueryDesc, plannedstmt), l.qd_plannedstmt, "pglayout: QueryDesc.plannedstmt");
	OFF(offsetof(QueryDesc, sourceText), l.qd_source_text, "pglayout: QueryDesc.sourceText");
	OFF(offsetof(QueryDesc, estate), l.qd_estate, "pglayout: QueryDesc.estate");
	OFF(offsetof(QueryDesc, already_executed), l.qd_already_executed,
	    "pglayout: QueryDesc.already_executed");
	OFF(offsetof(PlannedStmt, utilityStmt), l.ps_utility, "pglayout: PlannedStmt.utilityStmt");
	OFF(offsetof(PlannedStmt, stmt_location), l.ps_location,
	    "pglayout: PlannedStmt.stmt_location");
	OFF(offsetof(PlannedStmt, stmt_len), l.ps_len, "pglayout: PlannedStmt.stmt_len");
	OFF(offsetof(EState, es_processed), l.es_processed, "pglayout: EState.es_processed");
	OFF(offsetof(Query, stmt_location), l.query_location, "pglayout: Query.stmt_location");
	OFF(offsetof(Query, stmt_len), l.query_len, "pglayout: Query.stmt_len");
	OFF(offsetof(QueryCompletion, commandTag), l.qc_tag, "pglayout: QueryCompletion.commandTag");
	OFF(offsetof(QueryCompletion, nprocessed), l.qc_processed,
	    "pglayout: QueryCompletion.nprocessed");
	OFF(T_ExecuteStmt, l.tag_execute, "pglayout: T_ExecuteStmt");
	OFF(T_PrepareStmt, l.tag_prepare, "pglayout: T_PrepareStmt");
	OFF(T_DeallocateStmt, l.tag_deallocate, "pglayout: T_DeallocateStmt");
	OFF(CMDTAG_COPY, l.cmd_rows[0], "pglayout: CMDTAG_COPY");
	OFF(CMDTAG_FETCH, l.cmd_rows[1], "pglayout: CMDTAG_FETCH");
	OFF(CMDTAG_SELECT, l.cmd_rows[2], "pglayout: CMDTAG_SELECT");
	OFF(CMDTAG_REFRESH_MATERIALIZED_VIEW, l.cmd_rows[3],
	    "pglayout: CMDTAG_REFRESH_MATERIALIZED_VIEW");
	CHECK(st, sizeof(((PlannedStmt *)0)->stmt_location) == 4 &&
	      sizeof(((Query *)0)->stmt_len) == 4 && sizeof(((EState *)0)->es_processed) == 8,
	      "pglayout: locations are ints, rows 64-bit", "sizes differ");
	CHECK(st, l.word_by && l.word_group != l.word_order && l.word_typmod[0] &&
	      l.sp_off == 152, "pglayout: word hashes and the x86-64 stack pointer filled in",
	      "by %u sp %u", l.word_by, l.sp_off);
}

static void test_version(struct test_stats *st)
{
	static const char bin[] = "\x7f" "ELF....postgres (PostgreSQL) 15.18 (Debian 15.18-0)";
	struct ut_pg_layout l;

	CHECK(st, lang_db__version_in(&lang_postgresql, bin, sizeof(bin) - 1) == 15,
	      "pglayout: the version after \"(PostgreSQL) \"", "%d",
	      lang_db__version_in(&lang_postgresql, bin, sizeof(bin) - 1));
	CHECK(st, lang_db__version_in(&lang_postgresql, bin, 20) == 0,
	      "pglayout: no tag, no version", "found one");
	CHECK(st, lang_db__layout(&lang_postgresql, 99, &l) == -ENOENT &&
	      lang_db__layout(&lang_python, 15, &l) == -ENOENT,
	      "pglayout: an unknown version, or no database, has none", "found one");
}

int main(void)
{
	struct test_stats st = {};

	test_offsets(&st);
	test_version(&st);
	return st.failed ? 1 : 0;
}
