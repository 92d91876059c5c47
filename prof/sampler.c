// SPDX-License-Identifier: MIT
/*
 * sampler.c - samples made into the profile's stacks (sampler.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lang-adapters/interp.h"
#include "../lang-adapters/jvmstack.h"
#include "../stack/stack.h"
#include "../util/vec.h"
#include "../writer/decode.h"
#include "sampler.h"

#define MERGED_MAX	(STACK_MAX_FRAMES + UT_INTERP_FRAMES)

enum proc_runtime {
	RUNTIME_NONE,		/* no interpreter the reader knows */
	RUNTIME_READ,		/* one the reader knows: its frames are read */
	RUNTIME_UNREADABLE,	/* one, but a version without a layout */
};

/* What is known of a process seen in samples. */
struct proc_seen {
	pid_t pid;
	enum proc_runtime runtime;
	const struct interp_runtime *rt;	/* RUNTIME_READ: which */
	dev_t dev;		/* its executable when it was looked at: an exec changes it */
	ino_t ino;
};

struct sampler {
	struct sampler_opts o;
	struct stack_resolver *stacks;
	struct interp_reader *interp;
	struct jvm_procs *jvms;		/* Java frames, through the stack resolver */
	struct stack_trace trace;
	struct proc_seen *procs;
	size_t nr_procs, cap_procs;
	uint32_t *slots;		/* index + 1 by pid: a machine's processes, found in O(1) */
	size_t nr_slots;		/* a power of two, or 0 */
	struct prof_frame merged[MERGED_MAX];
	uint32_t ids[MERGED_MAX];
};

int sampler__new(const struct sampler_opts *o, struct sampler **out)
{
	struct sampler *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	err = stack_resolver__new(NULL, NULL, &s->stacks);
	if (!err)
		err = interp_reader__new(&s->interp, o->lang);
	if (!err && o->interp && (!o->lang || !strcmp(o->lang, "java")))
		err = jvm_procs__new(o->warn, o->ctx, &s->jvms);
	if (!err && s->jvms)
		stack_resolver__set_code(s->stacks, jvm_procs__ops(s->jvms));
	if (err) {
		sampler__free(s);
		return err;
	}
	*out = s;
	return 0;
}

void sampler__free(struct sampler *s)
{
	if (!s)
		return;
	stack_resolver__free(s->stacks);
	interp_reader__free(s->interp);
	jvm_procs__free(s->jvms);
	free(s->procs);
	free(s->slots);
	free(s);
}

static bool exe_of(pid_t pid, dev_t *dev, ino_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st))
		return false;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return true;
}

/* Look at @ps's process: which runtime, and tell the kernel where its frames are. */
static void probe(struct sampler *s, struct proc_seen *ps)
{
	struct ut_interp_proc ip;
	char why[256];
	int err;

	exe_of(ps->pid, &ps->dev, &ps->ino);
	ps->runtime = RUNTIME_NONE;
	ps->rt = NULL;
	if (!s->o.interp)
		return;
	err = interp_reader__probe(s->interp, ps->pid, &ip, why, sizeof(why));
	if (err == -EOPNOTSUPP) {
		ps->runtime = RUNTIME_UNREADABLE;
		if (s->o.warn)
			s->o.warn(s->o.ctx, why);
		return;
	}
	if (err)
		return;
	if (s->o.set_interp && s->o.set_interp(s->o.ctx, ps->pid, &ip))
		return;
	ps->runtime = RUNTIME_READ;
	ps->rt = interp_reader__runtime(s->interp, ps->pid);
}

/* The slot of @pid in the index: its process's, or the free one where it goes. */
static size_t slot_of(const struct sampler *s, pid_t pid)
{
	size_t mask = s->nr_slots - 1, i = ((size_t)pid * 2654435761u) & mask;

	while (s->slots[i] && s->procs[s->slots[i] - 1].pid != pid)
		i = (i + 1) & mask;
	return i;
}

/* The index again, twice the size, once it is half full. */
static int grow_index(struct sampler *s)
{
	size_t n = s->nr_slots ? 2 * s->nr_slots : 1024, i;
	uint32_t *old = s->slots;

	s->slots = calloc(n, sizeof(*s->slots));
	if (!s->slots) {
		s->slots = old;
		return -ENOMEM;
	}
	free(old);
	s->nr_slots = n;
	for (i = 0; i < s->nr_procs; i++)
		s->slots[slot_of(s, s->procs[i].pid)] = (uint32_t)i + 1;
	return 0;
}

static struct proc_seen *proc_of(struct sampler *s, pid_t pid, bool *fresh)
{
	struct proc_seen *ps;
	size_t slot;

	*fresh = false;
	if (2 * (s->nr_procs + 1) > s->nr_slots && grow_index(s))
		return NULL;
	slot = slot_of(s, pid);
	if (s->slots[slot])
		return &s->procs[s->slots[slot] - 1];
	if (VEC_RESERVE(s->procs, s->cap_procs, s->nr_procs + 1))
		return NULL;
	s->slots[slot] = (uint32_t)s->nr_procs + 1;
	ps = &s->procs[s->nr_procs++];
	memset(ps, 0, sizeof(*ps));
	ps->pid = pid;
	*fresh = true;
	probe(s, ps);
	return ps;
}

void sampler__prime(struct sampler *s, pid_t pid)
{
	bool fresh;

	proc_of(s, pid, &fresh);
	stack_resolver__prime(s->stacks, pid);
}

bool sampler__has_runtime(struct sampler *s, pid_t pid)
{
	size_t slot;

	if (s->jvms && jvm_procs__has(s->jvms, pid))
		return true;
	if (!s->nr_slots)
		return false;
	slot = slot_of(s, pid);
	return s->slots[slot] && s->procs[s->slots[slot] - 1].runtime != RUNTIME_NONE;
}

/* Has the process exec'd since it was looked at (its executable changed)? */
static bool exec_since(const struct proc_seen *ps)
{
	dev_t dev;
	ino_t ino;

	return exe_of(ps->pid, &dev, &ino) && (dev != ps->dev || ino != ps->ino);
}

/* Is @f an activation of the runtime's loop (_PyEval_EvalFrameDefault, rb_vm_exec...)? */
static bool is_seam(const struct interp_runtime *rt, const struct stack_frame *f)
{
	return rt && f->sym && !f->inlined && !strcmp(f->sym, rt->seam);
}

/* Is @obj the runtime itself (its call machinery between interpreter frames)? */
static bool runtime_object(const struct interp_runtime *rt, const char *obj)
{
	const char *base = obj ? strrchr(obj, '/') : NULL;

	base = base ? base + 1 : obj;
	return rt && base && rt->is_object(base);
}

static void native_frame(const struct stack_frame *f, struct prof_frame *out)
{
	memset(out, 0, sizeof(*out));
	if (f->lang) {
		/* a runtime's frame the stack resolver named (Java's) */
		out->lang = PROF_JAVA;
		out->inlined = f->inlined;
		out->cfunc = f->cfunc;
		out->name = f->sym;
		out->file = f->file;
		out->line = f->line;
		return;
	}
	out->lang = PROF_NATIVE;
	out->inlined = f->inlined;
	out->name = f->sym;
	out->file = f->file;
	out->line = f->line > 0 ? f->line : 0;
	out->obj = f->obj;
	/* a named function by its start; an unnamed frame by its own address */
	out->off = f->sym && f->off <= f->obj_off ? f->obj_off - f->off : f->obj_off;
}

/*
 * Native frames @t with the interpreter frames @py (named, innermost
 * first) in place of the runtime loop's frames (@rt's seam): each loop
 * activation ran the frames down to (and with) the first one C entered it
 * at. The runtime's own frames between two interpreter frames (calls
 * through its machinery) are left out; those inside the innermost one
 * stay (time in the interpreter's C code is the function's). Returns how
 * many.
 */
static int merge(struct sampler *s, const struct interp_runtime *rt,
		 const struct stack_trace *t, const struct prof_frame *py,
		 const uint32_t *py_flags, int nr_py)
{
	int i, j = 0, n = 0, last_py = -1, first_py = -1, k, out = 0;

	for (i = 0; i < t->nr && n < MERGED_MAX; i++) {
		if (is_seam(rt, &t->frames[i]) && j < nr_py) {
			do {
				if (first_py < 0)
					first_py = n;
				last_py = n;
				s->merged[n++] = py[j];
			} while (!(py_flags[j++] & UT_IFRAME_ENTRY) && j < nr_py && n < MERGED_MAX);
			continue;
		}
		native_frame(&t->frames[i], &s->merged[n++]);
	}
	/* the unwind stopped short of their loops: the rest outermost */
	while (j < nr_py && n < MERGED_MAX) {
		if (first_py < 0)
			first_py = n;
		last_py = n;
		s->merged[n++] = py[j++];
	}
	for (k = 0; k < n; k++) {
		if (k > first_py && k < last_py && s->merged[k].lang == PROF_NATIVE &&
		    runtime_object(rt, s->merged[k].obj))
			continue;
		s->merged[out++] = s->merged[k];
	}
	return out;
}

static uint8_t prof_lang_of(const char *lang)
{
	if (!strcmp(lang, "ruby"))
		return PROF_RUBY;
	if (!strcmp(lang, "php"))
		return PROF_PHP;
	return PROF_PYTHON;
}

int sampler__sample(struct sampler *s, const struct ut_event *ev, struct profile *p, size_t *at)
{
	struct prof_frame py[UT_INTERP_FRAMES];
	uint32_t py_flags[UT_INTERP_FRAMES];
	const struct ut_interp_frame *raw;
	const struct ut_stack *st;
	uint64_t flags = ev->args[0];
	struct interp_frame named;
	char comm[UT_COMM_LEN + 1];
	struct proc_seen *ps;
	int i, n, nr_py = 0;
	size_t len;
	bool fresh;

	ps = proc_of(s, (pid_t)ev->pid, &fresh);
	if (!ps)
		return -ENOMEM;
	if (!fresh && ps->runtime == RUNTIME_NONE && s->o.interp && exec_since(ps)) {
		probe(s, ps);
		if (s->jvms)
			jvm_procs__forget(s->jvms, ps->pid);	/* another program's memory now */
	}
	if (ps->runtime == RUNTIME_READ && (flags & UT_SAMPLE_NO_INTERP)) {
		p->lost[PROF_LOST_LATE]++;	/* taken before the kernel knew */
		return 0;
	}
	if (flags & UT_SAMPLE_INTERP_FAULT) {
		p->lost[PROF_LOST_FRAMES]++;
		return 0;
	}
	raw = (const void *)(ev + 1);
	for (i = 0; ps->runtime == RUNTIME_READ && i < ev->nr_strs && i < UT_INTERP_FRAMES;
	     i++) {
		/* a frame of no function (a VM's dummy): its activation ends inside it */
		if (ev->str_len == sizeof(*raw) && !raw[i].code) {
			if (nr_py)
				py_flags[nr_py - 1] |= raw[i].flags & UT_IFRAME_ENTRY;
			continue;
		}
		if (ev->str_len != sizeof(*raw) ||
		    interp_reader__name(s->interp, (pid_t)ev->pid, &raw[i], &named)) {
			p->lost[PROF_LOST_FRAMES]++;
			return 0;
		}
		py[nr_py] = (struct prof_frame){ .lang = prof_lang_of(named.lang),
						 .name = named.name, .file = named.file,
						 .line = named.line, .cfunc = named.cfunc };
		py_flags[nr_py++] = raw[i].flags;
	}
	st = event_stack(ev, &len);
	if (!st || (st->flags & UT_STACK_FAILED) ||
	    stack_resolver__resolve(s->stacks, (pid_t)ev->pid, (pid_t)ev->tid, st, len,
				    &s->trace) || !s->trace.nr) {
		p->lost[PROF_LOST_STACK]++;
		return 0;
	}
	if (ps->runtime == RUNTIME_UNREADABLE)
		p->native_only++;
	if (s->trace.cut == jvm_why_stale)
		p->jit_moved++;
	/* deeper than the sampler reads: the innermost frames, the rest as the loop's */
	if (flags & UT_SAMPLE_INTERP_CUT)
		p->cut++;
	n = merge(s, ps->rt, &s->trace, py, py_flags, nr_py);
	for (i = 0; i < n; i++) {
		if (profile__frame(p, &s->merged[i], &s->ids[i]))
			return -ENOMEM;
	}
	event_comm(ev, comm);
	return profile__add(p, ev->pid, ev->tid, comm, s->ids, (uint32_t)n, 1, at);
}
