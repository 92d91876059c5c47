// SPDX-License-Identifier: MIT
/*
 * test_sql.c - sql_normalize: each literal kind replaced by $n, and what
 * must stay as sent (identifiers with digits, quoted identifiers,
 * comments, existing parameters, whitespace), cut texts, a full buffer.
 */
#include <errno.h>
#include <string.h>

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
};

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
	n = sql_normalize("SELECT 123456", 13, out, 9);
	CHECK(&st, n == -ENOSPC && strlen(out) < 9, "a full buffer is -ENOSPC, cut and terminated",
	      "%d \"%s\"", n, out);
	n = sql_normalize("SELECT 1", 6, out, sizeof(out));
	CHECK(&st, n == 6 && !strcmp(out, "SELECT"), "only @len bytes are read", "%d \"%s\"", n,
	      out);
	return st.failed ? 1 : 0;
}
