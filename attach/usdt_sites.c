// SPDX-License-Identifier: MIT
/*
 * usdt_sites.c - the USDT sites of one object: each note that a user probe
 * matches becomes a site spec (argument locations, FMT, the mode's roles)
 * in the site table, and all of them are attached at once.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../sdt/sdt.h"
#include "session_priv.h"
#include "../arch/regs.h"
#include "spec.h"

static int build_usdt_spec(struct attach_session *s, int i, struct seen_obj *o,
			   const struct sdt_probe *p, struct site_req *r, char *fmt)
{
	const struct probe_spec *ps = &s->probes[i];
	struct spec_site site = {
		.machine = o->file->machine,
		.host = regs_host_machine(),
		.is_pie = o->file->e_type == ET_DYN,
		.resolve = session_obj_symbol,
		.ctx = o,
	};
	char pfmt[UT_MAX_ARGS];
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
	if (s->mode->site_roles) {
		err = s->mode->site_roles(s, i, p, &r->spec);
		if (err)
			return err;
	}
	memset(pfmt, 0, sizeof(pfmt));
	memcpy(pfmt, ps->fmt, (size_t)ps->nr_fmt);
	err = session_site_pred(s, i, p->nr_args, pfmt, &r->spec);
	if (err)
		return err;
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
	return 0;
}

/* The caller's word on a site: 0 attach, 1 leave off, -Exxx refuse the run. */
static int check_site(struct attach_session *s, const struct seen_obj *o,
		      const struct sdt_probe *p)
{
	char why[512] = "";
	int ret;

	if (!s->opts.site_check)
		return 0;
	ret = s->opts.site_check(s->opts.ctx, o->path, p->provider, p->name, why, sizeof(why));
	return ret < 0 ? session_err(s, ret, "%s", why) : ret;
}

/* Attach every site of @o that a USDT probe wants. Returns sites or -Exxx. */
int session_attach_usdt_obj(struct attach_session *s, struct seen_obj *o, int *nr_probes)
{
	int i, before = (int)s->nr_sites, err;
	size_t j;

	*nr_probes = 0;
	if (!o->file)
		return 0;
	for (i = 0; i < s->nr_probes; i++) {
		const struct probe_spec *ps = &s->probes[i];
		bool hit = false;

		if (ps->type != PROBE_USDT || !session_probe_wants_obj(s, i, o))
			continue;
		for (j = 0; j < o->file->nr_probes; j++) {
			const struct sdt_probe *p = &o->file->probes[j];
			struct site_req r = { .probe_idx = i, .obj = o };
			char label[256], fmt[UT_MAX_ARGS];

			if (!probe_spec__matches(ps, p->provider, p->name))
				continue;
			err = check_site(s, o, p);
			if (err < 0)
				return err;
			if (err)
				continue;	/* left off, the caller said why */
			snprintf(label, sizeof(label), "%s:%s", p->provider, p->name);
			err = build_usdt_spec(s, i, o, p, &r, fmt);
			if (err)
				return err;
			r.label = label;
			r.offset = p->offset;
			r.sem_offset = p->sem_offset;
			r.fmt = fmt;
			err = session_register_site(s, &r);
			if (err < 0)
				return err;
			hit = true;
		}
		*nr_probes += hit;
	}
	/* every site of an object at once: one uprobe_multi link */
	err = session_attach_sites(s, (size_t)before, o, false);
	return err ? err : (int)s->nr_sites - before;
}
