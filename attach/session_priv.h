/* SPDX-License-Identifier: MIT */
/*
 * session_priv.h - the inside of an attach session, shared by the files
 * that each do one job of it (see session.c for the list) and by
 * session_read.c (reading the kernel's counters, histograms and method
 * tables). Nothing outside attach/ includes it. Every function here
 * returns 0 (or a count) or -Exxx with the session's errmsg set.
 */
#ifndef USDTRACE_SESSION_PRIV_H
#define USDTRACE_SESSION_PRIV_H

#include <stdarg.h>
#include <time.h>

#include "session.h"
#include "symbols.h"
#include "follow.skel.h"
#include "mode.h"

/* An object seen in this session, attached or not. */
struct seen_obj {
	char *path;		/* as shown to users */
	char *open_path;	/* what we open and attach to */
	uint64_t dev;
	uint64_t ino;
	struct sdt_file *file;	/* NULL when not ELF or unreadable */
	struct elf_symtab *syms;	/* opened on first need */
};

/* Per user probe: where its path points, and how many sites it got. */
struct probe_state {
	uint64_t dev;		/* of the resolved PATH, 0 if none */
	uint64_t ino;
	char *resolved;		/* PATH resolved (system-wide), or NULL */
	int nr_sites;
};

/* One attached site: what readers see, and what the session keeps to attach and free it. */
struct session_site {
	struct site_info info;
	struct bpf_link *link;		/* its own, or a multi link at its first site */
	struct bpf_program *prog;	/* what it runs */
	uint64_t sem_offset;
};

struct attach_session {
	struct attach_opts opts;
	pid_t pid;			/* the first of opts.pids, 0: system-wide */
	const struct probe_spec *probes;
	struct probe_state *pstate;
	int nr_probes;
	const struct session_mode *mode;
	struct mode_skel skel;		/* the mode's BPF object, by field */
	struct bpf_program *prog;	/* what the mode's sites run */
	struct bpf_program *prog_str;	/* its sleepable twin for string args, or NULL */
	struct bpf_program *hook_prog;	/* what the ld.so hook runs */
	int specs_fd;			/* the site_specs map */
	int preds_fd;			/* the preds map */
	struct ut_pred *preds;		/* what its slots hold, [0] unused */
	int nr_preds;
	int max_preds;
	bool hist_signed;		/* hist: the argument's values are signed */
	bool by_map;			/* links for every process, BPF keeps `followed` */
	struct ring_buffer *rb;
	struct session_site *sites;
	size_t nr_sites;
	size_t cap_sites;
	uint32_t max_sites;	/* capacity of the site_specs map */
	bool multi;		/* programs loaded for uprobe_multi links */
	struct bpf_link **perf_links;	/* MODE_SOURCE_PERF_CPU: one per CPU */
	struct bpf_program *switch_prog;	/* profile's wall time: sched_switch's, beside */
	int nr_perf_links;
	struct bpf_link *fork_link;	/* --follow: children join `followed` */
	struct bpf_link *exit_link;	/* ... and leave it when they exit */
	struct bpf_link *probe_link;	/* the uprobe_multi capability probe */
	struct follow_bpf *follow_skel;
	uint64_t unfollowed_at_start;	/* descendants at start with no room in the table */
	struct seen_obj *objs;
	size_t nr_objs;
	size_t cap_objs;
	bool hooked;			/* -c: the ld.so hook watches the command */
	bool started;			/* -c: its start-up libraries are attached */
	pid_t held;			/* stopped in the hook until __resume(), or 0 */
	bool closing;			/* links gone: only resume stopped processes */
	struct timespec t0;
	attach_event_fn cb;
	void *cb_ctx;
	int handled;
	int poll_err;
	char errmsg[1024];
};

/* A site to register: where it is, what runs there and how to print it. */
struct site_req {
	int probe_idx;		/* -1: the ld.so hook */
	const char *label;
	const struct seen_obj *obj;
	uint64_t offset;
	uint64_t sem_offset;
	bool retprobe;
	struct ut_site_spec spec;
	const char *fmt;	/* nr_args entries */
};

/* messenger.c */
int session_err(struct attach_session *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void session_info(struct attach_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void session_warn(struct attach_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
double session_ms_since(const struct timespec *t0);
bool session_target_exited(const struct attach_session *s);
int session_exited(struct attach_session *s);

/* session_read.c: per-CPU values summed; maps walked */
/* Sum the per-CPU values (@nr_u64 words each) of @key in map @fd into @sum. */
int session_percpu_sum(int fd, const void *key, uint64_t *sum, size_t nr_u64);
/* ... of @ncpu values already read (@vals, as a per-CPU lookup gives them). */
void session_sum_cpus(const void *vals, int ncpu, size_t nr_u64, uint64_t *sum);
/*
 * The one walk of a map: @cb(@ctx, key, values, ncpu) for each key of map
 * @fd, with its value (per-CPU: @ncpu of them, each 8-aligned). A key
 * deleted meanwhile is skipped; a non-zero return of @cb ends the walk
 * and is returned. 0 or -Exxx.
 */
typedef int (*session_walk_fn)(void *ctx, const void *key, const void *vals, int ncpu);
int session_map_walk(int fd, size_t key_size, size_t value_size, bool percpu,
		     session_walk_fn cb, void *ctx);
/* A per-CPU counter map's slot 0, summed; 0 when it cannot be read (or is NULL). */
uint64_t session_counter(const struct bpf_map *map);

/* preds.c: sizes before load; a site's pred_id from probe @i's predicate */
int session_preds_init(struct attach_session *s);
int session_site_pred(struct attach_session *s, int i, int nr_args, const char *fmt,
		      struct ut_site_spec *spec);

/* load.c */
int session_load_bpf(struct attach_session *s);
void session_close_obj(struct attach_session *s);

/* mode_latency.c: --min, bytes of a BEGIN event as the kernel keeps it */
uint32_t session_lat_open_size(const struct attach_session *s);
uint32_t session_lat_open_stack(const struct attach_session *s);

/* site_table.c: register_site returns the new site's id */
int session_register_site(struct attach_session *s, const struct site_req *r);
int session_attach_sites(struct attach_session *s, size_t first, const struct seen_obj *o,
			 bool retprobe);
int session_add_site(struct attach_session *s, const struct site_req *r);

/* object_table.c: *@fresh tells whether the object is new */
int session_see_obj(struct attach_session *s, const char *path, const char *open_path,
		    struct seen_obj **out, bool *fresh);
int session_obj_symbol(void *obj, const char *symbol, uint64_t *vaddr);

/* match.c */
bool session_probe_wants_obj(const struct attach_session *s, int i, const struct seen_obj *o);
int session_resolve_paths(struct attach_session *s);
int session_check_matches(struct attach_session *s);

/* usdt_sites.c: returns the sites attached, *@nr_probes the probes matched */
int session_attach_usdt_obj(struct attach_session *s, struct seen_obj *o, int *nr_probes);

/* discover.c */
int session_attach_pid_objects(struct attach_session *s, pid_t pid, bool initial);
int session_attach_system_wide(struct attach_session *s);

/* uprobe.c: user probe @i */
int session_attach_uprobe(struct attach_session *s, int i);

/* perf_cpu.c: the mode's program on a perf event per CPU */
int session_attach_perf_cpus(struct attach_session *s);
void session_detach_perf_cpus(struct attach_session *s);

/* dlhook.c: the interpreter of @open_exe, found under @root */
int session_hook_interp(struct attach_session *s, const char *open_exe, const char *root);

#endif /* USDTRACE_SESSION_PRIV_H */
