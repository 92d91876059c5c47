// SPDX-License-Identifier: MIT
/*
 * site_table.c - the session's table of attached sites. Each site gets an
 * index, which is both its BPF cookie and its slot in the site_specs map, so
 * the one BPF program finds the argument spec of whichever site fired; then
 * its uprobe: one uprobe_multi link for all new sites of an object, or one
 * classic link per site where the kernel refuses uprobe_multi.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "session_priv.h"

static bool has_strings(const struct ut_site_spec *spec)
{
	int i;

	for (i = 0; i < spec->nr_args && i < UT_MAX_ARGS; i++) {
		if (spec->args[i].flags & UT_ARG_STR)
			return true;
	}
	return false;
}

/*
 * The program a site runs: the mode's, its sleepable twin where the site
 * reads strings (which may sit in pages not yet faulted in), and the ld.so
 * hook its own.
 */
static struct bpf_program *site_prog(const struct attach_session *s,
				     const struct site_req *r)
{
	if (r->probe_idx < 0)
		return s->hook_prog;
	return s->prog_str && has_strings(&r->spec) ? s->prog_str : s->prog;
}

/*
 * Give @r an id (its BPF cookie and site_specs slot) and its site_info; the
 * uprobe itself comes with session_attach_sites(). Returns the id or -Exxx.
 */
int session_register_site(struct attach_session *s, const struct site_req *r)
{
	__u32 id = (__u32)s->nr_sites;
	struct ut_site_spec spec = r->spec;
	struct site_info *si;
	__u8 slot = 0;
	int a;

	if (s->nr_sites == s->max_sites)
		return session_err(s, -E2BIG, "more than %u probe sites", s->max_sites);
	if (VEC_RESERVE(s->sites, s->cap_sites, s->nr_sites + 1))
		return session_err(s, -ENOMEM, "out of memory");
	spec.probe_id = r->probe_idx < 0 ? UINT32_MAX : (__u32)r->probe_idx;
	/* string slots in argument order, so BPF keeps no running count */
	for (a = 0; a < spec.nr_args && a < UT_MAX_ARGS; a++) {
		if (spec.args[a].flags & UT_ARG_STR)
			spec.args[a].slot = slot++;
	}
	if (bpf_map_update_elem(s->specs_fd, &id, &spec, BPF_ANY))
		return session_err(s, -errno, "BPF: site spec: %s", strerror(errno));
	memset(&s->sites[id], 0, sizeof(s->sites[id]));
	si = &s->sites[id].info;
	si->probe_idx = r->probe_idx;
	si->label = strdup(r->label);
	si->object = r->obj->path;
	si->offset = r->offset;
	si->nr_args = r->spec.nr_args;
	memcpy(si->fmt, r->fmt, (size_t)r->spec.nr_args);
	s->sites[id].sem_offset = r->sem_offset;
	s->sites[id].prog = site_prog(s, r);
	s->nr_sites++;
	if (!si->label)
		return session_err(s, -ENOMEM, "out of memory");
	if (r->probe_idx >= 0)
		s->pstate[r->probe_idx].nr_sites++;
	return (int)id;
}

static int attach_failed(struct attach_session *s, int err, size_t id,
			 const struct seen_obj *o)
{
	if (err == -ESRCH || session_target_exited(s))
		return session_exited(s);
	return session_err(s, err, "%s: cannot attach at offset %#llx of %s: %s",
			   s->sites[id].info.label, (unsigned long long)s->sites[id].info.offset,
			   o->path, strerror(-err));
}

/* The pid a link filters on: none with --follow or several -p, where BPF decides. */
static pid_t link_pid(const struct attach_session *s)
{
	return s->pid && !s->by_map ? s->pid : -1;
}

/* One uprobe_multi link for the sites [first, nr_sites) of @o that run @prog. */
static int attach_multi(struct attach_session *s, size_t first, size_t n,
			const struct seen_obj *o, struct bpf_program *prog, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_multi_opts, mo);
	unsigned long *offs = calloc(n, sizeof(*offs)), *refs = calloc(n, sizeof(*refs));
	__u64 *cookies = calloc(n, sizeof(*cookies));
	struct bpf_link *link = NULL;
	size_t k, i = 0, at = first;
	int err = -ENOMEM;

	if (!offs || !refs || !cookies)
		goto out_free_arrays;
	for (k = first; k < s->nr_sites && i < n; k++) {
		if (s->sites[k].prog != prog)
			continue;
		if (!i)
			at = k;
		offs[i] = s->sites[k].info.offset;
		refs[i] = s->sites[k].sem_offset;
		cookies[i++] = k;
	}
	mo.offsets = offs;
	mo.ref_ctr_offsets = refs;
	mo.cookies = cookies;
	mo.cnt = i;
	mo.retprobe = retprobe;
	link = bpf_program__attach_uprobe_multi(prog, link_pid(s), o->open_path, NULL, &mo);
	err = link ? 0 : -errno;
	s->sites[at].link = link;	/* a multi link sits at its first site */
out_free_arrays:
	free(offs);
	free(refs);
	free(cookies);
	return err ? attach_failed(s, err, at, o) : 0;
}

/* One classic uprobe link per site that runs @prog, where uprobe_multi is refused. */
static int attach_singles(struct attach_session *s, size_t first, const struct seen_obj *o,
			  struct bpf_program *prog, bool retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo);
	size_t k;

	for (k = first; k < s->nr_sites; k++) {
		if (s->sites[k].prog != prog)
			continue;
		uo.bpf_cookie = k;
		uo.ref_ctr_offset = s->sites[k].sem_offset;
		uo.retprobe = retprobe;
		s->sites[k].link = bpf_program__attach_uprobe_opts(prog, link_pid(s), o->open_path,
							     s->sites[k].info.offset, &uo);
		if (!s->sites[k].link)
			return attach_failed(s, -errno, k, o);
	}
	return 0;
}

/* Attach the registered sites [first, nr_sites) of @o: one link per program. */
int session_attach_sites(struct attach_session *s, size_t first, const struct seen_obj *o,
			 bool retprobe)
{
	struct bpf_program *progs[] = { s->prog, s->prog_str, s->hook_prog };
	size_t i, k, n;
	int err;

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (i && progs[i] == progs[i - 1])
			continue;	/* every site reads strings: one program */
		for (n = 0, k = first; progs[i] && k < s->nr_sites; k++)
			n += s->sites[k].prog == progs[i];
		if (!n)
			continue;
		err = s->multi ? attach_multi(s, first, n, o, progs[i], retprobe) :
				 attach_singles(s, first, o, progs[i], retprobe);
		if (err)
			return err;
	}
	return 0;
}

int session_add_site(struct attach_session *s, const struct site_req *r)
{
	int id = session_register_site(s, r);

	return id < 0 ? id : session_attach_sites(s, (size_t)id, r->obj, r->retprobe);
}
