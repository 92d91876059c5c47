// SPDX-License-Identifier: MIT
/*
 * object_table.c - every object a session has seen, attached or not, known
 * by device and inode: its probe notes parsed once, its symbol table opened
 * on first need. Objects are never forgotten during a run, so a library
 * mapped again, or by another followed process, is not attached twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../sdt/sdt.h"
#include "session_priv.h"
#include "../util/vec.h"

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
int session_see_obj(struct attach_session *s, const char *path, const char *open_path,
		   struct seen_obj **out, bool *fresh)
{
	struct seen_obj *o;
	struct stat st;
	int err;

	if (stat(open_path, &st)) {
		err = -errno;
		if (session_target_exited(s))
			return session_exited(s);
		return session_err(s, err, "%s: %s", path, strerror(-err));
	}
	o = find_obj(s, st.st_dev, st.st_ino, open_path);
	*fresh = !o;
	if (o) {
		*out = o;
		return 0;
	}
	if (VEC_RESERVE(s->objs, s->cap_objs, s->nr_objs + 1))
		return session_err(s, -ENOMEM, "out of memory");
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

int session_obj_symbol(void *ctx, const char *symbol, uint64_t *vaddr)
{
	struct seen_obj *o = ctx;

	if (!o->syms && elf_symtab__open(o->open_path, &o->syms))
		return -ENOENT;
	return elf_symtab__lookup(o->syms, symbol, vaddr);
}
