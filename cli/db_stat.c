// SPDX-License-Identifier: MIT
/*
 * db_stat.c - `usdtrace stat -l postgresql`: per interval and in total, a
 * database's transactions committed and aborted, statements finished,
 * heavyweight lock waits (count and time, by lock mode), lwlock waits (by
 * tranche name), buffer reads (from disk or the OS) and hits (found in
 * shared buffers), sorts, checkpoints and deadlocks. The probes stream as
 * events; waits are paired per backend here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../writer/decode.h"
#include "../writer/json.h"
#include "../writer/prom.h"
#include "db_stat.h"
#include "lang_cmd.h"
#include "report.h"

#define DB_NAMES	64	/* lock modes and lwlock tranches kept by name */
#define DB_NAME_LEN	48
#define DB_WAITERS	1024	/* backends waiting at once */

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

struct db_stat_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	struct db_counts total;
	struct db_counts prev;
	struct db_waiter waiting[DB_WAITERS];
	uint64_t last_ns;
};

/* The slot of @name in @tab, added if new; the last slot takes the rest. */
static int wait_slot(struct db_wait *tab, const char *name)
{
	int i;

	for (i = 0; i < DB_NAMES - 1 && tab[i].name[0]; i++) {
		if (!strcmp(tab[i].name, name))
			return i;
	}
	if (i == DB_NAMES - 1)
		name = "other";
	snprintf(tab[i].name, sizeof(tab[i].name), "%s", name);
	return i;
}

static void wait_begin(struct db_stat_state *st, const struct ut_event *ev, bool lw,
		       const char *name)
{
	struct db_wait *tab = lw ? st->total.lwlocks : st->total.locks;
	int i, what = wait_slot(tab, name);

	tab[what].waits++;
	if (lw)
		st->total.lwlock_waits++;
	else
		st->total.lock_waits++;
	for (i = 0; i < DB_WAITERS; i++) {
		if (!st->waiting[i].ts || (st->waiting[i].tid == ev->tid &&
					   st->waiting[i].lw == lw)) {
			st->waiting[i] = (struct db_waiter){ ev->tid, lw, what, ev->ts };
			return;
		}
	}
}

static void wait_end(struct db_stat_state *st, const struct ut_event *ev, bool lw)
{
	struct db_waiter *wt;
	uint64_t ns;
	int i;

	for (i = 0; i < DB_WAITERS; i++) {
		wt = &st->waiting[i];
		if (!wt->ts || wt->tid != ev->tid || wt->lw != lw)
			continue;
		ns = ev->ts - wt->ts;
		if (lw) {
			st->total.lwlock_ns += ns;
			st->total.lwlocks[wt->what].ns += ns;
		} else {
			st->total.lock_ns += ns;
			st->total.locks[wt->what].ns += ns;
		}
		wt->ts = 0;
		return;
	}
}

static void lock_begin(struct db_stat_state *st, const struct ut_event *ev,
		       const struct site_info *site)
{
	const struct lang_adapter *a = st->lc.a;
	int k = a->lock_mode_arg;
	const char *mode = k >= 0 && k < site->nr_args ? lang_lock_mode(a, ev->args[k]) : NULL;
	char buf[32];

	if (!mode) {
		snprintf(buf, sizeof(buf), "mode %" PRIu64, k >= 0 ? (uint64_t)ev->args[k] : 0);
		mode = buf;
	}
	wait_begin(st, ev, false, mode);
}

static void lwlock_begin(struct db_stat_state *st, const struct ut_event *ev,
			 const struct site_info *site)
{
	char name[DB_NAME_LEN];
	const char *s;
	size_t len;

	s = (ev->faulted & 1) ? NULL : event_str_arg(ev, site, 0, &len);
	if (s)
		snprintf(name, sizeof(name), "%.*s", (int)len, s);
	else
		snprintf(name, sizeof(name), "<unread>");
	wait_begin(st, ev, true, name);
}

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct db_stat_state *st = ctx;
	int found = st->lc.a->buffer_found_arg;

	st->w->events++;
	switch (lang_cmd__event(&st->lc, site)) {
	case LANG_TX_COMMIT:
		st->total.commits++;
		break;
	case LANG_TX_ABORT:
		st->total.aborts++;
		break;
	case LANG_QUERY_END:
		st->total.queries++;
		break;
	case LANG_LOCK_WAIT_BEGIN:
		lock_begin(st, ev, site);
		break;
	case LANG_LOCK_WAIT_END:
		wait_end(st, ev, false);
		break;
	case LANG_LWLOCK_WAIT_BEGIN:
		lwlock_begin(st, ev, site);
		break;
	case LANG_LWLOCK_WAIT_END:
		wait_end(st, ev, true);
		break;
	case LANG_BUFFER_READ:
		if (found >= 0 && found < site->nr_args && ev->args[found])
			st->total.hits++;
		else
			st->total.reads++;
		break;
	case LANG_SORT:
		st->total.sorts++;
		break;
	case LANG_CHECKPOINT:
		st->total.checkpoints++;
		break;
	case LANG_DEADLOCK:
		st->total.deadlocks++;
		break;
	default:
		break;
	}
}

/*
 * @d = @cur - @prev, field by field: the counters before `locks` are all
 * uint64_t; the names stay in their slots.
 */
static void delta(struct db_counts *d, const struct db_counts *cur, const struct db_counts *prev)
{
	const uint64_t *c = (const void *)cur, *p = (const void *)prev;
	uint64_t *o = (void *)d;
	size_t i;
	int k;

	for (i = 0; i < offsetof(struct db_counts, locks) / sizeof(uint64_t); i++)
		o[i] = c[i] - p[i];
	for (k = 0; k < DB_NAMES; k++) {
		d->locks[k] = cur->locks[k];
		d->locks[k].waits -= prev->locks[k].waits;
		d->locks[k].ns -= prev->locks[k].ns;
		d->lwlocks[k] = cur->lwlocks[k];
		d->lwlocks[k].waits -= prev->lwlocks[k].waits;
		d->lwlocks[k].ns -= prev->lwlocks[k].ns;
	}
}

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

static void print_json(struct db_stat_state *st, const struct db_counts *c, uint64_t now,
		       bool final)
{
	FILE *out = st->w->out;

	fprintf(out, "{\"type\":\"stat\",\"lang\":\"%s\",\"ts\":%" PRIu64 ",%s\"commits\":%"
		PRIu64 ",\"aborts\":%" PRIu64 ",\"queries\":%" PRIu64 ",\"lock_waits\":%" PRIu64
		",\"lock_wait_ns\":%" PRIu64 ",\"lwlock_waits\":%" PRIu64 ",\"lwlock_wait_ns\":%"
		PRIu64 ",\"buffer_reads\":%" PRIu64 ",\"buffer_hits\":%" PRIu64 ",\"sorts\":%"
		PRIu64 ",\"checkpoints\":%" PRIu64 ",\"deadlocks\":%" PRIu64, st->lc.a->lang, now,
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

static void print_text(struct db_stat_state *st, const struct db_counts *c, uint64_t now,
		       bool final)
{
	FILE *out = st->w->out;
	char when[24] = "total";

	if (!st->last_ns)
		fprintf(out, "%-9s %8s %7s %8s %6s %9s %7s %10s %9s %9s %6s %5s %5s\n", "TIME(s)",
			"COMMITS", "ABORTS", "QUERIES", "LOCKW", "LOCK_MS", "LWLOCKW",
			"LWLOCK_MS", "READS", "HITS", "SORTS", "CKPT", "DEADL");
	if (!final)
		snprintf(when, sizeof(when), "%.3f", (double)(now - st->w->t0_ns) / 1e9);
	fprintf(out, "%-9s %8" PRIu64 " %7" PRIu64 " %8" PRIu64 " %6" PRIu64 " %9.3f %7" PRIu64
		" %10.3f %9" PRIu64 " %9" PRIu64 " %6" PRIu64 " %5" PRIu64 " %5" PRIu64 "\n", when,
		c->commits, c->aborts, c->queries, c->lock_waits, (double)c->lock_ns / 1e6,
		c->lwlock_waits, (double)c->lwlock_ns / 1e6, c->reads, c->hits, c->sorts,
		c->checkpoints, c->deadlocks);
	text_waits(out, "lock", c->locks);
	text_waits(out, "lwlock", c->lwlocks);
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct db_stat_state *st = ctx;
	struct db_counts *d = malloc(sizeof(*d));

	(void)s;
	if (st->lc.serve) {	/* served, not printed */
		free(d);
		return;
	}
	if (!d) {
		usdtrace_err("stat: %s", strerror(ENOMEM));
		return;
	}
	if (final) {
		*d = st->total;
	} else {
		delta(d, &st->total, &st->prev);
		st->prev = st->total;
	}
	if (st->w->json)
		print_json(st, d, now, final);
	else
		print_text(st, d, now, final);
	st->last_ns = now;
	fflush(st->w->out);
	free(d);
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

/* --serve: the totals so far, as counters labelled lang. */
static int db_stat_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct db_stat_state *st = ctx;
	const struct db_counts *c = &st->total;
	const char *lang = st->lc.a->lang;
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
		serve_lang_counter(out, fig[i].name, fig[i].help, lang, fig[i].v);
	serve_waits(out, "lock", "mode", lang, c->locks);
	serve_waits(out, "lwlock", "tranche", lang, c->lwlocks);
	serve_common_families(out, s, 0);
	return 0;
}

int db_stat_run(const char *name, struct cli_opts *o)
{
	struct event_writer w = {};
	struct db_stat_state *st = calloc(1, sizeof(*st));
	struct runner_hooks hooks = { .on_event = on_event, .on_tick = on_tick };
	unsigned int mask = (1u << LANG_TX_COMMIT) | (1u << LANG_TX_ABORT) |
			    (1u << LANG_QUERY_END) | (1u << LANG_LOCK_WAIT_BEGIN) |
			    (1u << LANG_LOCK_WAIT_END) | (1u << LANG_LWLOCK_WAIT_BEGIN) |
			    (1u << LANG_LWLOCK_WAIT_END) | (1u << LANG_BUFFER_READ) |
			    (1u << LANG_SORT) | (1u << LANG_CHECKPOINT) | (1u << LANG_DEADLOCK);
	int err, status;

	if (!st) {
		usdtrace_err("%s: %s", name, strerror(ENOMEM));
		return 1;
	}
	st->w = &w;
	hooks.ctx = st;
	if (!o->strlen_set)
		o->run.str_len = DB_NAME_LEN;	/* lwlock tranche names */
	lang_cmd__init(&st->lc, name, o);
	err = lang_cmd__prepare(&st->lc, mask, ATTACH_TRACE);
	if (!err)
		err = lang_cmd__serve(&st->lc, db_stat_render, &hooks);
	status = err ? 1 : lang_cmd__run(&st->lc, &hooks, &w);
	lang_cmd__free(&st->lc);
	free(st);
	return status;
}
