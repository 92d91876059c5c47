// SPDX-License-Identifier: MIT
/*
 * preds.c - the session's predicates: each user probe's /EXPR/ compiled
 * (expr/) for the arguments of a site it matched, and kept once in the
 * BPF preds map, whose slot the site's spec names (pred_id). Sites of one
 * probe share a slot; a predicate that does not fit a site (an argument
 * past its count) is an error before the run starts.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../expr/expr.h"
#include "session_priv.h"

/* Slot of @p in the preds map, added when new. Returns it or -Exxx. */
static int pred_slot(struct attach_session *s, const struct ut_pred *p)
{
	__u32 id;

	for (id = 1; id < (__u32)s->nr_preds; id++) {
		if (!memcmp(&s->preds[id], p, sizeof(*p)))
			return (int)id;
	}
	if (s->nr_preds >= s->max_preds)
		return session_err(s, -E2BIG, "more than %d different predicates",
				   s->max_preds - 1);
	id = (__u32)s->nr_preds;
	s->preds[id] = *p;
	if (bpf_map_update_elem(s->preds_fd, &id, p, BPF_ANY))
		return session_err(s, -errno, "BPF: predicate: %s", strerror(errno));
	s->nr_preds++;
	return (int)id;
}

int session_site_pred(struct attach_session *s, int i, int nr_args, const char *fmt,
		      struct ut_site_spec *spec)
{
	const struct probe_spec *ps = &s->probes[i];
	struct expr_args args = { .nr_args = nr_args };
	struct expr_error err;
	struct ut_pred *p;
	int id;

	if (!ps->pred)
		return 0;
	memcpy(args.fmt, fmt, (size_t)(nr_args < UT_MAX_ARGS ? nr_args : UT_MAX_ARGS));
	p = malloc(sizeof(*p));
	if (!p)
		return session_err(s, -ENOMEM, "out of memory");
	id = expr__compile(ps->pred, &args, p, &err);
	if (id)
		id = session_err(s, id, "%s: column %d: %s", ps->text, err.column, err.msg);
	else
		id = pred_slot(s, p);
	free(p);
	if (id < 0)
		return id;
	spec->pred_id = (__u8)id;
	spec->fast = s->preds[id].fast;	/* one comparison: decided from the spec */
	return 0;
}

int session_preds_init(struct attach_session *s)
{
	int i, n = 1;

	for (i = 0; i < s->nr_probes; i++)
		n += s->probes[i].pred != NULL;
	if (n > 255)
		return session_err(s, -E2BIG, "more than 254 probes with predicates");
	s->max_preds = n;
	s->nr_preds = 1;	/* slot 0: no predicate */
	s->preds = calloc((size_t)n, sizeof(*s->preds));
	return s->preds ? 0 : session_err(s, -ENOMEM, "out of memory");
}
