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
static int row_texts(struct stmt_table *t, const char *text, size_t len)
{
	size_t at, need, n;
	bool as_sent;

	len = sql_trim(text, len, &at);
	text += at;
	need = 3 * len + 16;
	as_sent = t->raw || sql_is_utility(text, len);
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
	struct stmt_row *r = row_texts(t, text, len) ? NULL :
			     row_of(t, t->canon, t->norm, cut);

	if (!r)
		return -ENOMEM;
	r->count++;
	r->total_ns += dur;
	if (dur > r->max_ns)
		r->max_ns = dur;
	hist_add(&r->h, ut_lat_bucket(dur), 1);
	return 0;
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
	struct stmt_row *r, *next;
	size_t i;

	for (i = 0; i < STMT_BUCKETS; i++) {
		for (r = t->buckets[i]; r; r = next) {
			next = r->next;
			free(r->key);
			free(r->text);
			free(r);
		}
	}
	free(t->norm);
	free(t->canon);
}
