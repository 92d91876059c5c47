// SPDX-License-Identifier: MIT
/*
 * postgresql.c - the PostgreSQL adapter (Debian's postgresql-15, built
 * with --enable-dtrace: 71 sites in bin/postgres).
 *
 * query__start/done(text) bracket each statement a backend runs (never
 * nested: a statement that fails fires no done, so a new start replaces
 * it); parse, rewrite, plan and execute nest inside. transaction__commit
 * and __abort(local xid); lock__wait__start/done(field1..4, locktag type,
 * mode); lwlock__wait__start/done(tranche name, mode); buffer__read__done(
 * fork, block, spc, db, rel, backend, extend, found); sort__start(type,
 * unique, keys, work_mem, random); checkpoint__start(flags);
 * deadlock__found(). A backend is forked per connection: -p POSTMASTER
 * follows its children, and without -p or -c the run is system-wide on
 * the postgres binary.
 *
 * calls counts statements as pg_stat_statements does, from the executor's
 * exported functions (bpf/stmts.bpf.c): PostgreSQL 15's structs below,
 * checked by tests/unit/test_pglayout.c against postgresql-server-dev-15's
 * headers.
 */
#include "lang.h"

/* src/include/storage/lockdefs.h */
static const char *const pg_lock_modes[] = {
	"NoLock", "AccessShareLock", "RowShareLock", "RowExclusiveLock",
	"ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock",
	"AccessExclusiveLock", NULL,
};

static const struct lang_db_layout pg_layouts[] = {
	{
		.major = 15,
		.l = {
			/* executor/execdesc.h, nodes/plannodes.h, nodes/execnodes.h */
			.qd_plannedstmt = 8, .qd_source_text = 16, .qd_estate = 80,
			.qd_already_executed = 96,
			.ps_utility = 112, .ps_location = 120, .ps_len = 124,
			.es_processed = 168,
			/* nodes/parsenodes.h, tcop/cmdtag.h */
			.query_location = 240, .query_len = 244,
			.qc_tag = 0, .qc_processed = 8,
			/* nodes/nodes.h: T_PrepareStmt, T_ExecuteStmt, T_DeallocateStmt */
			.tag_prepare = 303, .tag_execute = 304, .tag_deallocate = 305,
			/* tcop/cmdtaglist.h: COPY, FETCH, SELECT, REFRESH MATERIALIZED VIEW */
			.cmd_rows = { 56, 154, 178, 168 },
			/* x86-64: the 8th argument, above the return address and the 7th */
			.qc_sp_off = 16,
		},
	},
	{ 0 },
};

static const struct lang_db pg_args = {
	.lock_mode_arg = 5,
	.buffer_found_arg = 7,
	.lock_modes = pg_lock_modes,
	.stmt_probes = {
		[UT_STMT_XRUN] = "uprobe:%s:standard_ExecutorRun",
		[UT_STMT_XRUN_RET] = "uretprobe:%s:standard_ExecutorRun",
		[UT_STMT_XFINISH] = "uprobe:%s:standard_ExecutorFinish",
		[UT_STMT_XEND] = "uprobe:%s:standard_ExecutorEnd",
		[UT_STMT_UTIL] = "uprobe:%s:standard_ProcessUtility",
		[UT_STMT_UTIL_RET] = "uretprobe:%s:standard_ProcessUtility",
		[UT_STMT_PLAN] = "uprobe:%s:standard_planner",
		[UT_STMT_PLAN_RET] = "uretprobe:%s:standard_planner",
		[UT_STMT_ABORT] = "%s:postgresql:transaction__abort",
		[UT_STMT_ERROR] = "uprobe:%s:AbortCurrentTransaction",
	},
	.layouts = pg_layouts,
	.version_tag = "(PostgreSQL) ",
};

const struct lang_adapter lang_postgresql = {
	.lang = "postgresql",
	.runtime = "postgres",
	.probes = {
		{ LANG_QUERY_BEGIN, "postgresql:query__start(s)" },
		{ LANG_QUERY_END, "postgresql:query__done(-)" },
		{ LANG_ENTRY, "postgresql:query__start(s)" },
		{ LANG_RETURN, "postgresql:query__done(s)" },
		{ LANG_ENTRY, "postgresql:query__parse__start(-)", "parse" },
		{ LANG_RETURN, "postgresql:query__parse__done(-)", "parse" },
		{ LANG_ENTRY, "postgresql:query__rewrite__start(-)", "rewrite" },
		{ LANG_RETURN, "postgresql:query__rewrite__done(-)", "rewrite" },
		{ LANG_ENTRY, "postgresql:query__plan__start", "plan" },
		{ LANG_RETURN, "postgresql:query__plan__done", "plan" },
		{ LANG_ENTRY, "postgresql:query__execute__start", "execute" },
		{ LANG_RETURN, "postgresql:query__execute__done", "execute" },
		{ LANG_TX_COMMIT, "postgresql:transaction__commit" },
		{ LANG_TX_ABORT, "postgresql:transaction__abort" },
		{ LANG_LOCK_WAIT_BEGIN, "postgresql:lock__wait__start" },
		{ LANG_LOCK_WAIT_END, "postgresql:lock__wait__done" },
		{ LANG_LWLOCK_WAIT_BEGIN, "postgresql:lwlock__wait__start(s,d)" },
		{ LANG_LWLOCK_WAIT_END, "postgresql:lwlock__wait__done(-,d)" },
		{ LANG_BUFFER_READ, "postgresql:buffer__read__done" },
		{ LANG_SORT, "postgresql:sort__start" },
		{ LANG_CHECKPOINT, "postgresql:checkpoint__start" },
		{ LANG_DEADLOCK, "postgresql:deadlock__found" },
	},
	.ident = { 0, -1, -1 },
	.style = LANG_NAME_TEXT,
	.alloc_size_arg = -1,
	.forks = true,
	.paths = { "/usr/lib/postgresql/*/bin/postgres", "/usr/local/pgsql/bin/postgres",
		   "/usr/pgsql-*/bin/postgres" },
	.db = &pg_args,
};
