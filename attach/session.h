/* SPDX-License-Identifier: MIT */
/*
 * session.h - an attach session: the BPF program loaded once, every
 * matched probe site attached through it, and the objects a traced
 * process maps later picked up through the dynamic linker's hook.
 *
 * Lifecycle: attach_session__new() -> attach_session__attach() ->
 * attach_session__poll() until done -> attach_session__free(), which
 * detaches everything. The kernel also undoes every uprobe and semaphore
 * reference when the process dies, since nothing is pinned.
 *
 * The only module that knows both the ELF side and libbpf. It never
 * prints: errors come back as -Exxx with a message from
 * attach_session__errmsg(), warnings and later attaches through callbacks.
 */
#ifndef USDTRACE_SESSION_H
#define USDTRACE_SESSION_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../agg/keytab.h"
#include "../agg/latency.h"
#include "../agg/site.h"
#include "../agg/vhist.h"
#include "../bpf/usdtrace.h"
#include "probe_spec.h"

struct attach_session;

typedef void (*attach_warn_fn)(void *ctx, const char *msg);
/* A later object got @nr_sites sites of @nr_probes probes attached. */
typedef void (*attach_object_fn)(void *ctx, const char *path, int nr_probes, int nr_sites,
				 double ms);
typedef void (*attach_event_fn)(void *ctx, const struct ut_event *ev,
				const struct site_info *site);
/*
 * latency --min: one slow pair, END's event and BEGIN's (kind UT_EV_NOARGS
 * when its args were not kept: then @begin_site is NULL). Called with the
 * poll's ctx.
 */
typedef void (*attach_slow_fn)(void *ctx, const struct ut_event *end,
			       const struct site_info *end_site, const struct ut_event *begin,
			       const struct site_info *begin_site);
/*
 * Before a matched USDT site of @object is attached: 0 to attach it, 1 to
 * leave it off (the callee says why, if it will), or -Exxx to refuse the
 * run with the message written to @why.
 */
typedef int (*attach_site_check_fn)(void *ctx, const char *object, const char *provider,
				    const char *name, char *why, size_t size);

/* What the attached program does with each hit. */
enum attach_mode {
	ATTACH_TRACE,		/* one ring-buffer event per hit */
	ATTACH_COUNT,		/* a per-site (or per key) counter */
	ATTACH_LATENCY,		/* probes[0] BEGIN, probes[1] END: a histogram */
	ATTACH_CALLS,		/* method entries/returns: per-method figures */
	ATTACH_HIST,		/* one argument's values: a histogram */
	ATTACH_PROFILE,		/* samples of every traced thread: UT_EV_SAMPLE events */
	ATTACH_STMTS,		/* a database's statements (probes in enum ut_stmt_role order) */
};

/* count --by / hist --by: the key layout the kernel fills (attach/key_layout.h). */
struct attach_keys {
	const struct ut_key_part *parts;	/* after the key's head; NULL: none */
	int nr;
	uint16_t size;		/* bytes of a key, its head included */
	uint32_t max;		/* keys the kernel table holds */
};

/* ATTACH_LATENCY: probes[0] BEGIN, probes[1] END. */
struct attach_latency {
	int key_arg;		/* BEGIN's argument splitting it, -1: none */
	uint64_t slow_ns;	/* --min: pairs this long are sent whole ... */
	attach_slow_fn on_slow;	/* ... to this, with the poll's ctx */
	bool flat;		/* pairs never nest (UT_SITE_FLAT) */
};

/* ATTACH_HIST: one argument's values. */
struct attach_hist {
	int arg;
	bool linear;		/* linear buckets: [MIN, MAX) in steps of STEP */
	int64_t min;
	int64_t max;
	uint64_t step;
};

/* ATTACH_CALLS: method entries and returns. */
struct attach_calls {
	const uint16_t *probe_flags;	/* UT_SITE_ENTRY/RETURN per probe */
	int8_t ident[UT_IDENT_MAX];	/* args naming the method, -1 none */
};

/* ATTACH_PROFILE: a perf event per CPU. */
struct attach_profile {
	uint32_t freq;		/* samples a second per CPU */
	bool off_cpu;		/* sched_switch: blocked threads instead of samples */
	bool on_cpu;		/* with off_cpu: samples too (wall time) */
	bool dump;		/* a task iterator over pids[0]'s threads, run once */
};

/* ATTACH_STMTS: where the database keeps what is read. */
struct attach_stmts {
	const struct ut_pg_layout *layout;
};

/* --stack (trace, latency --min): the user stack of each event. */
struct attach_stack {
	uint16_t mode;		/* UT_STACK_FP or _DWARF, 0: none */
	uint32_t size;		/* DWARF: bytes of stack copied */
};

struct attach_opts {
	enum attach_mode mode;
	/* the mode's own settings: each mode reads its part only */
	struct attach_keys keys;	/* ATTACH_COUNT, ATTACH_HIST */
	struct attach_latency latency;
	struct attach_hist hist;
	struct attach_calls calls;
	struct attach_profile profile;
	struct attach_stmts stmts;
	struct attach_stack stack;	/* ATTACH_TRACE, ATTACH_LATENCY, ATTACH_PROFILE */
	const char *const *child_env; /* -c: NAME=VALUE entries added to its environment */
	bool quiet_unmatched;	/* no warning for probes without a site yet */
	bool no_multi;		/* one classic uprobe link per site, not uprobe_multi */
	bool no_fault_in;	/* strings by non-faulting reads only (for comparison) */
	bool follow;		/* also the processes @pid forks, and theirs */
	attach_warn_fn info;	/* -v: choices made, NULL to stay quiet */
	const pid_t *pids;	/* trace only these processes (-p, -c's first), */
	int nr_pids;		/* none: system-wide */
	const char *exec_path;	/* -c: the program the (not yet exec'd) pid runs */
	uint32_t str_len;	/* bytes per string argument, NUL included */
	uint32_t ring_size;	/* bytes, a power of 2 */
	attach_warn_fn warn;
	attach_object_fn on_object;
	attach_site_check_fn site_check;	/* NULL: every matched site */
	void *ctx;
};

struct attach_stats {
	int probes;		/* probes (provider:name) with at least one site */
	int sites;		/* uprobes attached */
	int objects;		/* objects with at least one site */
	int cpus;		/* a sampler's perf events */
};

int attach_session__new(const struct attach_opts *opts, const struct probe_spec *probes,
			int nr_probes, struct attach_session **out);
/* Attach every probe of the objects known now. -Exxx with errmsg set. */
int attach_session__attach(struct attach_session *s);
/*
 * Wait up to @timeout_ms for events, hand each to @cb; objects mapped
 * meanwhile get their probes attached. Returns events handled or -Exxx.
 */
int attach_session__poll(struct attach_session *s, int timeout_ms, attach_event_fn cb,
			 void *ctx);
/* The fd that is readable when attach_session__poll() has events to hand over. */
int attach_session__fd(const struct attach_session *s);
void attach_session__stats(const struct attach_session *s, struct attach_stats *st);
/* Hits a predicate rejected (events + dropped + filtered = hits). */
uint64_t attach_session__filtered(const struct attach_session *s);
/* Events the kernel could not hand over (ring buffer full). */
uint64_t attach_session__dropped(const struct attach_session *s);
/* --follow: children not followed, the table of followed processes full. */
uint64_t attach_session__unfollowed(const struct attach_session *s);
const char *attach_session__errmsg(const struct attach_session *s);

/* Sites attached so far (the ld.so hook included: its probe_idx is -1). */
size_t attach_session__nr_sites(const struct attach_session *s);
const struct site_info *attach_session__site(const struct attach_session *s, size_t id);

/*
 * ATTACH_COUNT: every counter summed over CPUs and added into the rows of
 * @t (made when new), per probe, site or key as @t's layout says.
 */
int attach_session__count_rows(const struct attach_session *s, struct keytab *t);
/* ATTACH_COUNT with keys: each key (key_size bytes) and its count. */
typedef void (*attach_key_count_fn)(void *ctx, const void *key, uint64_t count);
int attach_session__key_counts(const struct attach_session *s, attach_key_count_fn cb,
			       void *ctx);
/*
 * The return addresses of user stack @id (a UT_KEY_USTACK key part) into
 * @ips (UT_STACK_FP_MAX of them), innermost first: how many, or -Exxx.
 */
int attach_session__user_stack(const struct attach_session *s, uint32_t id, uint64_t *ips);
/* Hits whose key did not fit in the table (counted, not lost). */
uint64_t attach_session__key_overflow(const struct attach_session *s);

/*
 * ATTACH_LATENCY: @t made again from the kernel's tables: a series per key
 * with its buckets and stats, a string key's text beside it.
 */
int attach_session__latency_series(const struct attach_session *s, struct lat_table *t);
/* ATTACH_HIST: UT_HIST_BUCKETS counts, the merged stats, the values' sign. */
int attach_session__hist(const struct attach_session *s, uint64_t *counts,
			 struct ut_hist_stats *st, bool *is_signed);
/*
 * ATTACH_HIST with keys: every key's histogram (buckets and stats merged
 * over CPUs and the sites of a probe) into the rows (struct vhist_row) of
 * @t, made from @tmpl (the bucket layout) when new, read from zero.
 */
int attach_session__hist_rows(const struct attach_session *s, struct keytab *t,
			      const struct vhist *tmpl);
/* Values an in-kernel mode could not read. */
uint64_t attach_session__faults(const struct attach_session *s);
/* ATTACH_CALLS: every method's figures, summed over CPUs. */
typedef void (*attach_method_fn)(void *ctx, const struct ut_method_key *key,
				 const struct ut_method_stats *st);
int attach_session__methods(const struct attach_session *s, attach_method_fn cb, void *ctx);

/*
 * ATTACH_STMTS: each statement's figures merged over CPUs, and each
 * bucket (ut_lat_bucket) of its execution times with its count.
 */
typedef void (*attach_stmt_fn)(void *ctx, const struct ut_stmt_key *key,
			       const struct ut_stmt_stats *st);
int attach_session__stmts(const struct attach_session *s, attach_stmt_fn cb, void *ctx);
typedef void (*attach_stmt_bucket_fn)(void *ctx, const struct ut_stmt_key *key,
				      uint32_t bucket, uint64_t count);
int attach_session__stmt_buckets(const struct attach_session *s, attach_stmt_bucket_fn cb,
				 void *ctx);

/*
 * Each USDT probe that has no site (yet), with the nearest real probes of
 * the objects seen, as one message to @cb. Returns how many there were.
 */
int attach_session__report_unmatched(struct attach_session *s, attach_warn_fn cb, void *ctx);

/*
 * -c: true once the command's start-up libraries are attached (the ld.so
 * hook's first stop), or at once where no hook follows (a static program,
 * -p, system-wide). The command then stays stopped until __resume().
 */
bool attach_session__started(const struct attach_session *s);
void attach_session__resume(struct attach_session *s);

/*
 * ATTACH_PROFILE: where process @pid's interpreter keeps its frames
 * (NULL: forget it); samples read them from then on.
 */
/*
 * dump: every thread of the process, once, into the ring buffer (the task
 * iterator run to its end). 0 or -Exxx with the session's errmsg set.
 */
int attach_session__iterate(struct attach_session *s);
int attach_session__set_interp(const struct attach_session *s, pid_t pid,
			       const struct ut_interp_proc *ip);

/* END without BEGIN, plus BEGINs never ended (still open, or past the depth). */
uint64_t attach_session__unmatched(const struct attach_session *s);
void attach_session__free(struct attach_session *s);

#endif /* USDTRACE_SESSION_H */
