// SPDX-License-Identifier: MIT
/*
 * mode_count.c - the count mode (bpf/count.bpf.c): exact hits per site,
 * or per key of --by parts, counted in the kernel; its readers sum the
 * per-CPU counters.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mode.h"
#include "session_priv.h"
/* after the shared structs its .rodata uses */
#include "count.skel.h"

/* The session's skeleton, typed: only a count session's has these maps. */
static struct count_bpf *skel_of(const struct attach_session *s)
{
	return s->mode == &session_mode_count ? s->skel.skel : NULL;
}

static bool has_stack_key(const struct attach_session *s)
{
	int k;

	for (k = 0; k < s->opts.keys.nr; k++) {
		if (s->opts.keys.parts[k].kind == UT_KEY_USTACK)
			return true;
	}
	return false;
}

/*
 * One counter per site, as many as sites can be, or the keyed table: never
 * both (preallocating what nobody uses costs start-up time and memory).
 */
static int count_size_maps(struct attach_session *s)
{
	bool keyed = s->opts.keys.nr > 0;
	struct bpf_map *keys = skel_of(s)->maps.key_counts;
	int err;

	err = bpf_map__set_max_entries(skel_of(s)->maps.site_counts, keyed ? 1 : s->max_sites);
	if (!err && keyed)
		err = bpf_map__set_key_size(keys, s->opts.keys.size);
	if (!err)
		err = bpf_map__set_max_entries(keys, keyed ? s->opts.keys.max : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel_of(s)->maps.user_stacks,
					       has_stack_key(s) ? UT_USTACKS : 1);
	return err;
}

/* An argument in a key must be one the probe has. */
static int count_site_roles(struct attach_session *s, int i, const struct sdt_probe *p,
			    struct ut_site_spec *spec)
{
	int k;

	(void)i;
	(void)spec;
	for (k = 0; k < s->opts.keys.nr; k++) {
		const struct ut_key_part *part = &s->opts.keys.parts[k];

		if ((part->kind == UT_KEY_ARG || part->kind == UT_KEY_ARG_STR) &&
		    part->arg >= p->nr_args)
			return session_err(s, -EINVAL, "--by arg%d: %s:%s has %d argument%s",
					   part->arg, p->provider, p->name, p->nr_args,
					   p->nr_args == 1 ? "" : "s");
	}
	return 0;
}

/* Its program (and what else the session takes from its skeleton). */
static void count_setup(struct mode_skel *ms, struct count_bpf *sk)
{
	ms->key_overflow = sk->maps.key_overflow;
	ms->prog = sk->progs.usdt_count;
}

MODE_SKEL_OPS(count, count_setup)

const struct session_mode session_mode_count = {
	.name = "count",
	.source = MODE_SOURCE_UPROBES,
	.open = count_open,
	.destroy = count_destroy,
	.size_maps = count_size_maps,
	.site_roles = count_site_roles,
};

struct keys_walk {
	attach_key_count_fn cb;
	void *ctx;
};

static int key_of(void *ctx, const void *key, const void *vals, int ncpu)
{
	struct keys_walk *kw = ctx;
	uint64_t sum;

	session_sum_cpus(vals, ncpu, 1, &sum);
	kw->cb(kw->ctx, key, sum);
	return 0;
}

int attach_session__key_counts(const struct attach_session *s, attach_key_count_fn cb,
			       void *ctx)
{
	struct count_bpf *sk = skel_of(s);
	struct keys_walk kw = { cb, ctx };

	if (!sk)
		return -EINVAL;
	return session_map_walk(bpf_map__fd(sk->maps.key_counts), s->opts.keys.size,
				sizeof(uint64_t), true, key_of, &kw);
}

int attach_session__user_stack(const struct attach_session *s, uint32_t id, uint64_t *ips)
{
	struct count_bpf *sk = skel_of(s);
	int n;

	if (!sk)
		return -EINVAL;
	memset(ips, 0, UT_STACK_FP_MAX * sizeof(*ips));
	if (bpf_map_lookup_elem(bpf_map__fd(sk->maps.user_stacks), &id, ips))
		return -errno;
	for (n = 0; n < UT_STACK_FP_MAX && ips[n]; n++)
		;
	return n;
}

uint64_t attach_session__key_overflow(const struct attach_session *s)
{
	return session_counter(s->skel.key_overflow);	/* count's or hist's */
}

/* One read of the kernel's counters into rows: the session's sites, the table. */
struct rows_walk {
	const struct attach_session *s;
	struct keytab *t;
};

/* Add @n to the row of @key (a hit of site @id); hook and unknown sites skipped. */
static int add_row(struct rows_walk *rw, uint32_t id, const uint8_t *key, uint64_t n)
{
	struct keytab_row *r;
	bool fresh;

	if (id >= rw->s->nr_sites || rw->s->sites[id].info.probe_idx < 0)
		return 0;
	r = keytab__row(rw->t, &rw->s->sites[id].info, key, &fresh);
	if (!r)
		return -ENOMEM;
	r->total += n;
	return 0;
}

static int key_row(void *ctx, const void *key, const void *vals, int ncpu)
{
	uint64_t sum;

	session_sum_cpus(vals, ncpu, 1, &sum);
	return add_row(ctx, key__site(key), key, sum);
}

int attach_session__count_rows(const struct attach_session *s, struct keytab *t)
{
	struct count_bpf *sk = skel_of(s);
	struct rows_walk rw = { s, t };
	struct ut_key_head head = {};
	uint64_t sum;
	int err = 0;
	__u32 id;

	if (!sk)
		return -EINVAL;
	if (s->opts.keys.nr)
		return session_map_walk(bpf_map__fd(sk->maps.key_counts), s->opts.keys.size,
					sizeof(uint64_t), true, key_row, &rw);
	/* per probe or per site: the per-site array, each site's key its head */
	for (id = 0; !err && id < s->nr_sites; id++) {
		err = session_percpu_sum(bpf_map__fd(sk->maps.site_counts), &id, &sum, 1);
		head.site_id = id;
		if (!err)
			err = add_row(&rw, id, (const uint8_t *)&head, sum);
	}
	return err;
}
