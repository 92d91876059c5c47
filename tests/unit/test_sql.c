// SPDX-License-Identifier: MIT
/*
 * test_sql.c - sql_normalize: each literal kind replaced by $n, and what
 * must stay as sent (identifiers with digits, quoted identifiers,
 * comments, existing parameters, whitespace), cut texts, a full buffer;
 * pg_stat_statements' rules (true/false/NULL, typmods, ordinals); which
 * texts are one row (sql_canonical), trimming, utility statements.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../lang-adapters/statements.h"
#include "../../sql/normalize.h"
#include "test.h"

static const struct {
	const char *in;
	const char *want;
} cases[] = {
	{ "SELECT 1 + 1", "SELECT $1 + $2" },
	{ "SELECT 2 + 1", "SELECT $1 + $2" },
	{ "SELECT pg_sleep(0.05)", "SELECT pg_sleep($1)" },
	{ "select * from t1 where id = 42;", "select * from t1 where id = $1;" },
	{ "UPDATE pgbench_accounts SET abalance = abalance + -4137 WHERE aid = 5925;",
	  "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;" },
	{ "SELECT x-1, x - 1, (2)-1, -3", "SELECT x-$1, x - $2, ($3)-$4, $5" },
	{ "SELECT 'it''s', 'a'", "SELECT $1, $2" },
	{ "SELECT E'a\\'b', e'\\\\'", "SELECT $1, $2" },
	{ "SELECT B'101', X'ff', N'n'", "SELECT $1, $2, $3" },
	{ "SELECT $$a 'b' 1$$, $fn$ x $$ y $fn$", "SELECT $1, $2" },
	{ "SELECT \"col 1\", \"t\"\"2\" FROM \"T3\"", "SELECT \"col 1\", \"t\"\"2\" FROM \"T3\"" },
	{ "SELECT 1.5e10, .5, 1e-3, 2E+4, 1_000", "SELECT $1, $2, $3, $4, $5" },
	{ "SELECT 0x1F, 0o17, 0b101", "SELECT $1, $2, $3" },
	{ "SELECT a FROM t WHERE b = $1 AND c = 7", "SELECT a FROM t WHERE b = $1 AND c = $2" },
	{ "SELECT $3, 5", "SELECT $3, $4" },
	{ "SELECT 1 -- the 2nd\n, 2 /* 3 /* 4 */ 5 */", "SELECT $1 -- the 2nd\n, $2 /* 3 /* 4 */ 5 */" },
	{ "SELECT '2024-01-01'::date, 3::int", "SELECT $1::date, $2::int" },
	{ "SELECT a[1:2] FROM t", "SELECT a[$1:$2] FROM t" },
	{ "SELECT x FROM t WHERE y IN (1,2,3)", "SELECT x FROM t WHERE y IN ($1,$2,$3)" },
	{ "BEGIN;", "BEGIN;" },
	{ "SELECT col$1, v2x FROM t", "SELECT col$1, v2x FROM t" },
	{ "  SELECT\t1\n", "  SELECT\t$1\n" },
	{ "SELECT 'unterminated", "SELECT $1" },
	{ "SELECT $$open", "SELECT $1" },
	{ "SELECT /* open", "SELECT /* open" },
	{ "", "" },
	/* pg_stat_statements' rules (checked against PostgreSQL 15's) */
	{ "select true, false, NULL::int, -5, 'x'::varchar(10), 1.5",
	  "select $1, $2, $3::int, $4, $5::varchar(10), $6" },
	{ "SELECT -5", "SELECT $1" },
	{ "SELECT x FROM t WHERE y = -2 AND z = - 3", "SELECT x FROM t WHERE y = $1 AND z = $2" },
	{ "SELECT a IS NULL, b IS NOT NULL, c IS TRUE, d = NULL",
	  "SELECT a IS NULL, b IS NOT NULL, c IS TRUE, d = $1" },
	{ "SELECT 1::numeric(10, 2), CAST(2 AS character varying(5)), 3::timestamp(3)",
	  "SELECT $1::numeric(10, 2), CAST($2 AS character varying(5)), $3::timestamp(3)" },
	{ "SELECT a, count(*) FROM t GROUP BY 1 ORDER BY 2 DESC, 1",
	  "SELECT a, count(*) FROM t GROUP BY 1 ORDER BY 2 DESC, 1" },
	{ "SELECT a FROM t GROUP BY a HAVING count(*) > 1 ORDER BY 1 LIMIT 5",
	  "SELECT a FROM t GROUP BY a HAVING count(*) > $1 ORDER BY 1 LIMIT $2" },
	{ "SELECT a FROM t GROUP BY a, b IN (1, 2) ORDER BY 1 + 1",
	  "SELECT a FROM t GROUP BY a, b IN ($1, $2) ORDER BY $3 + $4" },
	{ "SELECT substr('abc', 1, 2), round(x, 2) FROM t",
	  "SELECT substr($1, $2, $3), round(x, $4) FROM t" },
};

/* Texts pg_stat_statements makes one row, and texts it keeps apart. */
static const struct {
	const char *a, *b;
	int same;
} canon[] = {
	{ "SELECT $1", "select   $1", 1 },
	{ "select /* c */ $1", "SELECT $1", 1 },
	{ "SELECT $1 -- why\n", "SELECT $1", 1 },
	{ "SELECT a,b FROM T WHERE x=$1", "select a , b\nfrom t where x = $1", 1 },
	{ "SELECT \"A\" FROM t", "SELECT \"a\" FROM t", 0 },
	{ "SELECT a - -$1", "SELECT a --$1", 0 },
	{ "SELECT ab", "SELECT a b", 0 },
	{ "SELECT 'A'", "SELECT 'a'", 0 },
	{ "SELECT $1 AS connected", "SELECT $1", 1 },
	{ "SELECT a AS \"X\", b FROM t AS u", "select a, b from t", 1 },
	{ "SELECT CAST(a AS int)", "SELECT CAST(a AS text)", 0 },
	{ "WITH c AS (SELECT 1) SELECT * FROM c", "WITH c (SELECT 1) SELECT * FROM c", 0 },
	{ "SELECT 'a AS b'", "SELECT 'a'", 0 },
};

/* The rows: pg_stat_statements' texts, merged as it merges them. */
static void test_rows(struct test_stats *st)
{
	static const char *const sent[] = {
		"select /* c */ 1", "SELECT  2;", "SELECT 3", "SET work_mem = '4MB'",
		"SET work_mem = '8MB'", "  BEGIN ;", "SELECT 4 + 1",
	};
	struct stmt_table t = {};
	struct stmt_row **v;
	size_t i;
	char got[512] = "";

	for (i = 0; i < sizeof(sent) / sizeof(sent[0]); i++)
		stmt_table__add(&t, sent[i], strlen(sent[i]), false, 1000 * (i + 1));
	v = stmt_table__sorted(&t);
	for (i = 0; v && i < t.nr; i++) {
		char row[96];

		snprintf(row, sizeof(row), "%s%s=%llu", i ? "|" : "", v[i]->text,
			 (unsigned long long)v[i]->count);
		strncat(got, row, sizeof(got) - strlen(got) - 1);
	}
	CHECK(st, !strcmp(got, "SELECT $1 + $2=1|select /* c */ $1=3|BEGIN=1|"
			  "SET work_mem = '8MB'=1|SET work_mem = '4MB'=1"),
	      "rows: SELECT 1/2/3 one row shown as first sent, SET kept as sent, ';' off", "%s",
	      got);
	free(v);
	stmt_table__free(&t);
}

int main(void)
{
	struct test_stats st = {};
	char out[256], name[300];
	size_t i;
	int n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = sql_normalize(cases[i].in, strlen(cases[i].in), out, sizeof(out));
		snprintf(name, sizeof(name), "normalize \"%s\"", cases[i].in);
		for (char *c = name; *c; c++)
			*c = *c == '\n' || *c == '\t' ? ' ' : *c;	/* one line per check */
		CHECK(&st, n == (int)strlen(cases[i].want) && !strcmp(out, cases[i].want), name,
		      "got \"%s\" (%d), want \"%s\"", out, n, cases[i].want);
	}
	for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		char a[128], b[128];
		int same;

		sql_canonical(canon[i].a, strlen(canon[i].a), a, sizeof(a));
		sql_canonical(canon[i].b, strlen(canon[i].b), b, sizeof(b));
		same = !strcmp(a, b);
		snprintf(name, sizeof(name), "canonical: \"%s\" %s \"%s\"", canon[i].a,
			 canon[i].same ? "==" : "!=", canon[i].b);
		for (char *c = name; *c; c++)
			*c = *c == '\n' ? ' ' : *c;
		CHECK(&st, same == canon[i].same, name, "\"%s\" vs \"%s\"", a, b);
	}
	{
		size_t at, n2 = sql_trim("  SELECT 1 ;\n", 13, &at);

		CHECK(&st, at == 2 && n2 == 8, "trim: white space and a trailing ';' off",
		      "at %zu len %zu", at, n2);
	}
	CHECK(&st, !sql_is_utility(" /* x */ select 1", 17) && !sql_is_utility("(SELECT 1)", 10) &&
	      !sql_is_utility("WITH a AS (SELECT 1) SELECT 1", 29) &&
	      sql_is_utility("SET work_mem = '4MB'", 20) && sql_is_utility("selected", 8) &&
	      sql_is_utility("EXPLAIN SELECT 1", 16) && sql_is_utility("", 0),
	      "utility: SET, EXPLAIN and a word like selected are; SELECT, (, WITH are not",
	      "wrong");
	test_rows(&st);
	n = sql_normalize("SELECT 123456", 13, out, 9);
	CHECK(&st, n == -ENOSPC && strlen(out) < 9, "a full buffer is -ENOSPC, cut and terminated",
	      "%d \"%s\"", n, out);
	n = sql_normalize("SELECT 1", 6, out, sizeof(out));
	CHECK(&st, n == 6 && !strcmp(out, "SELECT"), "only @len bytes are read", "%d \"%s\"", n,
	      out);
	return st.failed ? 1 : 0;
}
