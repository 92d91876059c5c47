// SPDX-License-Identifier: MIT
/*
 * interp.c - the reader over the runtimes (interp.h): which runtime a
 * process runs, from the objects it maps (the first one a runtime claims
 * and can read), and each process's reader state, found by pid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "procmem.h"

static const struct interp_runtime *const runtimes[] = {
	&interp_python, &interp_ruby, &interp_php,
};

#define NR_RUNTIMES	(sizeof(runtimes) / sizeof(runtimes[0]))

struct reader_proc {
	pid_t pid;
	const struct interp_runtime *rt;
	struct interp_proc *state;
	struct reader_proc *next;
};

struct interp_reader {
	const char *lang;		/* only this runtime's, or NULL */
	struct reader_proc *procs;
};

bool interp_known(const char *lang)
{
	size_t i;

	for (i = 0; i < NR_RUNTIMES; i++) {
		if (!strcmp(runtimes[i]->lang, lang))
			return true;
	}
	return false;
}

int interp_reader__new(struct interp_reader **out, const char *lang)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->lang = lang;
	return 0;
}

static struct reader_proc *proc_of(const struct interp_reader *r, pid_t pid)
{
	struct reader_proc *p;

	for (p = r->procs; p && p->pid != pid; p = p->next)
		;
	return p;
}

void interp_reader__forget(struct interp_reader *r, pid_t pid)
{
	struct reader_proc **pp, *p;

	for (pp = &r->procs; *pp; pp = &(*pp)->next) {
		if ((*pp)->pid != pid)
			continue;
		p = *pp;
		*pp = p->next;
		p->rt->free(p->state);
		free(p);
		return;
	}
}

void interp_reader__free(struct interp_reader *r)
{
	struct reader_proc *p, *next;

	if (!r)
		return;
	for (p = r->procs; p; p = next) {
		next = p->next;
		p->rt->free(p->state);
		free(p);
	}
	free(r);
}

/* What a probe of one process looks for, and what it found. */
struct probe_walk {
	const struct interp_reader *r;
	pid_t pid;
	struct ut_interp_proc *ip;
	const struct interp_runtime *rt;
	struct interp_proc *state;
	char *why;
	size_t size;
};

/* One object of the process (proc_objects) offered to each runtime. */
static int try_object(void *ctx, const char *file, const char *path, uint64_t start)
{
	struct probe_walk *pw = ctx;
	const char *base = strrchr(file, '/') + 1;
	size_t i;
	int err;

	for (i = 0; i < NR_RUNTIMES; i++) {
		if ((pw->r->lang && strcmp(pw->r->lang, runtimes[i]->lang)) ||
		    !runtimes[i]->is_object(base))
			continue;
		err = runtimes[i]->probe(pw->pid, path, start, pw->ip, &pw->state, pw->why,
					 pw->size);
		if (err != -ENOENT) {
			pw->rt = runtimes[i];
			return err;
		}
	}
	return -ENOENT;
}

int interp_reader__probe(struct interp_reader *r, pid_t pid, struct ut_interp_proc *ip,
			 char *why, size_t size)
{
	struct probe_walk pw = { .r = r, .pid = pid, .ip = ip, .why = why, .size = size };
	const struct interp_runtime *rt;
	struct interp_proc *state;
	struct reader_proc *p;
	int err;

	interp_reader__forget(r, pid);
	err = proc_objects(pid, try_object, &pw);
	rt = pw.rt;
	state = pw.state;
	if (err)
		return err == -EOPNOTSUPP ? err : -ENOENT;
	p = calloc(1, sizeof(*p));
	if (!p) {
		rt->free(state);
		return -ENOMEM;
	}
	p->pid = pid;
	p->rt = rt;
	p->state = state;
	p->next = r->procs;
	r->procs = p;
	return 0;
}

const struct interp_runtime *interp_reader__runtime(const struct interp_reader *r, pid_t pid)
{
	const struct reader_proc *p = proc_of(r, pid);

	return p ? p->rt : NULL;
}

int interp_reader__name(struct interp_reader *r, pid_t pid, const struct ut_interp_frame *f,
			struct interp_frame *out)
{
	struct reader_proc *p = proc_of(r, pid);

	if (!p)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->lang = p->rt->lang;
	return p->rt->name(p->state, f, out);
}
