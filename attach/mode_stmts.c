// SPDX-License-Identifier: MIT
/*
 * mode_stmts.c - the statements mode (bpf/stmts.bpf.c): a database's
 * statements as pg_stat_statements counts them, from uprobes on its
 * executor's functions, aggregated in the kernel by a literal-blind hash of
 * their text, one entry for all CPUs. Each site's role is its probe's
 * index (enum ut_stmt_role); where the database keeps what is read (struct
 * ut_pg_layout) goes into the object's .rodata before load. Its readers hand on each statement's
 * figures and execution-time buckets.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>

#include "mode.h"
#include "session_priv.h"
/* after the shared structs its .rodata uses */
#include "stmts.skel.h"

/* The session's skeleton, typed: only a statements session's has these maps. */
static struct stmts_bpf *skel_of(const struct attach_session *s)
{
	return s->mode == &session_mode_stmts ? s->skel.skel : NULL;
}

/* The layout the program reads, fixed before load. */
static int stmts_size_maps(struct attach_session *s)
{
	struct stmts_bpf *sk = skel_of(s);

	if (!sk || !s->opts.stmts.layout)
		return session_err(s, -EINVAL, "statements: no layout of the database's structs");
	sk->rodata->pg = *s->opts.stmts.layout;
	return 0;
}

static void stmts_setup(struct mode_skel *ms, struct stmts_bpf *sk)
{
	ms->prog = sk->progs.usdt_stmts;
}

MODE_SKEL_OPS(stmts, stmts_setup)

const struct session_mode session_mode_stmts = {
	.name = "statements",
	.source = MODE_SOURCE_UPROBES,
	.open = stmts_open,
	.destroy = stmts_destroy,
	.size_maps = stmts_size_maps,
};

/* @st's figures added into @sum (a minimum only where there was a call or plan). */
static void merge_stats(struct ut_stmt_stats *sum, const struct ut_stmt_stats *st)
{
	if (st->calls && (!sum->calls || st->exec_min < sum->exec_min))
		sum->exec_min = st->exec_min;
	if (st->plans && (!sum->plans || st->plan_min < sum->plan_min))
		sum->plan_min = st->plan_min;
	sum->calls += st->calls;
	sum->rows += st->rows;
	sum->exec_ns += st->exec_ns;
	sum->exec_max = st->exec_max > sum->exec_max ? st->exec_max : sum->exec_max;
	sum->plans += st->plans;
	sum->plan_ns += st->plan_ns;
	sum->plan_max = st->plan_max > sum->plan_max ? st->plan_max : sum->plan_max;
	sum->whole_ns += st->whole_ns;
	sum->whole_max = st->whole_max > sum->whole_max ? st->whole_max : sum->whole_max;
}

struct stmts_walk {
	attach_stmt_fn cb;
	attach_stmt_bucket_fn bucket_cb;
	void *ctx;
};

static int stmt_of(void *ctx, const void *key, const void *vals, int ncpu)
{
	struct stmts_walk *w = ctx;
	struct ut_stmt_stats sum = {};
	int c;

	for (c = 0; c < ncpu; c++)
		merge_stats(&sum, (const struct ut_stmt_stats *)vals + c);
	w->cb(w->ctx, key, &sum);
	return 0;
}

int attach_session__stmts(const struct attach_session *s, attach_stmt_fn cb, void *ctx)
{
	struct stmts_bpf *sk = skel_of(s);
	struct stmts_walk w = { .cb = cb, .ctx = ctx };

	if (!sk)
		return -EINVAL;
	return session_map_walk(bpf_map__fd(sk->maps.stmts), sizeof(struct ut_stmt_key),
				sizeof(struct ut_stmt_stats), false, stmt_of, &w);
}

static int bucket_of(void *ctx, const void *key, const void *vals, int ncpu)
{
	const struct ut_stmt_bucket *b = key;
	struct stmts_walk *w = ctx;
	uint64_t n = 0;

	session_sum_cpus(vals, ncpu, 1, &n);
	w->bucket_cb(w->ctx, &b->key, b->bucket, n);
	return 0;
}

int attach_session__stmt_buckets(const struct attach_session *s, attach_stmt_bucket_fn cb,
				 void *ctx)
{
	struct stmts_bpf *sk = skel_of(s);
	struct stmts_walk w = { .bucket_cb = cb, .ctx = ctx };

	if (!sk)
		return -EINVAL;
	return session_map_walk(bpf_map__fd(sk->maps.stmt_buckets),
				sizeof(struct ut_stmt_bucket), sizeof(uint64_t), false, bucket_of,
				&w);
}
