// SPDX-License-Identifier: MIT
/*
 * stack_count.c - `usdtrace count --by stack`: hits per probe and user
 * stack. DWARF mode (the default): each hit streams with its stack (trace
 * mode), stack/ unwinds and symbolizes it, and the hits are counted here.
 * FP mode: the kernel counts hits by (site, pid, stack id), its
 * frame-pointer walks kept once each in a stack map, and only the distinct
 * stacks are read and symbolized, at the end. Either way the rows are by
 * probe and function chain (a frame without a symbol counts as its
 * object, "[libc.so.6]"). --folded FILE writes "probe;root;...;leaf count"
 * lines for flame graph tools, --flamegraph FILE.svg draws them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agg/key.h"
#include "../attach/key_layout.h"
#include "event_stacks.h"
#include "../writer/flamegraph.h"
#include "../writer/folded.h"
#include "report.h"
#include "stack_count.h"

#define FOLD_MAX	8192	/* bytes of a folded stack */
#define PRIMED_MAX	1024	/* FP mode: processes remembered as primed */
#define PRIME_EVERY_S	0.2	/* FP mode: how often new processes' maps are read */

struct stack_count_state {
	struct event_writer *w;
	struct event_stacks stacks;
	struct folded rows;		/* "probe;root;...;leaf" -> hits */
	uint64_t unresolved;		/* hits whose stack could not be read at all */
	long top;
	const char *folded_path;
	const char *flamegraph_path;
	/* FP mode: the kernel's keys (pid, stack id), read at the end */
	struct key_layout layout;
	pid_t primed[PRIMED_MAX];	/* pids whose maps were read, a ring */
	unsigned int nr_primed;
	struct {
		struct ut_stack st;
		uint64_t ips[UT_STACK_FP_MAX];
	} fp;
	char buf[FOLD_MAX];
};

static const char *frame_label(const struct stack_frame *f, char *buf, size_t size)
{
	const char *base;

	if (f->sym)
		return f->sym;
	base = f->obj ? strrchr(f->obj, '/') : NULL;
	snprintf(buf, size, "[%s]", base ? base + 1 : f->obj ? f->obj : "unknown");
	return buf;
}

/*
 * "probe;root;...;leaf" of @t (NULL: the probe alone): the innermost frame
 * last, as flame graphs read it.
 */
static void fold(struct stack_count_state *sc, const char *probe, const struct stack_trace *t)
{
	size_t len = (size_t)snprintf(sc->buf, sizeof(sc->buf), "%s", probe);
	char lb[256];
	const char *l;
	int i;

	for (i = t ? t->nr - 1 : -1; i >= 0 && len < sizeof(sc->buf); i--) {
		l = frame_label(&t->frames[i], lb, sizeof(lb));
		len += (size_t)snprintf(sc->buf + len, sizeof(sc->buf) - len, ";%s", l);
	}
	/* one stack a line: a newline inside a name would split it */
	for (i = (int)strlen(probe) + 1; sc->buf[i]; i++) {
		if (sc->buf[i] == '\n')
			sc->buf[i] = ' ';
	}
}

static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct stack_count_state *sc = ctx;
	const struct stack_trace *t = event_stacks__of(&sc->stacks, ev);

	if (!t)
		sc->unresolved++;
	fold(sc, site->label, t);
	if (folded__add(&sc->rows, sc->buf, 1))
		usdtrace_err("count: %s", strerror(ENOMEM));
}

static void print_rows(struct stack_count_state *sc)
{
	int err = folded__write_counts(sc->w->out, &sc->rows, sc->w->json, sc->top);

	if (err)
		usdtrace_err("count: %s", strerror(-err));
	sc->w->events += folded__sum(&sc->rows);
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct stack_count_state *sc = ctx;
	int err;

	(void)s;
	(void)now;
	if (!final)
		return;
	sc->w->events = 0;
	print_rows(sc);
	fflush(sc->w->out);
	if (sc->unresolved)
		fprintf(stderr, "usdtrace: %" PRIu64 " hits' stacks could not be read: counted "
			"under the probe alone\n", sc->unresolved);
	if (sc->folded_path && (err = folded__write(&sc->rows, sc->folded_path)))
		usdtrace_err("%s: %s", sc->folded_path, strerror(-err));
	if (sc->flamegraph_path &&
	    (err = flamegraph__write(&sc->rows, sc->flamegraph_path, "usdtrace count --by stack",
				     "hits")))
		usdtrace_err("%s: %s", sc->flamegraph_path, strerror(-err));
}

/* FP mode: the frames of stack @id of @pid, or NULL when it cannot be read. */
/* FP mode: one read of the kernel's keys, and the session they are read from. */
struct fp_read {
	struct stack_count_state *sc;
	struct attach_session *s;
};

static const struct stack_trace *fp_stack(struct fp_read *fr, pid_t pid, uint32_t id,
					  uint64_t top)
{
	struct stack_count_state *sc = fr->sc;
	int n = attach_session__user_stack(fr->s, id, sc->fp.ips);

	if (n <= 0)
		return NULL;
	sc->fp.st = (struct ut_stack){ .mode = UT_STACK_FP, .nr = (uint32_t)n, .sp = top };
	if (stack_resolver__resolve(sc->stacks.r, pid, pid, &sc->fp.st,
				    sizeof(sc->fp.st) + (size_t)n * 8, sc->stacks.trace))
		return NULL;
	return sc->stacks.trace;
}

static uint32_t key_u32(const struct stack_count_state *sc, const uint8_t *key, int part)
{
	uint32_t v;

	memcpy(&v, key + sc->layout.parts[part].off, sizeof(v));
	return v;
}

/* FP mode, at the end: one kernel key, (site, pid, stack id) -> hits. */
static void on_stack_key(void *ctx, const void *key, uint64_t count)
{
	struct fp_read *fr = ctx;
	struct stack_count_state *sc = fr->sc;
	const struct site_info *si = attach_session__site(fr->s, key__site(key));
	const struct stack_trace *t = NULL;
	const uint8_t *k = key;
	struct ut_key_head h;
	uint64_t top;

	if (!si)
		return;
	memcpy(&h, k, sizeof(h));
	if (!(h.faults & (1u << 1))) {	/* part 1, the stack, was read */
		memcpy(&top, k + sc->layout.parts[1].off + 8, sizeof(top));
		t = fp_stack(fr, (pid_t)key_u32(sc, k, 0), key_u32(sc, k, 1), top);
	}
	if (!t)
		sc->unresolved += count;
	fold(sc, si->label, t);
	if (folded__add(&sc->rows, sc->buf, count))
		usdtrace_err("count: %s", strerror(ENOMEM));
}

/* FP mode, while running: read the maps of each new process with hits. */
static void on_prime_key(void *ctx, const void *key, uint64_t count)
{
	struct stack_count_state *sc = ((struct fp_read *)ctx)->sc;
	pid_t pid = (pid_t)key_u32(sc, key, 0);
	unsigned int i, n = sc->nr_primed < PRIMED_MAX ? sc->nr_primed : PRIMED_MAX;

	(void)count;
	for (i = 0; i < n; i++) {
		if (sc->primed[i] == pid)
			return;
	}
	event_stacks__prime(&sc->stacks, &pid, 1);
	sc->primed[sc->nr_primed++ % PRIMED_MAX] = pid;
}

static void on_fp_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct stack_count_state *sc = ctx;
	struct fp_read fr = { .sc = sc, .s = s };
	int err;

	err = attach_session__key_counts(s, final ? on_stack_key : on_prime_key, &fr);
	if (err)
		usdtrace_err("count: reading the stacks: %s", strerror(-err));
	if (final) {
		on_tick(ctx, s, now, final);
		/* hits past --max-keys are in no row: the summary says how many */
		sc->w->keyed = true;
		sc->w->overflow = attach_session__key_overflow(s);
		sc->w->events += sc->w->overflow;
	}
}

/* FP mode: keys (pid, stack id) counted in the kernel; 0 or -Exxx said. */
static int fp_layout(struct stack_count_state *sc, struct cli_opts *o, struct attach_opts *ao)
{
	char why[160];

	if (key_layout__make("pid", o->run.probes, o->run.nr_probes, o->run.str_len,
			     &sc->layout, why, sizeof(why))) {
		usdtrace_err("%s", why);
		return -EINVAL;
	}
	key_layout__add_stack(&sc->layout);
	key_layout__apply(&sc->layout, o->max_keys, ao);
	ao->mode = ATTACH_COUNT;
	ao->stack.mode = 0;	/* the walk is the key's, not an event's */
	if (!o->run.interval)
		o->run.interval = PRIME_EVERY_S;	/* ticks prime, only the end prints */
	return 0;
}

static void on_targets(void *ctx, const pid_t *pids, int nr)
{
	event_stacks__prime(&((struct stack_count_state *)ctx)->stacks, pids, nr);
}

int stack_count_run(const char *name, struct cli_opts *o)
{
	struct attach_opts ao = { .mode = ATTACH_TRACE,
				  .stack = { o->stack_mode ? o->stack_mode : UT_STACK_DWARF,
					     o->stack_size } };
	struct event_writer w = {};
	struct stack_count_state *sc = calloc(1, sizeof(*sc));
	struct runner_hooks hooks = { .on_event = on_event, .on_tick = on_tick,
				      .on_targets = on_targets };
	int status = 1;

	if (!sc) {
		usdtrace_err("%s: %s", name, strerror(ENOMEM));
		return 1;
	}
	if (event_stacks__init(&sc->stacks, name)) {
		free(sc);
		return 1;
	}
	sc->w = &w;
	sc->top = o->top;
	sc->folded_path = o->run.folded_path;
	sc->flamegraph_path = o->run.flamegraph_path;
	hooks.ctx = sc;
	if (!o->nr_args) {
		usdtrace_err("%s: no PROBE given (see usdtrace %s --help)", name, name);
	} else if (!runner_opts__probes(&o->run, o->nr_args, o->args, 0)) {
		if (ao.stack.mode == UT_STACK_FP) {
			hooks.on_event = NULL;
			hooks.on_tick = on_fp_tick;
			if (fp_layout(sc, o, &ao))
				goto out;
		}
		status = runner__run(&o->run, &ao, &hooks, &w);
	}
out:
	folded__free(&sc->rows);
	event_stacks__free(&sc->stacks);
	free(sc);
	return status;
}
