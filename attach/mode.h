/* SPDX-License-Identifier: MIT */
/*
 * mode.h - one descriptor per attach mode (trace, count, latency, calls,
 * hist): where its program runs (its source), its BPF object (one .bpf.c
 * each, opened through its skeleton, whose maps and programs are fields),
 * the maps it sizes, and the roles it gives each site. How its results
 * are read are the mode file's own attach_session__* readers (session.h).
 * A new kind of BPF work is one more mode_*.c and one entry in modes.c,
 * not branches elsewhere.
 */
#ifndef USDTRACE_MODE_H
#define USDTRACE_MODE_H

#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/types.h>
#include <stddef.h>

#include "../bpf/usdtrace.h"
#include "../sdt/sdt.h"
#include "session.h"

/* Where a mode's BPF program runs. */
enum mode_source {
	MODE_SOURCE_UPROBES,	/* the probe sites matched in the targets' objects */
	MODE_SOURCE_PERF_CPU,	/* a perf event on every CPU (a sampler) */
};

/*
 * A mode's opened skeleton as the session uses it: every field taken from
 * the skeleton by name at compile time (skel->maps.events), so a map the
 * object lacks fails the build, not a run.
 */
struct mode_skel {
	void *skel;			/* the mode's own struct xxx_bpf, owned */
	struct bpf_object *obj;
	struct ut_config *cfg;		/* its .rodata settings, written before load */
	/* the maps every mode's object has (bpf/common.bpf.h) */
	struct bpf_map *site_specs, *events, *preds, *followed, *drops, *filtered, *faults;
	struct bpf_map *key_overflow;	/* modes with --by keys, else NULL */
	struct bpf_program *prog;	/* what the mode's sites run */
	struct bpf_program *prog_str;	/* its sleepable twin for string args, or NULL */
	struct bpf_program *hook;	/* the ld.so hook's */
};

/* The common fields of @ms from skeleton @sk (any mode's: they share the names). */
#define MODE_SKEL_COMMON(ms, sk)						\
	do {									\
		(ms)->skel = (sk);						\
		(ms)->obj = (sk)->obj;						\
		(ms)->cfg = &(sk)->rodata->cfg;					\
		(ms)->site_specs = (sk)->maps.site_specs;			\
		(ms)->events = (sk)->maps.events;				\
		(ms)->preds = (sk)->maps.preds;					\
		(ms)->followed = (sk)->maps.followed;				\
		(ms)->drops = (sk)->maps.drops;					\
		(ms)->filtered = (sk)->maps.filtered;				\
		(ms)->faults = (sk)->maps.faults;				\
		(ms)->hook = (sk)->progs.usdt_dlhook;				\
	} while (0)

/*
 * The open and destroy of mode @m's skeleton (struct m##_bpf): the common
 * fields, then @setup(ms, sk) sets the mode's own (its program, ...).
 */
#define MODE_SKEL_OPS(m, setup)							\
	static int m##_open(struct mode_skel *ms, const struct bpf_object_open_opts *oo) \
	{									\
		struct m##_bpf *sk = m##_bpf__open_opts(oo);			\
										\
		if (!sk)							\
			return -errno;						\
		MODE_SKEL_COMMON(ms, sk);					\
		setup(ms, sk);							\
		return 0;							\
	}									\
	static void m##_destroy(void *skel)					\
	{									\
		m##_bpf__destroy(skel);						\
	}

struct session_mode {
	const char *name;
	enum mode_source source;
	/*
	 * Open the mode's skeleton into @ms (MODE_SKEL_COMMON, then its
	 * programs). -Exxx when libbpf cannot.
	 */
	int (*open)(struct mode_skel *ms, const struct bpf_object_open_opts *oo);
	void (*destroy)(void *skel);
	/* size the mode's own maps before load; NULL: as the object declares */
	int (*size_maps)(struct attach_session *s);
	/*
	 * The roles of a site of user probe @i (note @p) in @spec->flags and
	 * friends; NULL: none. -Exxx with the session's errmsg set.
	 */
	int (*site_roles)(struct attach_session *s, int i, const struct sdt_probe *p,
			  struct ut_site_spec *spec);
};

extern const struct session_mode session_mode_trace;
extern const struct session_mode session_mode_count;
extern const struct session_mode session_mode_latency;
extern const struct session_mode session_mode_calls;
extern const struct session_mode session_mode_hist;
extern const struct session_mode session_mode_profile;
extern const struct session_mode session_mode_stmts;

/* The descriptor of @mode, NULL for an unknown one. */
const struct session_mode *session_mode__get(enum attach_mode mode);

#endif /* USDTRACE_MODE_H */
