// SPDX-License-Identifier: MIT
/*
 * statements.c - a database's statements, one row per normalized text
 * (statements.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sql/normalize.h"
#include "../util/vec.h"
#include "statements.h"

static uint64_t fnv(const char *s, bool cut)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ cut;
}

/* The row of canonical @key, made with @text shown when new. */
static struct stmt_row *row_of(struct stmt_table *t, const char *key, const char *text,
			       bool cut)
{
	uint64_t h = fnv(key, cut);
	struct stmt_row **head = &t->buckets[h % STMT_BUCKETS], *r;

	for (r = *head; r; r = r->next) {
		if (r->cut == cut && !strcmp(r->key, key))
			return r;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->key = strdup(key)) || !(r->text = strdup(text))) {
		if (r)
			free(r->key);
		free(r);
		return NULL;
	}
	r->cut = cut;
	r->next = *head;
	*head = r;
	t->nr++;
	return r;
}

/*
 * The row's text into t->norm: the statement trimmed as pg_stat_statements
 * cuts it, normalized unless --raw or a utility statement; its canonical
 * key into t->canon (the text itself when kept as sent).
 */
static int row_texts(struct stmt_table *t, const char *text, size_t len, bool as_sent)
{
	size_t at, need, n;

	len = sql_trim(text, len, &at);
	text += at;
	need = 3 * len + 16;
	if (vec__reserve((void **)&t->norm, &t->norm_size, need, 1, need) ||
	    vec__reserve((void **)&t->canon, &t->canon_size, need, 1, need))
		return -ENOMEM;
	if (as_sent) {
		memcpy(t->norm, text, len);
		t->norm[len] = '\0';
		memcpy(t->canon, t->norm, len + 1);
		return 0;
	}
	/* cannot fail: 3 * len + 16 bytes suffice for either */
	n = (size_t)sql_normalize(text, len, t->norm, t->norm_size);
	sql_canonical(t->norm, n, t->canon, t->canon_size);
	return 0;
}

int stmt_table__add(struct stmt_table *t, const char *text, size_t len, bool cut,
		   uint64_t dur)
{
	struct stmt_row *r = row_texts(t, text, len, t->raw || sql_is_utility(text, len)) ?
			     NULL : row_of(t, t->canon, t->norm, cut);

	if (!r)
		return -ENOMEM;
	r->count++;
	r->total_ns += dur;
	if (dur > r->max_ns)
		r->max_ns = dur;
	hist_add(&r->h, ut_lat_bucket(dur), 1);
	return 0;
}

static void add_time(struct stmt_time *to, uint64_t n, uint64_t total, uint64_t min,
		     uint64_t max)
{
	if (!n)
		return;
	if (!to->n || min < to->min_ns)
		to->min_ns = min;
	if (max > to->max_ns)
		to->max_ns = max;
	to->n += n;
	to->total_ns += total;
}

/* @e's shown text and row key, normalized at its first rebuild only. */
static int text_forms(struct stmt_table *t, struct stmt_text *e)
{
	if (e->canon)
		return 0;
	if (row_texts(t, e->text, e->len, e->key.utility))
		return -ENOMEM;
	e->norm = strdup(t->norm);
	e->canon = strdup(t->canon);
	if (e->norm && e->canon)
		return 0;
	stmt_text__clear(e);
	return -ENOMEM;
}

int stmt_table__add_figures(struct stmt_table *t, struct stmt_text *e,
			    const struct ut_stmt_stats *st)
{
	struct stmt_row *r = text_forms(t, e) ? NULL : row_of(t, e->canon, e->norm, e->cut);
	char *shown;

	e->row = r;
	if (!r)
		return -ENOMEM;
	if (!r->count && !r->plan.n) {
		r->seq = e->seq;
	} else if (e->seq < r->seq) {
		shown = strdup(e->norm);
		if (!shown)
			return -ENOMEM;
		free(r->text);
		r->text = shown;
		r->seq = e->seq;
	}
	t->figures = true;
	r->count += st->calls;
	r->rows += st->rows;
	r->total_ns += st->whole_ns + st->plan_ns;
	if (st->whole_max > r->max_ns)
		r->max_ns = st->whole_max;
	add_time(&r->exec, st->calls, st->exec_ns, st->exec_min, st->exec_max);
	add_time(&r->plan, st->plans, st->plan_ns, st->plan_min, st->plan_max);
	return 0;
}

void stmt_table__clear(struct stmt_table *t)
{
	struct stmt_row *r, *next;
	size_t i;

	for (i = 0; i < STMT_BUCKETS; i++) {
		for (r = t->buckets[i]; r; r = next) {
			next = r->next;
			free(r->key);
			free(r->text);
			free(r);
		}
		t->buckets[i] = NULL;
	}
	t->nr = 0;
}

static struct stmt_text **text_slot(const struct stmt_texts *x, const struct ut_stmt_key *key)
{
	return (struct stmt_text **)&x->buckets[(key->hash ^ key->utility) % STMT_BUCKETS];
}

struct stmt_text *stmt_texts__find(const struct stmt_texts *x, const struct ut_stmt_key *key)
{
	struct stmt_text *e;

	for (e = *text_slot(x, key); e; e = e->next) {
		if (e->key.hash == key->hash && e->key.utility == key->utility)
			return e->got == e->len ? e : NULL;
	}
	return NULL;
}

int stmt_texts__piece(struct stmt_texts *x, const struct ut_stmt_key *key, uint64_t len_flags,
		      uint64_t off, const char *bytes, size_t n)
{
	uint32_t len = (uint32_t)(len_flags & 0xffffffffu);
	struct stmt_text **head = text_slot(x, key), *e;

	if (len > UT_STMT_TEXT_MAX || off > len || n > len - off)
		return -EINVAL;
	for (e = *head; e; e = e->next) {
		if (e->key.hash == key->hash && e->key.utility == key->utility)
			break;
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->text = calloc(1, (size_t)len + 1))) {
			free(e);
			return -ENOMEM;
		}
		e->key = *key;
		e->len = len;
		e->seq = x->seq++;
		e->cut = len_flags & UT_STMT_CUT;
		e->next = *head;
		*head = e;
		x->nr++;
	} else if (e->len != len || e->got == e->len) {
		return 0;	/* whole already */
	}
	/* pieces come in order, a sending cut short starts again from 0 */
	memcpy(e->text + off, bytes, n);
	if (off + n > e->got)
		e->got = (uint32_t)(off + n);
	return 0;
}

void stmt_texts__unlink(struct stmt_texts *x)
{
	struct stmt_text *e;
	size_t i;

	for (i = 0; i < STMT_BUCKETS; i++) {
		for (e = x->buckets[i]; e; e = e->next)
			e->row = NULL;
	}
}

void stmt_text__clear(struct stmt_text *e)
{
	free(e->norm);
	free(e->canon);
	e->norm = e->canon = NULL;
}

void stmt_texts__free(struct stmt_texts *x)
{
	struct stmt_text *e, *next;
	size_t i;

	for (i = 0; i < STMT_BUCKETS; i++) {
		for (e = x->buckets[i]; e; e = next) {
			next = e->next;
			stmt_text__clear(e);
			free(e->text);
			free(e);
		}
		x->buckets[i] = NULL;
	}
	x->nr = 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct stmt_row *x = *(const struct stmt_row *const *)a;
	const struct stmt_row *y = *(const struct stmt_row *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->text, y->text);
}

/* The rows, by total time, most first. */
struct stmt_row **stmt_table__sorted(const struct stmt_table *t)
{
	struct stmt_row **v = calloc(t->nr ? t->nr : 1, sizeof(*v)), *r;
	size_t i, n = 0;

	if (!v)
		return NULL;
	for (i = 0; i < STMT_BUCKETS; i++) {
		for (r = t->buckets[i]; r; r = r->next)
			v[n++] = r;
	}
	qsort(v, n, sizeof(*v), cmp_rows);
	return v;
}

void stmt_table__free(struct stmt_table *t)
{
	stmt_table__clear(t);
	free(t->norm);
	free(t->canon);
}
