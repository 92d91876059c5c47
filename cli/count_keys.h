/* SPDX-License-Identifier: MIT */
/*
 * count_keys.h - count --by KEY,...: the key layout the kernel fills
 * (struct ut_key_part, bpf/usdtrace.h) made from the --by list and the
 * probes' FMTs, and the rows the keys read back become: merged per probe
 * (or site), sorted by count, printed as text columns or JSON fields.
 */
#ifndef USDTRACE_COUNT_KEYS_H
#define USDTRACE_COUNT_KEYS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../attach/probe_spec.h"
#include "../attach/session.h"
#include "key_index.h"

struct count_layout {
	bool site;			/* a row per site, not per probe */
	int nr;
	struct ut_key_part parts[UT_MAX_KEYS];
	uint16_t key_size;
};

/* Is @list (probe,site,pid,tid,comm,argN) made of known words? */
bool count_layout__valid(const char *list);
/*
 * The layout of @list for @probes; strings (FMT s or S) share the key's
 * bytes, at most @str_len each. 0, or -EINVAL with the reason in @err.
 */
int count_layout__make(const char *list, const struct probe_spec *probes, int nr_probes,
		       uint32_t str_len, struct count_layout *out, char *err, size_t size);

/*
 * The key's fields after the probe: JSON ',"pid":12,"arg0":"x"' (with
 * "truncated"), or text ' pid=12 arg0="x"'.
 */
void count_key__fields(FILE *out, const struct count_layout *l, const struct site_info *si,
		       const uint8_t *key, bool json);

/*
 * Part @k of @key (of site @si) as a plain label value in @buf (a string as
 * it is, a number as text, "<fault>"), its name ("arg1", "pid") in @name.
 */
const char *count_key__label(const struct count_layout *l, const struct site_info *si,
			     const uint8_t *key, int k, char *buf, size_t size, char *name,
			     size_t nsize);

/* What a keyed run needs from the command line. */
struct cli_layout_req {
	const char *list;
	const struct probe_spec *probes;
	int nr_probes;
	uint32_t str_len;
	uint32_t max_keys;
};

/* count_layout__make(), then the layout into @ao (it points into @l). */
int count_layout__apply(const struct cli_layout_req *req, struct count_layout *l,
			struct attach_opts *ao, char *err, size_t size);

struct key_row {
	/*
	 * The first site seen, copied: the session's table of sites moves when
	 * a library loaded later adds sites; the strings it points to do not.
	 */
	struct site_info si;
	uint8_t key[UT_KEY_MAX];
	uint64_t total;
	uint64_t prev;			/* total at the last interval */
};

struct key_table {
	const struct count_layout *l;
	struct key_row *rows;
	size_t nr, cap;
	struct key_index index;	/* rows by key (key_index.h) */
};

/* Add @count to the row of @key (its site from @s). 0 or -ENOMEM. */
int key_table__add(struct key_table *t, struct attach_session *s, const uint8_t *key,
		   uint64_t count);
void key_table__sort(struct key_table *t);
/* No rows (the next read makes them again). */
void key_table__reset(struct key_table *t);
/* Rows (at most @top, 0: all): text columns, or one JSON count record each. */
void key_table__print(const struct key_table *t, FILE *out, bool json, bool final,
		      uint64_t now, long top, uint64_t overflow);
void key_table__free(struct key_table *t);
/* count_key__label() of row @r. */
const char *key_table__label(const struct key_table *t, const struct key_row *r, int k,
			     char *buf, size_t size, char *name, size_t nsize);

#endif /* USDTRACE_COUNT_KEYS_H */
