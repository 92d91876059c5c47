// SPDX-License-Identifier: MIT
/*
 * cmd_count.c - `usdtrace count`: exact hit counts per probe, per site or
 * per process, counted in the kernel (no event crosses the ring buffer),
 * printed every -i seconds (the interval's counts) and at the end (totals).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "count_keys.h"
#include "report.h"
#include "../writer/json.h"
#include "../writer/prom.h"
#include "runner.h"
#include "serve.h"
#include "stack_count.h"

/* One row of the table: a probe, a probe's site, or a probe in a process. */
struct count_row {
	const char *label;	/* owned by the session */
	const char *object;	/* BY_SITE */
	uint64_t offset;	/* BY_SITE */
	uint32_t pid;		/* BY_PID */
	uint64_t total;
	uint64_t prev;		/* total at the last interval */
};

struct count_state {
	enum count_by by;
	struct count_layout layout;	/* BY_KEYS */
	struct key_table keys;		/* BY_KEYS */
	long top;			/* -n */
	struct event_writer *w;
	struct count_row *rows;
	size_t nr;
	size_t cap;
	struct attach_session *session;	/* while refreshing */
	uint64_t t0_ns;
	struct serve *serve;	/* --serve */
	uint32_t max_series;
};

static const char count_usage[] =
"usage: usdtrace count [--json] [-i SECONDS] [--by KEY[,KEY...]] [--max-keys N] [-n TOP]\n"
"                      [-d SECONDS] [-o FILE] [-p PID | -c 'CMD'] PROBE...\n"
"       usdtrace count --by stack [--stack-mode fp|dwarf] [--folded FILE]\n"
"                      [--flamegraph FILE.svg] [-n TOP] [...] PROBE...\n"
"\n"
"Count every hit of each probe exactly, in the kernel: a hot probe costs no\n"
"more than the uprobe itself. PROBE as for trace: FMT is ignored, but a\n"
"predicate /EXPR/ counts only the hits it accepts (the rest: filtered).\n"
"\n"
"  --by KEY,...        one counter per probe (default) and value of each KEY:\n"
"                       site, pid, tid, comm, argN (a string's content where\n"
"                       FMT is s, the value otherwise); built in the kernel\n"
"  --by stack          one counter per probe and user stack (unwound and\n"
"                       symbolized as trace --stack does, counted here; with\n"
"                       --stack-mode fp counted in the kernel by stack id)\n"
"  --folded FILE        with --by stack: \"probe;root;...;leaf count\" lines\n"
"  --flamegraph FILE.svg  with --by stack: an SVG flame graph (hover, zoom)\n"
"  --serve HOST:PORT    run until stopped, serving the counts as Prometheus\n"
"                       metrics on GET /metrics (read from the kernel at each\n"
"                       scrape), /healthz once attached\n"
"  --max-series N       series served (default 10000); the rest summed into\n"
"                       one labelled \"other\"\n"
"  --max-keys N         keys the kernel keeps (default 10240); hits of keys\n"
"                       past that are counted in one overflow row\n"
"  -n, --top N          only the N largest counts\n"
"  -i, --interval S     also print each interval's counts every S seconds\n"
"  -c, -p, -d, -o, -v, --json, --no-multi  as for trace\n"
"\n"
"Examples:\n"
"  usdtrace count -c 'build/samples/sample -n 4000' 'sample:*'\n"
"  usdtrace count -p 1234 -i 1 'python:function__*'\n"
"  usdtrace count --by pid -d 10 /usr/bin/python3.11:python:gc__start\n"
"  usdtrace count --comm 'samp*' -c 'build/samples/sample -n 100' 'sample:loop /arg0 >= 90/'\n"
"  usdtrace count --by stack --flamegraph deep.svg -c 'build/samples/deep -n 100' deep:leaf\n"
"  usdtrace count --by arg0 -c 'build/samples/sample -n 300' 'sample:str(s,d)'\n";

static struct count_row *find_row(struct count_state *cs, const struct site_info *si,
				  uint32_t pid)
{
	struct count_row *r;
	size_t i;

	for (i = 0; i < cs->nr; i++) {
		r = &cs->rows[i];
		if (strcmp(r->label, si->label))
			continue;
		if ((cs->by == BY_SITE && (r->offset != si->offset || r->object != si->object)) ||
		    (cs->by == BY_PID && r->pid != pid))
			continue;
		return r;
	}
	if (cs->nr == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 32;

		r = realloc(cs->rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		cs->rows = r;
		cs->cap = cap;
	}
	r = &cs->rows[cs->nr++];
	memset(r, 0, sizeof(*r));
	r->label = si->label;
	r->object = si->object;
	r->offset = si->offset;
	r->pid = pid;
	return r;
}

static void add_pid_count(void *ctx, uint32_t site_id, uint32_t pid, uint64_t count)
{
	struct count_state *cs = ctx;
	const struct site_info *si = attach_session__site(cs->session, site_id);
	struct count_row *r;

	if (!si || si->probe_idx < 0)
		return;
	r = find_row(cs, si, pid);
	if (r)
		r->total += count;
}

/* Re-read every counter from the kernel into the rows' totals. */
static int refresh(struct count_state *cs, struct attach_session *s)
{
	size_t i, n = attach_session__nr_sites(s);
	uint64_t *tmp;
	int err;

	for (i = 0; i < cs->nr; i++)
		cs->rows[i].total = 0;
	if (cs->by == BY_PID) {
		cs->session = s;
		err = attach_session__pid_counts(s, add_pid_count, cs);
		cs->session = NULL;
		return err;
	}
	tmp = calloc(n ? n : 1, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	err = attach_session__site_counts(s, tmp);
	for (i = 0; !err && i < n; i++) {
		const struct site_info *si = attach_session__site(s, i);
		struct count_row *r;

		if (si->probe_idx < 0)
			continue;
		r = find_row(cs, si, 0);
		if (r)
			r->total += tmp[i];
	}
	free(tmp);
	return err;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;
	int c;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	c = strcmp(x->label, y->label);
	if (c)
		return c;
	return x->pid != y->pid ? (x->pid < y->pid ? -1 : 1) :
	       x->offset < y->offset ? -1 : x->offset > y->offset;
}

static void print_json(struct count_state *cs, uint64_t now, bool final)
{
	FILE *out = cs->w->out;
	size_t i;

	for (i = 0; i < cs->nr; i++) {
		const struct count_row *r = &cs->rows[i];

		fputs("{\"type\":\"count\",\"probe\":", out);
		json_write_str(out, r->label);
		if (cs->by == BY_SITE) {
			fputs(",\"object\":", out);
			json_write_str(out, r->object);
			fprintf(out, ",\"offset\":%" PRIu64, r->offset);
		} else if (cs->by == BY_PID) {
			fprintf(out, ",\"pid\":%u", r->pid);
		}
		if (final)
			fprintf(out, ",\"count\":%" PRIu64 "}\n", r->total);
		else
			fprintf(out, ",\"count\":%" PRIu64 ",\"interval\":true,\"ts\":%" PRIu64 "}\n",
				r->total - r->prev, now);
	}
}

/* The SITE (path+offset) or PID column of row @r. */
static void key_text(const struct count_state *cs, const struct count_row *r, char *buf,
		     size_t size)
{
	if (cs->by == BY_SITE)
		snprintf(buf, size, "%s+%#" PRIx64, r->object, r->offset);
	else if (cs->by == BY_PID)
		snprintf(buf, size, "%u", r->pid);
	else
		buf[0] = '\0';
}

static void print_text(struct count_state *cs, uint64_t now, bool final)
{
	FILE *out = cs->w->out;
	int w = 5, kw = cs->by == BY_SITE ? 4 : 3, n;
	char key[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < cs->nr; i++) {
		n = (int)strlen(cs->rows[i].label);
		w = n > w ? n : w;
		key_text(cs, &cs->rows[i], key, sizeof(key));
		n = (int)strlen(key);
		kw = n > kw ? n : kw;
	}
	if (!final)
		fprintf(out, "%.3fs:\n", (double)(now - cs->t0_ns) / 1e9);
	fprintf(out, "%-*s", w, "PROBE");
	if (cs->by != BY_PROBE)
		fprintf(out, "  %-*s", kw, cs->by == BY_SITE ? "SITE" : "PID");
	fprintf(out, "  %12s\n", final ? "COUNT" : "INTERVAL");
	for (i = 0; i < cs->nr; i++) {
		const struct count_row *r = &cs->rows[i];
		uint64_t v = final ? r->total : r->total - r->prev;

		fprintf(out, "%-*s", w, r->label);
		if (cs->by != BY_PROBE) {
			key_text(cs, r, key, sizeof(key));
			fprintf(out, "  %-*s", kw, key);
		}
		fprintf(out, "  %12" PRIu64 "\n", v);
	}
}

static void add_key(void *ctx, const void *key, uint64_t count)
{
	struct count_state *cs = ctx;

	if (key_table__add(&cs->keys, cs->session, key, count))
		key_table__reset(&cs->keys);	/* out of memory: said below */
}

/* --by with keys: re-read the kernel's table, merge, print. */
static void keys_tick(struct count_state *cs, struct attach_session *s, uint64_t now,
		      bool final)
{
	uint64_t overflow = attach_session__key_overflow(s);
	size_t i;
	int err;

	for (i = 0; i < cs->keys.nr; i++)
		cs->keys.rows[i].total = 0;
	cs->session = s;
	err = attach_session__key_counts(s, add_key, cs);
	cs->session = NULL;
	if (err) {
		usdtrace_err("count: reading the keys: %s", strerror(-err));
		return;
	}
	key_table__sort(&cs->keys);
	if (!final)
		fprintf(cs->w->out, cs->w->json ? "" : "%.3fs:\n",
			(double)(now - cs->t0_ns) / 1e9);
	key_table__print(&cs->keys, cs->w->out, cs->w->json, final, now, cs->top, overflow);
	cs->w->events = overflow;
	for (i = 0; i < cs->keys.nr; i++) {
		cs->keys.rows[i].prev = cs->keys.rows[i].total;
		cs->w->events += cs->keys.rows[i].total;
	}
	cs->w->overflow = overflow;
	fflush(cs->w->out);
}

/* --serve: the hits counted, for the summary line. */
static void served_total(struct count_state *cs, struct attach_session *s)
{
	size_t i;

	cs->w->events = 0;
	if (cs->by == BY_KEYS) {
		key_table__reset(&cs->keys);
		cs->session = s;
		attach_session__key_counts(s, add_key, cs);
		cs->session = NULL;
		cs->w->overflow = attach_session__key_overflow(s);
		cs->w->events = cs->w->overflow;
		for (i = 0; i < cs->keys.nr; i++)
			cs->w->events += cs->keys.rows[i].total;
		return;
	}
	if (refresh(cs, s))
		return;
	for (i = 0; i < cs->nr; i++)
		cs->w->events += cs->rows[i].total;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct count_state *cs = ctx;
	size_t i;
	int err;

	if (cs->serve) {
		/* served, not printed: the summary still counts them */
		if (final)
			served_total(cs, s);
		return;
	}
	if (cs->by == BY_KEYS) {
		keys_tick(cs, s, now, final);
		return;
	}
	err = refresh(cs, s);

	if (err) {
		usdtrace_err("count: reading the counters: %s", strerror(-err));
		return;
	}
	if (final && cs->nr > 1)
		qsort(cs->rows, cs->nr, sizeof(*cs->rows), cmp_rows);
	if (cs->w->json)
		print_json(cs, now, final);
	else
		print_text(cs, now, final);
	cs->w->events = 0;
	for (i = 0; i < cs->nr; i++) {
		cs->rows[i].prev = cs->rows[i].total;
		cs->w->events += cs->rows[i].total;
	}
	fflush(cs->w->out);
}

#define HITS "usdtrace_probe_hits_total"

/* Keyed rows: a label per --by key; past --max-series, one "other" series. */
static int render_keys(struct count_state *cs, struct attach_session *s, FILE *out,
		       uint64_t *folded)
{
	struct prom_label l[1 + UT_MAX_KEYS];
	char vals[UT_MAX_KEYS][UT_KEY_MAX + 8], names[UT_MAX_KEYS][16];
	uint64_t other = attach_session__key_overflow(s);
	size_t i;
	int k, err = 0;

	key_table__reset(&cs->keys);
	cs->session = s;
	err = attach_session__key_counts(s, add_key, cs);
	cs->session = NULL;
	if (err)
		return err;
	key_table__sort(&cs->keys);
	for (i = 0; i < cs->keys.nr; i++) {
		const struct key_row *r = &cs->keys.rows[i];

		if (i >= cs->max_series) {
			other += r->total;
			(*folded)++;
			continue;
		}
		l[0] = (struct prom_label){ "probe", r->si.label };
		for (k = 0; k < cs->layout.nr; k++) {
			l[1 + k].value = key_table__label(&cs->keys, r, k, vals[k], sizeof(vals[k]),
							  names[k], sizeof(names[k]));
			l[1 + k].name = names[k];
		}
		prom_sample(out, HITS, l, 1 + cs->layout.nr, r->total);
	}
	if (other) {	/* past --max-keys in the kernel, or --max-series here */
		l[0] = (struct prom_label){ "probe", "other" };
		for (k = 0; k < cs->layout.nr; k++)
			l[1 + k].value = "other";
		prom_sample(out, HITS, l, 1 + cs->layout.nr, other);
	}
	return 0;
}

/* --serve: the Prometheus text of the counters as they are now. */
static int count_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct count_state *cs = ctx;
	struct prom_label l[2];
	uint64_t folded = 0, other = 0;
	char pid[16];
	size_t i;
	int err;

	prom_family(out, HITS, "counter", "Hits of each probe (and --by key), counted in the "
		    "kernel.");
	if (cs->by == BY_KEYS) {
		err = render_keys(cs, s, out, &folded);
	} else {
		err = refresh(cs, s);
		for (i = 0; !err && i < cs->nr; i++) {
			const struct count_row *r = &cs->rows[i];

			if (i >= cs->max_series) {
				other += r->total;
				folded++;
				continue;
			}
			l[0] = (struct prom_label){ "probe", r->label };
			snprintf(pid, sizeof(pid), "%u", r->pid);
			l[1] = (struct prom_label){ "pid", pid };	/* only --by pid */
			prom_sample(out, HITS, l, cs->by == BY_PID ? 2 : 1, r->total);
		}
		if (!err && other) {
			l[0] = (struct prom_label){ "probe", "other" };
			l[1] = (struct prom_label){ "pid", "other" };
			prom_sample(out, HITS, l, cs->by == BY_PID ? 2 : 1, other);
		}
	}
	if (!err)
		serve_common_families(out, s, folded);
	return err;
}

static int run_count(const struct cli_command *cmd, struct cli_opts *o)
{
	struct attach_opts ao = { .mode = ATTACH_COUNT, .key_arg = -1 };
	struct event_writer w = {};
	struct count_state cs = { .w = &w, .by = o->by };
	struct runner_hooks hooks = { .on_tick = on_tick, .ctx = &cs };
	int status, err;

	if (cs.by == BY_STACK)
		return stack_count_run(cmd->name, o);
	if (o->stack_mode || o->run.folded_path || o->run.flamegraph_path) {
		usdtrace_err("%s: %s is for --by stack", cmd->name, o->run.folded_path ? "--folded" :
			     o->run.flamegraph_path ? "--flamegraph" : "--stack-mode");
		return 1;
	}
	if (!o->nr_args) {
		usdtrace_err("%s: no PROBE given (see usdtrace %s --help)", cmd->name, cmd->name);
		return 1;
	}
	if (o->serve && cs.by == BY_SITE) {
		usdtrace_err("%s: --serve with --by site: not served (use --by pid or keys)",
			     cmd->name);
		return 1;
	}
	ao.count_by_pid = cs.by == BY_PID;
	cs.top = o->top;
	if (runner_opts__probes(&o->run, o->nr_args, o->args, 0))
		return 1;
	if (cs.by == BY_KEYS) {
		char why[160];

		struct cli_layout_req req = {
			.list = o->by_list, .probes = o->run.probes, .nr_probes = o->run.nr_probes,
			.str_len = o->run.str_len, .max_keys = o->max_keys,
		};

		if (count_layout__apply(&req, &cs.layout, &ao, why, sizeof(why))) {
			usdtrace_err("%s", why);
			return 1;
		}
		cs.keys.l = &cs.layout;
		w.keyed = true;
	}
	if (o->serve) {
		/* bound before anything is attached: a taken port attaches nothing */
		err = serve__start(o->serve, count_render, &cs, &cs.serve);
		if (err)
			return 1;
		cs.max_series = o->max_series;
		hooks.serve = cs.serve;
	}
	cs.t0_ns = runner_now_ns();
	status = runner__run(&o->run, &ao, &hooks, &w);
	serve__stop(cs.serve);
	free(cs.rows);
	key_table__free(&cs.keys);
	return status;
}

const struct cli_command cmd_count = {
	.name = "count",
	.summary = "count probe hits exactly, in the kernel",
	.usage = count_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_BY) | OPT(OPT_MAX_KEYS) | OPT(OPT_TOP) |
		OPT(OPT_STACK_MODE) | OPT(OPT_STACK_SIZE) | OPT(OPT_FOLDED) | OPT(OPT_FLAMEGRAPH) |
		OPT(OPT_SERVE) | OPT(OPT_MAX_SERIES),
	.run = run_count,
};
