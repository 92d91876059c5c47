// SPDX-License-Identifier: MIT
/*
 * db.c - a database's figures written: stat's counts as a text row, a
 * JSON `stat` record or Prometheus counters; statements as rows (db.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "decode.h"
#include "json.h"
#include "metrics.h"
#include "prom.h"
#include "text.h"

static void json_waits(FILE *out, const char *key, const struct db_wait *tab)
{
	bool first = true;
	int k;

	fprintf(out, ",\"%s\":{", key);
	for (k = 0; k < DB_NAMES && tab[k].name[0]; k++) {
		if (!tab[k].waits && !tab[k].ns)
			continue;
		fputs(first ? "" : ",", out);
		json_write_str(out, tab[k].name);
		fprintf(out, ":{\"waits\":%" PRIu64 ",\"ns\":%" PRIu64 "}", tab[k].waits,
			tab[k].ns);
		first = false;
	}
	fputc('}', out);
}

void db_counts__write_json(FILE *out, const char *lang, const struct db_counts *c,
			   uint64_t now, bool final)
{

	fprintf(out, "{\"type\":\"stat\",\"lang\":\"%s\",\"ts\":%" PRIu64 ",%s\"commits\":%"
		PRIu64 ",\"aborts\":%" PRIu64 ",\"queries\":%" PRIu64 ",\"lock_waits\":%" PRIu64
		",\"lock_wait_ns\":%" PRIu64 ",\"lwlock_waits\":%" PRIu64 ",\"lwlock_wait_ns\":%"
		PRIu64 ",\"buffer_reads\":%" PRIu64 ",\"buffer_hits\":%" PRIu64 ",\"sorts\":%"
		PRIu64 ",\"checkpoints\":%" PRIu64 ",\"deadlocks\":%" PRIu64, lang, now,
		final ? "" : "\"interval\":true,", c->commits, c->aborts, c->queries,
		c->lock_waits, c->lock_ns, c->lwlock_waits, c->lwlock_ns, c->reads, c->hits,
		c->sorts, c->checkpoints, c->deadlocks);
	json_waits(out, "lock_modes", c->locks);
	json_waits(out, "lwlock_tranches", c->lwlocks);
	fputs("}\n", out);
}

static void text_waits(FILE *out, const char *what, const struct db_wait *tab)
{
	int k;

	for (k = 0; k < DB_NAMES && tab[k].name[0]; k++) {
		if (tab[k].waits || tab[k].ns)
			fprintf(out, "          %s %-28s %8" PRIu64 " waits %12.3f ms\n", what,
				tab[k].name, tab[k].waits, (double)tab[k].ns / 1e6);
	}
}

void db_counts__write_text(FILE *out, const struct db_counts *c, bool header,
			   const char *when)
{
	if (header)
		fprintf(out, "%-9s %8s %7s %8s %6s %9s %7s %10s %9s %9s %6s %5s %5s\n", "TIME(s)",
			"COMMITS", "ABORTS", "QUERIES", "LOCKW", "LOCK_MS", "LWLOCKW",
			"LWLOCK_MS", "READS", "HITS", "SORTS", "CKPT", "DEADL");
	fprintf(out, "%-9s %8" PRIu64 " %7" PRIu64 " %8" PRIu64 " %6" PRIu64 " %9.3f %7" PRIu64
		" %10.3f %9" PRIu64 " %9" PRIu64 " %6" PRIu64 " %5" PRIu64 " %5" PRIu64 "\n", when,
		c->commits, c->aborts, c->queries, c->lock_waits, (double)c->lock_ns / 1e6,
		c->lwlock_waits, (double)c->lwlock_ns / 1e6, c->reads, c->hits, c->sorts,
		c->checkpoints, c->deadlocks);
	text_waits(out, "lock", c->locks);
	text_waits(out, "lwlock", c->lwlocks);
}

/* Waits by @label (mode, tranche): a count family and a seconds family. */
static void serve_waits(FILE *out, const char *what, const char *label, const char *lang,
			const struct db_wait *tab)
{
	struct prom_label l[2] = { { "lang", lang }, { label, NULL } };
	char name[64], help[96];
	int k;

	snprintf(name, sizeof(name), "usdtrace_db_%s_waits_total", what);
	snprintf(help, sizeof(help), "%s waits begun, by %s.", what, label);
	prom_family(out, name, "counter", help);
	for (k = 0; k < DB_NAMES && tab[k].name[0]; k++) {
		l[1].value = tab[k].name;
		prom_sample(out, name, l, 2, tab[k].waits);
	}
	snprintf(name, sizeof(name), "usdtrace_db_%s_wait_seconds_total", what);
	snprintf(help, sizeof(help), "Time in %s waits that ended, by %s.", what, label);
	prom_family(out, name, "counter", help);
	for (k = 0; k < DB_NAMES && tab[k].name[0]; k++) {
		l[1].value = tab[k].name;
		prom_sample_f(out, name, l, 2, (double)tab[k].ns / 1e9);
	}
}

void db_counts__prom(FILE *out, const char *lang, const struct db_counts *c)
{
	const struct {
		const char *name, *help;
		uint64_t v;
	} fig[] = {
		{ "usdtrace_db_commits_total", "Transactions committed.", c->commits },
		{ "usdtrace_db_aborts_total", "Transactions aborted.", c->aborts },
		{ "usdtrace_db_queries_total", "Statements finished.", c->queries },
		{ "usdtrace_db_buffer_reads_total", "Buffers read from disk or the OS.", c->reads },
		{ "usdtrace_db_buffer_hits_total", "Buffers found in shared buffers.", c->hits },
		{ "usdtrace_db_sorts_total", "Sorts begun.", c->sorts },
		{ "usdtrace_db_checkpoints_total", "Checkpoints begun.", c->checkpoints },
		{ "usdtrace_db_deadlocks_total", "Deadlocks found.", c->deadlocks },
	};
	size_t i;

	for (i = 0; i < sizeof(fig) / sizeof(fig[0]); i++)
		metrics_lang_counter(out, fig[i].name, fig[i].help, lang, fig[i].v);
	serve_waits(out, "lock", "mode", lang, c->locks);
	serve_waits(out, "lwlock", "tranche", lang, c->lwlocks);
}

/* pg_stat_statements' columns of a time: how many, total, min, max, mean. */
static void json_time(FILE *out, const char *name, const struct stmt_time *t, bool count)
{
	if (count)
		fprintf(out, ",\"%ss\":%" PRIu64, name, t->n);
	fprintf(out, ",\"%s_ns\":%" PRIu64 ",\"%s_min_ns\":%" PRIu64 ",\"%s_max_ns\":%" PRIu64
		",\"%s_mean_ns\":%" PRIu64, name, t->total_ns, name, t->min_ns, name, t->max_ns,
		name, t->n ? t->total_ns / t->n : 0);
}

/* The percentile's base: execution times with figures, whole ones without. */
static uint64_t row_p99(const struct stmt_row *r, bool figures)
{
	return figures ? hist_percentile(&r->h, 0.99, r->exec.min_ns, r->exec.max_ns) :
			 hist_percentile(&r->h, 0.99, 0, r->max_ns);
}

void stmt_row__write_json(FILE *out, const char *lang, const struct stmt_row *r, bool figures,
			  uint64_t now, bool final)
{
	fprintf(out, "{\"type\":\"calls\",\"lang\":\"%s\",\"method\":", lang);
	json_write_str(out, r->text);
	fprintf(out, ",\"count\":%" PRIu64 ",\"total_ns\":%" PRIu64 ",\"mean_ns\":%" PRIu64
		",\"max_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64 ",\"untimed\":0", r->count,
		r->total_ns, r->count ? r->total_ns / r->count : 0, r->max_ns,
		row_p99(r, figures));
	if (figures) {
		fprintf(out, ",\"rows\":%" PRIu64, r->rows);
		json_time(out, "exec", &r->exec, false);
		json_time(out, "plan", &r->plan, true);
	}
	if (r->cut)
		fputs(",\"truncated\":true", out);
	if (!final)
		fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, now);
	fputs("}\n", out);
}

void stmt_row__write_text(FILE *out, const struct stmt_row *r, bool figures)
{
	uint64_t p99 = row_p99(r, figures);

	if (figures)
		fprintf(out, "%10" PRIu64 " %10" PRIu64 " %12.3f %10.3f %10.3f %10.3f %10.3f  ",
			r->count, r->rows, (double)r->exec.total_ns / 1e6,
			(double)(r->count ? r->exec.total_ns / r->count : 0) / 1e6,
			(double)r->exec.max_ns / 1e6, (double)p99 / 1e6,
			(double)r->plan.total_ns / 1e6);
	else
		fprintf(out, "%10" PRIu64 " %12.3f %10.3f %10.3f %10.3f  ", r->count,
			(double)r->total_ns / 1e6, (double)(r->total_ns / r->count) / 1e6,
			(double)r->max_ns / 1e6, (double)p99 / 1e6);
	text_write_quoted(out, r->text, strlen(r->text));
	if (r->cut)
		fputs("...", out);
	fputc('\n', out);
}

void stmt_rows__header(FILE *out, bool figures)
{
	if (figures)
		fprintf(out, "%10s %10s %12s %10s %10s %10s %10s  %s\n", "CALLS", "ROWS", "EXEC_MS",
			"MEAN_MS", "MAX_MS", "P99_MS", "PLAN_MS", "QUERY");
	else
		fprintf(out, "%10s %12s %10s %10s %10s  %s\n", "CALLS", "TOTAL_MS", "MEAN_MS",
			"MAX_MS", "P99_MS", "QUERY");
}

/* --min: a statement at least that long (bpf/stmts.bpf.c's UT_EV_STMT_SLOW). */
void stmt_slow__write(FILE *out, bool json, uint64_t t0, const struct ut_event *ev,
		      const char *text, size_t len)
{
	char comm[UT_COMM_LEN + 1];

	event_comm(ev, comm);
	if (json) {
		fprintf(out, "{\"type\":\"slow\",\"ts\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"comm\":", (uint64_t)ev->ts, ev->pid, ev->tid);
		json_write_str(out, comm);
		fprintf(out, ",\"dur_ns\":%" PRIu64 ",\"exec_ns\":%" PRIu64 ",\"rows\":%" PRIu64
			",\"query\":", (uint64_t)ev->args[3], (uint64_t)ev->args[2],
			(uint64_t)ev->args[4]);
		json_write_strn(out, text, len);
		if (ev->truncated)
			fputs(",\"truncated\":true", out);
		fputs("}\n", out);
		return;
	}
	fprintf(out, "%-12.6f %-7u %-7u %-16s %10.3f %10.3f %10" PRIu64 "  ",
		(double)(ev->ts - t0) / 1e9, ev->pid, ev->tid, comm, (double)ev->args[3] / 1e6,
		(double)ev->args[2] / 1e6, (uint64_t)ev->args[4]);
	text_write_quoted(out, text, len);
	if (ev->truncated)
		fputs("...", out);
	fputc('\n', out);
}

void stmt_slow__header(FILE *out)
{
	fprintf(out, "%-12s %-7s %-7s %-16s %10s %10s %10s  %s\n", "TIME(s)", "PID", "TID", "COMM",
		"MS", "EXEC_MS", "ROWS", "QUERY");
}

void stmt_unmatched__prom(FILE *out, uint64_t unmatched)
{
	prom_family(out, "usdtrace_unmatched_total", "counter",
		    "Statements started that did not finish (an error ends one without "
		    "query__done).");
	prom_sample(out, "usdtrace_unmatched_total", NULL, 0, unmatched);
}
