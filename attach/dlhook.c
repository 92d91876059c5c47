// SPDX-License-Identifier: MIT
/*
 * dlhook.c - the dynamic linker hook, which tells a session of objects a
 * process maps later. A uprobe on ld.so's _dl_debug_state (the function
 * r_debug.r_brk points to, called around every dlopen/dlclose and once the
 * start-up libraries are mapped) makes the BPF program stop the process
 * with SIGSTOP when a load has completed (r_state == RT_CONSISTENT) and
 * emit a UT_EV_DLOPEN event; session.c then attaches the new objects and
 * resumes the process, so their code cannot run before their probes are in
 * place. If SIGCONT overtakes a not yet delivered SIGSTOP, the stop is
 * discarded, so the process never stays stopped.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "../sdt/sdt.h"
#include "session_priv.h"

#define DL_HOOK_SYMBOL		"_dl_debug_state"
#define R_DEBUG_SYMBOL		"_r_debug"
#define R_DEBUG_STATE_OFF	24	/* offsetof(struct r_debug, r_state), LP64 */

static int attach_dl_hook(struct attach_session *s, const char *path, const char *open_path)
{
	struct site_req r = { .probe_idx = -1, .label = DL_HOOK_SYMBOL, .fmt = "" };
	uint64_t hook, rdebug;
	struct seen_obj *o;
	bool fresh;
	int err;

	err = session_see_obj(s, path, open_path, &o, &fresh);
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
	err = session_add_site(s, &r);
	if (!err && s->opts.exec_path)
		s->hooked = true;
	return err;
}

/* The interpreter of @exe (opened as @open_exe), found under @root. */
int session_hook_interp(struct attach_session *s, const char *open_exe, const char *root)
{
	char interp[PATH_MAX], open_path[PATH_MAX + 64];
	struct elf_symtab *t;
	int err;

	err = elf_symtab__open(open_exe, &t);
	if (err && s->pid && !s->opts.exec_path) {
		/* an exiting process loses its exe a moment before it turns zombie */
		if (err == -ENOENT)
			usleep(20000);
		if (session_target_exited(s))
			return session_exited(s);
		if (err == -ENOENT)
			return session_err(s, err, "PID %d: no executable to trace (a kernel "
					   "thread?)", (int)s->pid);
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
