// SPDX-License-Identifier: MIT
/*
 * uprobe.c - plain uprobes and uretprobes on a symbol of a file, with the
 * ABI argument registers (or the return value) as arguments.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "../sdt/sdt.h"
#include "session_priv.h"
#include "../arch/regs.h"
#include "spec.h"

/*
 * The mode's roles for a uprobe's site (latency's BEGIN or END, a key's
 * argument), through the probe a USDT site would be: its @n ABI
 * arguments, signed where FMT says d.
 */
static int uprobe_roles(struct attach_session *s, int i, int n, const char *fmt,
			struct ut_site_spec *spec)
{
	const struct probe_spec *ps = &s->probes[i];
	struct sdt_arg args[UT_MAX_ARGS] = {};
	struct sdt_probe p = {
		.provider = ps->type == PROBE_URETPROBE ? "uretprobe" : "uprobe",
		.name = ps->symbol, .nr_args = n, .args = args,
	};
	int a;

	if (!s->mode->site_roles)
		return 0;
	for (a = 0; a < n && a < UT_MAX_ARGS; a++) {
		args[a].size = 8;
		args[a].is_signed = fmt[a] == 'd';
	}
	return s->mode->site_roles(s, i, &p, spec);
}

int session_attach_uprobe(struct attach_session *s, int i)
{
	const struct probe_spec *ps = &s->probes[i];
	struct site_req r = { .probe_idx = i, .retprobe = ps->type == PROBE_URETPROBE };
	char label[256], fmt[UT_MAX_ARGS], open_path[PATH_MAX + 32];
	struct seen_obj *o;
	uint64_t vaddr, off;
	bool fresh;
	int a, n, err;

	snprintf(open_path, sizeof(open_path), "%s", s->pstate[i].resolved);
	err = session_see_obj(s, s->pstate[i].resolved, open_path, &o, &fresh);
	if (err)
		return err;
	if (!o->syms && (err = elf_symtab__open(o->open_path, &o->syms)))
		return session_err(s, err, "%s: %s", o->path, sdt_strerror(err));
	if (elf_symtab__lookup(o->syms, ps->symbol, &vaddr)) {
		char clone[256];

		if (!elf_symtab__clone_of(o->syms, ps->symbol, clone, sizeof(clone)))
			return session_err(s, -ENOENT, "%s: no symbol '%s' in %s (did you mean "
					   "'%s', a copy the compiler made of it?)", ps->text,
					   ps->symbol, o->path, clone);
		return session_err(s, -ENOENT, "%s: no symbol '%s' in %s", ps->text,
				   ps->symbol, o->path);
	}
	if (elf_symtab__offset(o->syms, vaddr + ps->sym_off, &off))
		return session_err(s, -ENOENT, "%s: '%s' is in no loadable segment of %s",
				   ps->text, ps->symbol, o->path);
	n = r.retprobe ? 1 : (ps->nr_fmt ? ps->nr_fmt : 6);
	r.spec.nr_args = (__u16)n;
	for (a = 0; a < n; a++) {
		char f = a < ps->nr_fmt ? ps->fmt[a] : 'x';

		err = spec_abi_arg(regs_host_machine(), r.retprobe ? -1 : a, f, &r.spec.args[a]);
		if (err)
			return session_err(s, err, "%s: bad FMT", ps->text);
		fmt[a] = f;
	}
	err = uprobe_roles(s, i, n, fmt, &r.spec);
	if (!err)
		err = session_site_pred(s, i, n, fmt, &r.spec);
	if (err)
		return err;
	snprintf(label, sizeof(label), "%s:%s", r.retprobe ? "uretprobe" : "uprobe",
		 ps->symbol);
	r.label = label;
	r.obj = o;
	r.offset = off;
	r.fmt = fmt;
	return session_add_site(s, &r);
}
