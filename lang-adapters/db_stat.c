// SPDX-License-Identifier: MIT
/*
 * db_stat.c - a database's probe hits added up, waits paired per backend
 * (db_stat.h).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "db_stat.h"

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

static void wait_begin(struct db_stat *st, const struct db_hit *ev, bool lw,
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

static void wait_end(struct db_stat *st, const struct db_hit *ev, bool lw)
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

static void lock_begin(struct db_stat *st, const struct db_hit *h)
{
	int k = st->a->db ? st->a->db->lock_mode_arg : -1;
	const char *mode = k >= 0 && k < h->nr_args ? lang_lock_mode(st->a, h->args[k]) : NULL;
	char buf[32];

	if (!mode) {
		snprintf(buf, sizeof(buf), "mode %" PRIu64, k >= 0 && k < h->nr_args ?
			 h->args[k] : 0);
		mode = buf;
	}
	wait_begin(st, h, false, mode);
}

static void lwlock_begin(struct db_stat *st, const struct db_hit *h)
{
	char name[DB_NAME_LEN];

	if (h->str0)
		snprintf(name, sizeof(name), "%.*s", (int)h->len0, h->str0);
	else
		snprintf(name, sizeof(name), "<unread>");
	wait_begin(st, h, true, name);
}

void db_stat__init(struct db_stat *st, const struct lang_adapter *a)
{
	memset(st, 0, sizeof(*st));
	st->a = a;
}

void db_stat__hit(struct db_stat *st, const struct db_hit *h)
{
	int found = st->a->db ? st->a->db->buffer_found_arg : -1;

	switch (h->event) {
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
		lock_begin(st, h);
		break;
	case LANG_LOCK_WAIT_END:
		wait_end(st, h, false);
		break;
	case LANG_LWLOCK_WAIT_BEGIN:
		lwlock_begin(st, h);
		break;
	case LANG_LWLOCK_WAIT_END:
		wait_end(st, h, true);
		break;
	case LANG_BUFFER_READ:
		if (found >= 0 && found < h->nr_args && h->args[found])
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

void db_stat__interval(struct db_stat *st, struct db_counts *out)
{
	delta(out, &st->total, &st->prev);
	st->prev = st->total;
}
