// SPDX-License-Identifier: MIT
/*
 * session.c - load the BPF program once, attach every matched site, and
 * follow the objects a process maps later (see session.h).
 *
 * Each attached site gets an index, which is both its BPF cookie and its
 * slot in the site_specs map, so the one BPF program finds the argument
 * spec of whichever site fired.
 *
 * Objects loaded later: a uprobe on ld.so's _dl_debug_state (the function
 * r_debug.r_brk points to, called around every dlopen/dlclose and once the
 * start-up libraries are mapped) makes the BPF program stop the process
 * with SIGSTOP when a load has completed (r_state == RT_CONSISTENT) and
 * emit a UT_EV_DLOPEN event. Here we read the process's maps, attach the
 * probes of every new object, then SIGCONT it: the new object's code
 * cannot run before its probes are in place. If SIGCONT overtakes a not
 * yet delivered SIGSTOP, the stop is discarded, so the process never
 * stays stopped.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../sdt/sdt.h"
#include "objects.h"
#include "session_priv.h"
#include "spec.h"

#define SITES_MIN_CAPACITY	16384
#define DL_HOOK_SYMBOL		"_dl_debug_state"
#define R_DEBUG_SYMBOL		"_r_debug"
#define R_DEBUG_STATE_OFF	24	/* offsetof(struct r_debug, r_state), LP64 */

static int session_err(struct attach_session *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int session_err(struct attach_session *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

/* Format a message for the caller's callback @say (NULL: stay quiet). */
static void session_say(struct attach_session *s, attach_warn_fn say, const char *fmt,
			va_list ap)
{
	char msg[1024];

	if (!say)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	say(s->opts.ctx, msg);
}

static void session_info(struct attach_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* -v: what the session chose, through the info callback. */
static void session_info(struct attach_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	session_say(s, s->opts.info, fmt, ap);
	va_end(ap);
}

static void session_warn(struct attach_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void session_warn(struct attach_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	session_say(s, s->opts.warn, fmt, ap);
	va_end(ap);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- loading ------------------------------------------------------------ */

/*
 * Maps of the other modes get one entry: preallocating megabytes of hash
 * tables nobody uses would cost start-up time and kernel memory.
 */
static int shrink_unused_maps(struct attach_session *s)
{
	bool count = s->opts.mode == ATTACH_COUNT, lat = s->opts.mode == ATTACH_LATENCY;
	struct {
		struct bpf_map *map;
		bool used;
		__u32 size;
	} maps[] = {
		{ s->skel->maps.site_counts, count && !s->opts.count_by_pid, s->max_sites },
		{ s->skel->maps.pid_counts, count && s->opts.count_by_pid, 0 },
		{ s->skel->maps.lat_stacks, lat, 0 },
		{ s->skel->maps.lat_hist, lat, 0 },
		{ s->skel->maps.lat_stats, lat, 0 },
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (maps[i].used && !maps[i].size)
			continue;	/* keep the size the BPF object declares */
		err = bpf_map__set_max_entries(maps[i].map, maps[i].used ? maps[i].size : 1);
		if (err)
			return err;
	}
	return 0;
}

static int load_skel(struct attach_session *s, bool multi)
{
	struct bpf_program *prog;
	int err;

	s->skel = usdt_bpf__open();
	if (!s->skel)
		return session_err(s, -errno, "BPF: cannot open the program: %s",
				   strerror(errno));
	s->skel->rodata->str_len = s->opts.str_len;
	s->skel->rodata->ip_off = (__u16)spec_x86_64_reg_offset(16);
	s->skel->rodata->count_by_pid = s->opts.count_by_pid;
	/* a quarter of the ring, so a burst never waits for a full ring */
	s->skel->rodata->wakeup_bytes = (s->opts.ring_size ? s->opts.ring_size : 1u << 22) / 4;
	s->max_sites = SITES_MIN_CAPACITY;
	err = bpf_map__set_max_entries(s->skel->maps.site_specs, s->max_sites);
	if (!err)
		err = shrink_unused_maps(s);
	/* only the mode's program is loaded: no verifier time for the others */
	bpf_program__set_autoload(s->skel->progs.usdt_count, s->opts.mode == ATTACH_COUNT);
	bpf_program__set_autoload(s->skel->progs.usdt_latency,
				  s->opts.mode == ATTACH_LATENCY);
	bpf_program__set_autoload(s->skel->progs.usdt_calls, s->opts.mode == ATTACH_CALLS);
	if (!err && s->opts.ring_size)
		err = bpf_map__set_max_entries(s->skel->maps.events, s->opts.ring_size);
	s->skel->rodata->follow = s->opts.follow;
	bpf_object__for_each_program(prog, s->skel->obj) {
		if (!err && multi && bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE)
			err = bpf_program__set_expected_attach_type(prog, BPF_TRACE_UPROBE_MULTI);
	}
	if (!err)
		err = usdt_bpf__load(s->skel);
	if (err)
		return session_err(s, err, "BPF: cannot load the program: %s",
				   strerror(-err));
	return 0;
}

/*
 * Does this kernel take uprobe_multi links (Linux >= 6.6)? Try one on our
 * own main(), which never runs again, restricted to our own process. The
 * link is kept until the session ends: releasing a uprobe_multi link waits
 * for an RCU grace period, tens of milliseconds better spent after the run.
 */
static bool multi_works(struct attach_session *s)
{
	LIBBPF_OPTS(bpf_uprobe_multi_opts, mo);
	unsigned long off;
	uint64_t vaddr, offset;
	struct elf_symtab *t;
	__u64 cookie = 0;
	bool ok = false;

	if (elf_symtab__open("/proc/self/exe", &t))
		return false;
	if (!elf_symtab__lookup(t, "main", &vaddr) && !elf_symtab__offset(t, vaddr, &offset)) {
		off = (unsigned long)offset;
		mo.offsets = &off;
		mo.cookies = &cookie;
		mo.cnt = 1;
		s->probe_link = bpf_program__attach_uprobe_multi(s->skel->progs.usdt_hit,
								 getpid(), "/proc/self/exe",
								 NULL, &mo);
		ok = s->probe_link != NULL;
	}
	elf_symtab__free(t);
	return ok;
}

/* --follow: the traced process is followed, and the fork hook adds children. */
static int start_following(struct attach_session *s)
{
	__u32 pid = (__u32)s->opts.pid;
	__u8 one = 1;
	int err;

	if (!s->opts.follow)
		return 0;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.followed), &pid, &one, BPF_ANY))
		return session_err(s, -errno, "BPF: follow: %s", strerror(errno));
	s->follow_skel = follow_bpf__open();
	if (!s->follow_skel)
		return session_err(s, -errno, "BPF: follow: %s", strerror(errno));
	err = bpf_map__reuse_fd(s->follow_skel->maps.followed,
				bpf_map__fd(s->skel->maps.followed));
	if (!err)
		err = follow_bpf__load(s->follow_skel);
	if (err)
		return session_err(s, err, "BPF: cannot load the fork hook: %s", strerror(-err));
	s->fork_link = bpf_program__attach(s->follow_skel->progs.on_fork);
	if (!s->fork_link)
		return session_err(s, -errno, "BPF: cannot follow forks (sched_process_fork): "
				   "%s", strerror(errno));
	return 0;
}

static int load_bpf(struct attach_session *s)
{
	int err;

	s->multi = !s->opts.no_multi;
	err = load_skel(s, s->multi);
	if (!err && s->multi && !multi_works(s)) {
		session_info(s, "uprobe_multi links refused by this kernel: one link per site");
		usdt_bpf__destroy(s->skel);
		s->skel = NULL;
		s->multi = false;
		err = load_skel(s, false);
	} else if (!err) {
		session_info(s, s->multi ? "attaching with one uprobe_multi link per object" :
			     "attaching with one uprobe link per site (--no-multi)");
	}
	return err ? err : start_following(s);
}

/* ---- sites -------------------------------------------------------------- */

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

static int grow_sites(struct attach_session *s)
{
	size_t cap = s->cap_sites ? s->cap_sites * 2 : 64;
	struct site_info *si;
	struct bpf_link **l;
	uint64_t *so;

	si = realloc(s->sites, cap * sizeof(*si));
	if (!si)
		return -ENOMEM;
	s->sites = si;
	l = realloc(s->links, cap * sizeof(*l));
	if (!l)
		return -ENOMEM;
	s->links = l;
	so = realloc(s->sem_offsets, cap * sizeof(*so));
	if (!so)
		return -ENOMEM;
	s->sem_offsets = so;
	s->cap_sites = cap;
	return 0;
}

/* The program a site runs: the mode's, but the ld.so hook always traces. */
static struct bpf_program *mode_prog(const struct attach_session *s,
				     const struct site_req *r)
{
	if (r->probe_idx < 0 || s->opts.mode == ATTACH_TRACE)
		return s->skel->progs.usdt_hit;
	if (s->opts.mode == ATTACH_COUNT)
		return s->skel->progs.usdt_count;
	if (s->opts.mode == ATTACH_CALLS)
		return s->skel->progs.usdt_calls;
	return s->skel->progs.usdt_latency;
}

/*
 * Give @r an id (its BPF cookie and site_specs slot) and its site_info; the
 * uprobe itself comes with attach_sites(). Returns the id or -Exxx.
 */
static int register_site(struct attach_session *s, const struct site_req *r)
{
	__u32 id = (__u32)s->nr_sites;
	struct site_info *si;

	if (s->nr_sites == s->max_sites)
		return session_err(s, -E2BIG, "more than %u probe sites", s->max_sites);
	if (s->nr_sites == s->cap_sites && grow_sites(s))
		return session_err(s, -ENOMEM, "out of memory");
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.site_specs), &id, &r->spec, BPF_ANY))
		return session_err(s, -errno, "BPF: site spec: %s", strerror(errno));
	si = &s->sites[id];
	memset(si, 0, sizeof(*si));
	si->probe_idx = r->probe_idx;
	si->label = strdup(r->label);
	si->object = r->obj->path;
	si->offset = r->offset;
	si->nr_args = r->spec.nr_args;
	memcpy(si->fmt, r->fmt, (size_t)r->spec.nr_args);
	s->links[id] = NULL;
	s->sem_offsets[id] = r->sem_offset;
	s->nr_sites++;
	if (!si->label)
		return session_err(s, -ENOMEM, "out of memory");
	if (r->probe_idx >= 0)
		s->pstate[r->probe_idx].nr_sites++;
	return (int)id;
}

/*
 * A traced process that exits in the middle of attaching makes its /proc
 * files vanish: say that, not which file was missing.
 */
static bool target_exited(const struct attach_session *s)
{
	return s->opts.pid && !pid_alive(s->opts.pid);
}

static int exited_while_attaching(struct attach_session *s)
{
	return session_err(s, -ESRCH, "PID %d: exited while attaching", (int)s->opts.pid);
}

static int attach_failed(struct attach_session *s, int err, size_t id,
			 const struct seen_obj *o)
{
	if (err == -ESRCH || target_exited(s))
		return exited_while_attaching(s);
	return session_err(s, err, "%s: cannot attach at offset %#llx of %s: %s",
			   s->sites[id].label, (unsigned long long)s->sites[id].offset,
			   o->path, strerror(-err));
}

/* The pid a link filters on: none with --follow, where BPF decides. */
static pid_t link_pid(const struct attach_session *s)
{
	return s->opts.pid && !s->opts.follow ? s->opts.pid : -1;
}

/* One uprobe_multi link for sites [first, first + n) of object @o. */
static int attach_multi(struct attach_session *s, size_t first, size_t n,
			const struct seen_obj *o, struct bpf_program *prog, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_multi_opts, mo);
	unsigned long *offs = calloc(n, sizeof(*offs)), *refs = calloc(n, sizeof(*refs));
	__u64 *cookies = calloc(n, sizeof(*cookies));
	struct bpf_link *link = NULL;
	size_t k;
	int err = -ENOMEM;

	if (!offs || !refs || !cookies)
		goto out_free_arrays;
	for (k = 0; k < n; k++) {
		offs[k] = s->sites[first + k].offset;
		refs[k] = s->sem_offsets[first + k];
		cookies[k] = first + k;
	}
	mo.offsets = offs;
	mo.ref_ctr_offsets = refs;
	mo.cookies = cookies;
	mo.cnt = n;
	mo.retprobe = retprobe;
	link = bpf_program__attach_uprobe_multi(prog, link_pid(s), o->open_path, NULL, &mo);
	err = link ? 0 : -errno;
	s->links[first] = link;
out_free_arrays:
	free(offs);
	free(refs);
	free(cookies);
	return err ? attach_failed(s, err, first, o) : 0;
}

/* One classic uprobe link per site, where uprobe_multi is refused. */
static int attach_singles(struct attach_session *s, size_t first, size_t n,
			  const struct seen_obj *o, struct bpf_program *prog, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo);
	size_t k;

	for (k = first; k < first + n; k++) {
		uo.bpf_cookie = k;
		uo.ref_ctr_offset = s->sem_offsets[k];
		uo.retprobe = retprobe;
		s->links[k] = bpf_program__attach_uprobe_opts(prog, link_pid(s), o->open_path,
							     s->sites[k].offset, &uo);
		if (!s->links[k])
			return attach_failed(s, -errno, k, o);
	}
	return 0;
}

/* Attach the registered sites [first, nr_sites) of @o, all run by @r's program. */
static int attach_sites(struct attach_session *s, size_t first, const struct seen_obj *o,
			const struct site_req *r)
{
	size_t n = s->nr_sites - first;

	if (!n)
		return 0;
	if (s->multi)
		return attach_multi(s, first, n, o, mode_prog(s, r), r->retprobe);
	return attach_singles(s, first, n, o, mode_prog(s, r), r->retprobe);
}

static int add_site(struct attach_session *s, const struct site_req *r)
{
	int id = register_site(s, r);

	return id < 0 ? id : attach_sites(s, (size_t)id, r->obj, r);
}

/* ---- objects ------------------------------------------------------------ */

static struct seen_obj *find_obj(struct attach_session *s, uint64_t dev, uint64_t ino,
				 const char *open_path)
{
	size_t i;

	for (i = 0; i < s->nr_objs; i++) {
		struct seen_obj *o = &s->objs[i];

		if (ino ? (o->ino == ino && o->dev == dev) : !strcmp(o->open_path, open_path))
			return o;
	}
	return NULL;
}

static void warn_note(void *ctx, const char *path, const char *what, int err)
{
	struct attach_session *s = ctx;

	(void)err;
	session_warn(s, "%s: %s", path, what);
}

/* Remember an object and parse its notes; *@fresh tells if it is new. */
static int see_obj(struct attach_session *s, const char *path, const char *open_path,
		   struct seen_obj **out, bool *fresh)
{
	struct seen_obj *o;
	struct stat st;
	int err;

	if (stat(open_path, &st)) {
		err = -errno;
		if (target_exited(s))
			return exited_while_attaching(s);
		return session_err(s, err, "%s: %s", path, strerror(-err));
	}
	o = find_obj(s, st.st_dev, st.st_ino, open_path);
	*fresh = !o;
	if (o) {
		*out = o;
		return 0;
	}
	if (s->nr_objs == s->cap_objs) {
		size_t cap = s->cap_objs ? s->cap_objs * 2 : 32;

		o = realloc(s->objs, cap * sizeof(*o));
		if (!o)
			return session_err(s, -ENOMEM, "out of memory");
		s->objs = o;
		s->cap_objs = cap;
	}
	o = &s->objs[s->nr_objs];
	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	o->open_path = strdup(open_path);
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	if (!o->path || !o->open_path) {
		free(o->path);
		free(o->open_path);
		return session_err(s, -ENOMEM, "out of memory");
	}
	s->nr_objs++;
	err = sdt_file__open(open_path, warn_note, s, &o->file);
	if (err)
		o->file = NULL;	/* not ELF: nothing to attach, not an error */
	*out = o;
	return 0;
}

static bool name_matches_path(const char *obj_path, const char *want)
{
	const char *base = strrchr(obj_path, '/');
	size_t n = strlen(want);

	base = base ? base + 1 : obj_path;
	return !strncmp(base, want, n) && (base[n] == '\0' || base[n] == '.');
}

/* Does probe @i's PATH (if any) designate object @o? */
static bool probe_wants_obj(const struct attach_session *s, int i, const struct seen_obj *o)
{
	const struct probe_spec *p = &s->probes[i];
	const struct probe_state *ps = &s->pstate[i];

	if (!p->path)
		return true;
	if (ps->ino && ps->dev == o->dev && ps->ino == o->ino)
		return true;
	return !strchr(p->path, '/') && name_matches_path(o->path, p->path);
}

static int resolve_obj_symbol(void *ctx, const char *symbol, uint64_t *vaddr)
{
	struct seen_obj *o = ctx;

	if (!o->syms && elf_symtab__open(o->open_path, &o->syms))
		return -ENOENT;
	return elf_symtab__lookup(o->syms, symbol, vaddr);
}

static void set_calls_roles(const struct attach_session *s, int i, struct ut_site_spec *spec)
{
	int k;

	spec->flags |= s->opts.probe_flags ? s->opts.probe_flags[i] : 0;
	for (k = 0; k < UT_IDENT_MAX; k++)
		spec->ident[k] = s->opts.ident[k] < spec->nr_args ? s->opts.ident[k] : -1;
}

static int build_usdt_spec(struct attach_session *s, int i, struct seen_obj *o,
			   const struct sdt_probe *p, struct site_req *r, char *fmt)
{
	const struct probe_spec *ps = &s->probes[i];
	struct spec_site site = {
		.machine = o->file->machine,
		.is_pie = o->file->e_type == ET_DYN,
		.resolve = resolve_obj_symbol,
		.ctx = o,
	};
	int a, err;

	if (p->nr_args < 0)
		return session_err(s, -EINVAL, "%s:%s: its argument spec \"%s\" does not "
				   "decode", p->provider, p->name, p->args_text);
	if (ps->nr_fmt > p->nr_args)
		return session_err(s, -EINVAL, "%s: FMT has %d entries but %s:%s has %d "
				   "argument%s", ps->text, ps->nr_fmt, p->provider, p->name,
				   p->nr_args, p->nr_args == 1 ? "" : "s");
	site.site_vaddr = p->vaddr;
	r->spec.nr_args = (__u16)p->nr_args;
	if (s->opts.mode == ATTACH_LATENCY) {
		r->spec.flags = i == 0 ? UT_SITE_BEGIN : UT_SITE_END;
		if (i == 0 && s->opts.key_arg >= 0) {
			if (s->opts.key_arg >= p->nr_args)
				return session_err(s, -EINVAL, "--key arg%d: %s:%s has %d "
						   "argument%s", s->opts.key_arg, p->provider,
						   p->name, p->nr_args,
						   p->nr_args == 1 ? "" : "s");
			r->spec.flags |= UT_SITE_KEY;
			r->spec.key_arg = (__u32)s->opts.key_arg;
		}
	}
	for (a = 0; a < p->nr_args; a++) {
		char f = a < ps->nr_fmt ? ps->fmt[a] : '\0';

		err = spec_from_sdt_arg(&p->args[a], f, &site, &r->spec.args[a]);
		if (err == -EINVAL)
			return session_err(s, err, "%s: FMT s does not fit argument %d of "
					   "%s:%s (%d bytes)", ps->text, a, p->provider,
					   p->name, p->args[a].size);
		if (err == -ENOENT)
			return session_err(s, err, "%s:%s: symbol '%.*s' of argument %d not "
					   "found in %s", p->provider, p->name,
					   p->args[a].symbol_len, p->args[a].symbol, a, o->path);
		if (err)
			return session_err(s, err, "%s:%s: argument %d (%s) cannot be "
					   "fetched on this machine", p->provider, p->name,
					   a, p->args_text);
		fmt[a] = f ? f : (p->args[a].is_signed ? 'd' : 'u');
		if (f == 'S') {
			if (a + 1 >= p->nr_args)
				return session_err(s, -EINVAL, "%s: FMT S on the last argument "
						   "of %s:%s: no length follows", ps->text,
						   p->provider, p->name);
			r->spec.args[a].len_arg = (__u8)(a + 1);
		}
	}
	if (s->opts.mode == ATTACH_CALLS)
		set_calls_roles(s, i, &r->spec);
	return 0;
}

/* Attach every site of @o that a USDT probe wants. Returns sites or -Exxx. */
static int attach_usdt_obj(struct attach_session *s, struct seen_obj *o, int *nr_probes)
{
	int i, before = (int)s->nr_sites, err;
	struct site_req any = { .probe_idx = 0, .obj = o };
	size_t j;

	*nr_probes = 0;
	if (!o->file)
		return 0;
	for (i = 0; i < s->nr_probes; i++) {
		const struct probe_spec *ps = &s->probes[i];
		bool hit = false;

		if (ps->type != PROBE_USDT || !probe_wants_obj(s, i, o))
			continue;
		for (j = 0; j < o->file->nr_probes; j++) {
			const struct sdt_probe *p = &o->file->probes[j];
			struct site_req r = { .probe_idx = i, .obj = o };
			char label[256], fmt[UT_MAX_ARGS];

			if (!probe_spec__matches(ps, p->provider, p->name))
				continue;
			snprintf(label, sizeof(label), "%s:%s", p->provider, p->name);
			err = build_usdt_spec(s, i, o, p, &r, fmt);
			if (err)
				return err;
			r.label = label;
			r.offset = p->offset;
			r.sem_offset = p->sem_offset;
			r.fmt = fmt;
			err = register_site(s, &r);
			if (err < 0)
				return err;
			hit = true;
		}
		*nr_probes += hit;
	}
	/* every site of an object at once: one uprobe_multi link */
	err = attach_sites(s, (size_t)before, o, &any);
	return err ? err : (int)s->nr_sites - before;
}

/* ---- plain uprobes ------------------------------------------------------ */

static int attach_uprobe(struct attach_session *s, int i)
{
	const struct probe_spec *ps = &s->probes[i];
	struct site_req r = { .probe_idx = i, .retprobe = ps->type == PROBE_URETPROBE };
	char label[256], fmt[UT_MAX_ARGS], open_path[PATH_MAX + 32];
	struct seen_obj *o;
	uint64_t vaddr, off;
	bool fresh;
	int a, n, err;

	snprintf(open_path, sizeof(open_path), "%s", s->pstate[i].resolved);
	err = see_obj(s, s->pstate[i].resolved, open_path, &o, &fresh);
	if (err)
		return err;
	if (!o->syms && (err = elf_symtab__open(o->open_path, &o->syms)))
		return session_err(s, err, "%s: %s", o->path, sdt_strerror(err));
	if (elf_symtab__lookup(o->syms, ps->symbol, &vaddr))
		return session_err(s, -ENOENT, "%s: no symbol '%s' in %s", ps->text,
				   ps->symbol, o->path);
	if (elf_symtab__offset(o->syms, vaddr + ps->sym_off, &off))
		return session_err(s, -ENOENT, "%s: '%s' is in no loadable segment of %s",
				   ps->text, ps->symbol, o->path);
	n = r.retprobe ? 1 : (ps->nr_fmt ? ps->nr_fmt : 6);
	r.spec.nr_args = (__u16)n;
	for (a = 0; a < n; a++) {
		char f = a < ps->nr_fmt ? ps->fmt[a] : 'x';

		err = spec_abi_arg(r.retprobe ? -1 : a, f, &r.spec.args[a]);
		if (err)
			return session_err(s, err, "%s: bad FMT", ps->text);
		fmt[a] = f;
	}
	snprintf(label, sizeof(label), "%s:%s", r.retprobe ? "uretprobe" : "uprobe",
		 ps->symbol);
	r.label = label;
	r.obj = o;
	r.offset = off;
	r.fmt = fmt;
	return add_site(s, &r);
}

/* ---- the dynamic linker hook -------------------------------------------- */

static int attach_dl_hook(struct attach_session *s, const char *path, const char *open_path)
{
	struct site_req r = { .probe_idx = -1, .label = DL_HOOK_SYMBOL, .fmt = "" };
	uint64_t hook, rdebug;
	struct seen_obj *o;
	bool fresh;
	int err;

	err = see_obj(s, path, open_path, &o, &fresh);
	if (err)
		return err;
	if (!o->syms && elf_symtab__open(o->open_path, &o->syms))
		return session_err(s, -ENOEXEC, "%s: not an ELF dynamic linker", path);
	if (elf_symtab__lookup(o->syms, DL_HOOK_SYMBOL, &hook) ||
	    elf_symtab__offset(o->syms, hook, &r.offset))
		return session_err(s, -ENOENT, "%s: no %s: cannot follow dlopen()",
				   path, DL_HOOK_SYMBOL);
	r.obj = o;
	r.spec.flags = UT_SITE_DLHOOK;
	if (!elf_symtab__lookup(o->syms, R_DEBUG_SYMBOL, &rdebug))
		r.spec.hook_state_off = rdebug + R_DEBUG_STATE_OFF - hook;
	return add_site(s, &r);
}

/* The interpreter of @exe (opened as @open_exe), found under @root. */
static int hook_interp(struct attach_session *s, const char *open_exe, const char *root)
{
	char interp[PATH_MAX], open_path[PATH_MAX + 64];
	struct elf_symtab *t;
	int err;

	err = elf_symtab__open(open_exe, &t);
	if (err && s->opts.pid && !s->opts.exec_path) {
		/* an exiting process loses its exe a moment before it turns zombie */
		if (err == -ENOENT)
			usleep(20000);
		if (target_exited(s))
			return exited_while_attaching(s);
		if (err == -ENOENT)
			return session_err(s, err, "PID %d: no executable to trace (a kernel "
					   "thread?)", (int)s->opts.pid);
	}
	if (err)
		return session_err(s, err, "%s: %s", open_exe, sdt_strerror(err));
	err = elf_symtab__interp(t, interp, sizeof(interp));
	elf_symtab__free(t);
	if (err || !interp[0])
		return 0;	/* static: nothing is ever loaded later */
	snprintf(open_path, sizeof(open_path), "%s%s", root, interp);
	return attach_dl_hook(s, interp, open_path);
}

/* ---- initial attach ----------------------------------------------------- */

static int resolve_probe_paths(struct attach_session *s)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < s->nr_probes; i++) {
		const struct probe_spec *p = &s->probes[i];
		struct probe_state *ps = &s->pstate[i];
		struct stat st;

		if (!p->path) {
			if (p->type != PROBE_USDT || !s->opts.pid)
				return session_err(s, -EINVAL, "%s: give PATH:%s, or -p PID or "
						   "-c CMD", p->text, p->text);
			continue;
		}
		if (lib_resolve(p->path, path, sizeof(path)) || stat(path, &st)) {
			/* a library name a traced process may map later */
			if (s->opts.pid && !strchr(p->path, '/') && p->type == PROBE_USDT)
				continue;
			return session_err(s, -ENOENT, "%s: %s: no such file or library",
					   p->text, p->path);
		}
		if (S_ISDIR(st.st_mode))
			return session_err(s, -EISDIR, "%s: %s: is a directory", p->text,
					   p->path);
		ps->dev = st.st_dev;
		ps->ino = st.st_ino;
		ps->resolved = strdup(path);
		if (!ps->resolved)
			return session_err(s, -ENOMEM, "out of memory");
	}
	return 0;
}

static int attach_pid_objects(struct attach_session *s, pid_t pid, bool initial)
{
	struct object_list objs = {};
	size_t k;
	int err;

	err = objects__from_pid(pid, &objs);
	if (err) {
		object_list__free(&objs);
		if (err == -ESRCH && !initial)
			return 0;	/* a followed child that is gone already */
		if (err == -ESRCH)
			return session_err(s, err, "PID %d: no such process", (int)pid);
		return session_err(s, err, "PID %d: %s", (int)pid, strerror(-err));
	}
	for (k = 0; k < objs.nr; k++) {
		struct timespec t0;
		struct seen_obj *o;
		bool fresh;
		int n, nr_probes;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (see_obj(s, objs.objs[k].path, objs.objs[k].open_path, &o, &fresh) ||
		    !fresh)
			continue;	/* gone meanwhile, or attached before */
		n = attach_usdt_obj(s, o, &nr_probes);
		if (n < 0) {
			err = n;
			break;
		}
		if (n && !initial && s->opts.on_object)
			s->opts.on_object(s->opts.ctx, o->path, nr_probes, n, ms_since(&t0));
	}
	object_list__free(&objs);
	return err;
}

static int attach_system_wide(struct attach_session *s)
{
	int i, n, nr_probes, err;

	for (i = 0; i < s->nr_probes; i++) {
		struct seen_obj *o;
		bool fresh;

		if (s->probes[i].type != PROBE_USDT)
			continue;
		err = see_obj(s, s->pstate[i].resolved, s->pstate[i].resolved, &o, &fresh);
		if (err)
			return err;
		if (!fresh)
			continue;
		if (!o->file)
			return session_err(s, -ENOEXEC, "%s: not an ELF file", o->path);
		n = attach_usdt_obj(s, o, &nr_probes);
		if (n < 0)
			return n;
	}
	return 0;
}

/* Edit distance, for "did you mean". */
static int distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b), i, j, d[64 + 1];

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		int prev = d[0], tmp;

		d[0] = i;
		for (j = 1; j <= lb; j++) {
			int sub = prev + (a[i - 1] != b[j - 1]);

			tmp = d[j];
			d[j] = d[j] + 1 < d[j - 1] + 1 ? d[j] + 1 : d[j - 1] + 1;
			if (sub < d[j])
				d[j] = sub;
			prev = tmp;
		}
	}
	return d[lb];
}

/* "; did you mean a:b, c:d?" from the probes of the objects considered. */
static void suggest(struct attach_session *s, int i, char *buf, size_t size)
{
	const struct probe_spec *ps = &s->probes[i];
	char want[256], label[256];
	size_t k, j, len = 0;
	int found = 0;

	buf[0] = '\0';
	snprintf(want, sizeof(want), "%s:%s", ps->provider, ps->name);
	for (k = 0; k < s->nr_objs && found < 3; k++) {
		const struct sdt_file *f = s->objs[k].file;

		if (!f || !probe_wants_obj(s, i, &s->objs[k]))
			continue;
		for (j = 0; f && j < f->nr_probes && found < 3; j++) {
			const struct sdt_probe *p = &f->probes[j];

			snprintf(label, sizeof(label), "%s:%s", p->provider, p->name);
			if (strstr(buf, label) || (distance(want, label) > 3 &&
						   !strstr(label, ps->name)))
				continue;
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						found ? ", " : " (did you mean ", label);
			if (len >= size)
				break;
			found++;
		}
	}
	if (found && len + 2 < size)
		strcat(buf, "?)");
}

/* Has the object a probe's PATH names been read (so its probes are known)? */
static bool path_obj_seen(const struct attach_session *s, int i)
{
	size_t k;

	for (k = 0; k < s->nr_objs; k++) {
		if (s->objs[k].file && probe_wants_obj(s, i, &s->objs[k]))
			return true;
	}
	return false;
}

static int check_matches(struct attach_session *s)
{
	char hint[512];
	int i;

	for (i = 0; i < s->nr_probes; i++) {
		const struct probe_spec *ps = &s->probes[i];

		if (s->pstate[i].nr_sites || ps->type != PROBE_USDT)
			continue;
		if (s->opts.pid && (!ps->path || !path_obj_seen(s, i))) {
			if (!s->opts.quiet_unmatched)
				session_warn(s, "%s: no site yet; waiting for objects the "
					     "process loads", ps->text);
			continue;
		}
		suggest(s, i, hint, sizeof(hint));
		return session_err(s, -ENOENT, "%s: no such probe in %s%s", ps->text,
				   s->pstate[i].resolved ? s->pstate[i].resolved :
				   "the process's objects", hint);
	}
	return 0;
}

/* ---- events ------------------------------------------------------------- */

/* The process stopped in the ld.so hook: attach what it mapped, resume it. */
static int on_dlopen(struct attach_session *s, pid_t pid)
{
	int err = 0;

	if (pid == s->opts.pid || s->opts.follow)
		err = attach_pid_objects(s, pid, false);
	kill(pid, SIGCONT);
	return err;
}

static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct attach_session *s = ctx;
	const struct ut_event *ev = data;
	int err;

	if (size < sizeof(*ev))
		return 0;
	if (ev->kind == UT_EV_DLOPEN) {
		err = on_dlopen(s, (pid_t)ev->pid);
		if (err) {
			s->poll_err = err;
			return err;	/* stops ring_buffer__poll() */
		}
		return 0;
	}
	if (ev->site_id >= s->nr_sites || size < sizeof(*ev) + (size_t)ev->nr_strs *
						      ev->str_len)
		return 0;
	s->handled++;
	if (s->cb)
		s->cb(s->cb_ctx, ev, &s->sites[ev->site_id]);
	return 0;
}

int attach_session__attach(struct attach_session *s)
{
	char root[64], open_path[PATH_MAX + 64];
	struct seen_obj *o;
	bool fresh;
	int i, n, nr_probes, err;

	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	err = resolve_probe_paths(s);
	if (!err)
		err = load_bpf(s);
	if (err)
		return err;

	if (!s->opts.pid) {
		err = attach_system_wide(s);
	} else if (s->opts.exec_path) {
		err = see_obj(s, s->opts.exec_path, s->opts.exec_path, &o, &fresh);
		if (!err && !o->file)
			err = session_err(s, -ENOEXEC, "%s: not an ELF file", o->path);
		n = err ? err : attach_usdt_obj(s, o, &nr_probes);
		err = n < 0 ? n : hook_interp(s, s->opts.exec_path, "");
	} else {
		snprintf(root, sizeof(root), "/proc/%d/root", (int)s->opts.pid);
		snprintf(open_path, sizeof(open_path), "/proc/%d/exe", (int)s->opts.pid);
		err = attach_pid_objects(s, s->opts.pid, true);
		if (!err)
			err = hook_interp(s, open_path, root);
	}
	for (i = 0; !err && i < s->nr_probes; i++) {
		if (s->probes[i].type != PROBE_USDT)
			err = attach_uprobe(s, i);
	}
	if (!err)
		err = check_matches(s);
	if (err)
		return err;

	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_ring_event, s, NULL);
	if (!s->rb)
		return session_err(s, -errno, "BPF: ring buffer: %s", strerror(errno));
	return 0;
}

int attach_session__poll(struct attach_session *s, int timeout_ms, attach_event_fn cb,
			 void *ctx)
{
	int err;

	s->cb = cb;
	s->cb_ctx = ctx;
	s->handled = 0;
	s->poll_err = 0;
	/*
	 * BPF wakes us only when enough data waits (or for the ld.so hook), so
	 * after the wait, consume whatever is there: batches, not events.
	 */
	err = ring_buffer__poll(s->rb, timeout_ms);
	if (err >= 0 || err == -EINTR)
		err = ring_buffer__consume(s->rb);
	if (s->poll_err)
		return s->poll_err;
	if (err < 0 && err != -EINTR)
		return session_err(s, err, "BPF: ring buffer: %s", strerror(-err));
	return s->handled;
}

void attach_session__stats(const struct attach_session *s, struct attach_stats *st)
{
	size_t i, k;
	int n;

	memset(st, 0, sizeof(*st));
	for (n = 0; n < s->nr_probes; n++)
		st->probes += s->pstate[n].nr_sites > 0;
	for (i = 0; i < s->nr_sites; i++)
		st->sites += s->sites[i].probe_idx >= 0;
	for (k = 0; k < s->nr_objs; k++) {
		for (i = 0; i < s->nr_sites; i++) {
			if (s->sites[i].probe_idx >= 0 &&
			    s->sites[i].object == s->objs[k].path) {
				st->objects++;
				break;
			}
		}
	}
}

const char *attach_session__errmsg(const struct attach_session *s)
{
	return s->errmsg;
}

int attach_session__new(const struct attach_opts *opts, const struct probe_spec *probes,
			int nr_probes, struct attach_session **out)
{
	struct attach_session *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->opts = *opts;
	if (!s->opts.str_len)
		s->opts.str_len = UT_STR_DEFAULT;
	s->probes = probes;
	s->nr_probes = nr_probes;
	s->pstate = calloc((size_t)(nr_probes ? nr_probes : 1), sizeof(*s->pstate));
	if (!s->pstate) {
		free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

void attach_session__free(struct attach_session *s)
{
	size_t i;
	int n;

	if (!s)
		return;
	ring_buffer__free(s->rb);
	bpf_link__destroy(s->fork_link);
	bpf_link__destroy(s->probe_link);
	follow_bpf__destroy(s->follow_skel);
	for (i = 0; i < s->nr_sites; i++) {
		bpf_link__destroy(s->links[i]);
		free((char *)s->sites[i].label);
	}
	usdt_bpf__destroy(s->skel);
	for (i = 0; i < s->nr_objs; i++) {
		sdt_file__free(s->objs[i].file);
		elf_symtab__free(s->objs[i].syms);
		free(s->objs[i].path);
		free(s->objs[i].open_path);
	}
	for (n = 0; n < s->nr_probes; n++)
		free(s->pstate[n].resolved);
	free(s->objs);
	free(s->sites);
	free(s->links);
	free(s->sem_offsets);
	free(s->pstate);
	free(s);
}
