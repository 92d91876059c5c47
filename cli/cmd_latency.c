// SPDX-License-Identifier: MIT
/*
 * cmd_latency.c - `usdtrace latency BEGIN END`: the time from BEGIN to END
 * on the same thread, nested pairs matched last-in-first-out, gathered in a
 * log-linear histogram in the kernel; optionally split by one of BEGIN's
 * arguments (--key argN). Printed at the end, and every -i seconds as
 * running totals.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"
#include "event_stacks.h"
#include "../writer/decode.h"
#include "../writer/hist.h"
#include "../writer/json.h"
#include "../writer/prom.h"
#include "runner.h"
#include "serve.h"
#include "../util/vec.h"

/* One histogram per key value (a single one without --key). */
struct lat_series {
	uint64_t key;
	char text[UT_LAT_KEY_STR];	/* a string key's content */
	struct hist h;
	struct ut_lat_stats st;
};

struct lat_state {
	struct event_writer *w;
	const struct runner_opts *o;
	bool keyed;
	bool str_key;			/* the key argument is a string (FMT s) */
	int key_arg;
	struct lat_series *series;
	size_t nr;
	size_t cap;
	uint64_t t0_ns;
	int err;
	/*
	 * --timeline: each pair is also a slice, so BEGIN and END stream as
	 * events and are paired here, LIFO per thread as the kernel would.
	 */
	struct lat_thread *threads;
	size_t nr_threads;
	size_t cap_threads;
	uint64_t user_unmatched;
	uint64_t slow_ns;		/* --min */
	bool slow_header;		/* its text header is out */
	struct event_stacks stacks;	/* --min --stack */
	struct serve *serve;		/* --serve */
};

/* --timeline: a thread's open BEGINs, their events copied (args, strings) */
struct lat_thread {
	uint32_t tid;
	int depth;
	struct ut_event *ev[UT_LAT_DEPTH];
	const struct site_info *site[UT_LAT_DEPTH];
	uint64_t key[UT_LAT_DEPTH];
};

static const char latency_usage[] =
"usage: usdtrace latency [--json] [-i SECONDS] [--key argN] [--min DURATION]\n"
"                        [-d SECONDS] [-o FILE] [-p PID | -c 'CMD'] BEGIN END\n"
"\n"
"Time from each hit of BEGIN to the next hit of END on the same thread;\n"
"nested pairs match last-in-first-out (32 levels per thread). An END\n"
"without BEGIN, or a BEGIN never ended, counts as unmatched. The histogram\n"
"lives in the kernel: buckets at most 25% wide, from 1 ns up. BEGIN and\n"
"END may each have a predicate /EXPR/: a pair counts when both pass.\n"
"\n"
"  --key argN          one histogram per value of BEGIN's argument N (per\n"
"                      content where BEGIN's FMT makes it a string)\n"
"  --min DURATION      also print each pair at least that long (10ms; units\n"
"                      ns, us, ms, s) with BEGIN's args, read at BEGIN, and\n"
"                      END's; faster pairs cost no ring-buffer traffic\n"
"  --stack             with --min: the user stack at BEGIN of each slow pair\n"
"                      (where the slow work started), as trace --stack shows\n"
"                      it; --stack-mode and --stack-size as for trace\n"
"  --serve HOST:PORT   run until stopped, serving the histogram as Prometheus\n"
"                      metrics (usdtrace_latency_seconds) on GET /metrics\n"
"  --timeline FILE     also write each pair as a slice of a Chrome Trace Event\n"
"                      JSON file (Perfetto); BEGIN and END then stream as\n"
"                      events and are paired in user space\n"
"  -i, --interval S    print the totals so far every S seconds\n"
"  -c, -p, -d, -o, -v, --json, --no-multi  as for trace\n"
"\n"
"Examples:\n"
"  usdtrace latency -c 'build/samples/server -n 300' server:request__begin server:request__end\n"
"  usdtrace latency --key arg1 -p 1234 server:request__begin server:request__end\n"
"  usdtrace latency -c 'build/samples/server -n 60 -k 3' 'server:request__begin /arg1 == 2/' server:request__end\n"
"  usdtrace latency --min 10ms -c 'build/samples/slow -n 10' 'slow:begin(d,s)' 'slow:end(d,d)'\n";

static struct lat_series *series_of(struct lat_state *ls, uint64_t key)
{
	struct lat_series *sr;
	size_t i;

	for (i = 0; i < ls->nr; i++) {
		if (ls->series[i].key == key)
			return &ls->series[i];
	}
	if (VEC_RESERVE(ls->series, ls->cap, ls->nr + 1)) {
		ls->err = -ENOMEM;
		return NULL;
	}
	sr = &ls->series[ls->nr++];
	memset(sr, 0, sizeof(*sr));
	sr->key = key;
	return sr;
}

static void on_bucket(void *ctx, uint64_t key, uint32_t bucket, uint64_t count)
{
	struct lat_series *sr = series_of(ctx, key);

	if (sr)
		hist_add(&sr->h, bucket, count);
}

static void on_stats(void *ctx, uint64_t key, const struct ut_lat_stats *st)
{
	struct lat_series *sr = series_of(ctx, key);

	if (sr)
		sr->st = *st;
}

static int cmp_series(const void *a, const void *b)
{
	const struct lat_series *x = a, *y = b;
	int c = strcmp(x->text, y->text);	/* "" unless string keys */

	if (c)
		return c;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* String keys: each series' text, from the kernel's table of them. */
static void key_texts(struct lat_state *ls, struct attach_session *s)
{
	size_t i;

	for (i = 0; ls->str_key && i < ls->nr; i++) {
		if (!ls->series[i].key ||
		    attach_session__latency_key_str(s, ls->series[i].key, ls->series[i].text,
						    sizeof(ls->series[i].text)))
			ls->series[i].text[0] = '\0';
	}
}

static void probe_name(const struct probe_spec *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s", p->provider ? p->provider : "?",
		 p->name ? p->name : "?");
}

struct lat_figures {
	uint64_t min, max, mean, p50, p90, p99;
};

static void figures(const struct lat_series *sr, struct lat_figures *f)
{
	const struct ut_lat_stats *st = &sr->st;

	f->min = st->count ? st->min_ns : 0;
	f->max = st->max_ns;
	f->mean = st->count ? st->sum_ns / st->count : 0;
	f->p50 = hist_percentile(&sr->h, 0.50, f->min, f->max);
	f->p90 = hist_percentile(&sr->h, 0.90, f->min, f->max);
	f->p99 = hist_percentile(&sr->h, 0.99, f->min, f->max);
}

static void print_json(struct lat_state *ls, const struct lat_series *sr,
		       uint64_t unmatched, uint64_t now, bool final)
{
	FILE *out = ls->w->out;
	char b[256], e[256];
	struct lat_figures f;
	uint64_t lo, hi;
	uint32_t k;
	bool first = true;

	probe_name(&ls->o->probes[0], b, sizeof(b));
	probe_name(&ls->o->probes[1], e, sizeof(e));
	figures(sr, &f);
	fputs("{\"type\":\"latency\",\"begin\":", out);
	json_write_str(out, b);
	fputs(",\"end\":", out);
	json_write_str(out, e);
	if (ls->str_key && sr->key) {
		fputs(",\"key\":", out);
		json_write_str(out, sr->text);
	} else if (ls->keyed && !ls->str_key) {
		fprintf(out, ",\"key\":%" PRIu64, sr->key);
	} else {
		fputs(",\"key\":null", out);	/* none, or a string not read */
	}
	fprintf(out, ",\"count\":%" PRIu64 ",\"unmatched\":%" PRIu64 ",\"min_ns\":%" PRIu64
		",\"max_ns\":%" PRIu64 ",\"mean_ns\":%" PRIu64 ",\"p50_ns\":%" PRIu64
		",\"p90_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64, sr->h.total, unmatched, f.min,
		f.max, f.mean, f.p50, f.p90, f.p99);
	if (!final)
		fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, now);
	fputs(",\"buckets\":[", out);
	for (k = 0; k < UT_LAT_BUCKETS; k++) {
		if (!sr->h.counts[k])
			continue;
		hist_bucket_bounds(k, &lo, &hi);
		fprintf(out, "%s{\"lo_ns\":%" PRIu64 ",\"hi_ns\":%" PRIu64 ",\"count\":%" PRIu64
			"}", first ? "" : ",", lo, hi, sr->h.counts[k]);
		first = false;
	}
	fputs("]}\n", out);
}

static void print_text(struct lat_state *ls, const struct lat_series *sr,
		       uint64_t unmatched, uint64_t now, bool final)
{
	FILE *out = ls->w->out;
	char b[256], e[256], d[7][24];
	struct lat_figures f;

	probe_name(&ls->o->probes[0], b, sizeof(b));
	probe_name(&ls->o->probes[1], e, sizeof(e));
	figures(sr, &f);
	if (!final)
		fprintf(out, "%.3fs: ", (double)(now - ls->t0_ns) / 1e9);
	fprintf(out, "%s -> %s", b, e);
	if (ls->str_key) {
		fprintf(out, " [arg%d = ", ls->key_arg);
		if (sr->key)
			text_write_quoted(out, sr->text, strlen(sr->text));
		else
			fputs("<fault>", out);
		fputc(']', out);
	} else if (ls->keyed) {
		fprintf(out, " [arg%d = %" PRIu64 "]", ls->key_arg, sr->key);
	}
	fputs(" (ns)\n", out);
	hist_print_text(out, &sr->h);
	fmt_duration(f.min, d[0], sizeof(d[0]));
	fmt_duration(f.mean, d[1], sizeof(d[1]));
	fmt_duration(f.p50, d[2], sizeof(d[2]));
	fmt_duration(f.p90, d[3], sizeof(d[3]));
	fmt_duration(f.p99, d[4], sizeof(d[4]));
	fmt_duration(f.max, d[5], sizeof(d[5]));
	fprintf(out, "count %" PRIu64 "  unmatched %" PRIu64 "  min %s  mean %s  p50 %s  "
		"p90 %s  p99 %s  max %s\n\n", sr->h.total, unmatched, d[0], d[1], d[2], d[3],
		d[4], d[5]);
}

static struct lat_thread *lat_thread_of(struct lat_state *ls, uint32_t tid)
{
	struct lat_thread *t;
	size_t i;

	for (i = 0; i < ls->nr_threads; i++) {
		if (ls->threads[i].tid == tid)
			return &ls->threads[i];
	}
	if (VEC_RESERVE(ls->threads, ls->cap_threads, ls->nr_threads + 1))
		return NULL;
	t = &ls->threads[ls->nr_threads++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	return t;
}

static void on_targets(void *ctx, const pid_t *pids, int nr)
{
	event_stacks__prime(&((struct lat_state *)ctx)->stacks, pids, nr);
}

static void lat_slow(struct lat_state *ls, const struct ut_event *end,
		     const struct site_info *end_site, const struct ut_event *begin,
		     const struct site_info *begin_site)
{
	char name[512];

	if (!ls->slow_header) {
		event_writer__slow_header(ls->w);
		ls->slow_header = true;
	}
	probe_name(&ls->o->probes[0], name, sizeof(name));
	/* --stack: BEGIN's stack, where the slow work started */
	event_writer__slow(ls->w, end, end_site, begin, begin_site, name,
			   event_stacks__of(&ls->stacks, begin));
	fflush(ls->w->out);
}

/* --min: a slow pair the kernel sent. */
static void on_slow(void *ctx, const struct ut_event *end, const struct site_info *end_site,
		    const struct ut_event *begin, const struct site_info *begin_site)
{
	lat_slow(ctx, end, end_site, begin, begin_site);
}

static struct ut_event *event_copy(const struct ut_event *ev)
{
	size_t size = sizeof(*ev) + (size_t)ev->nr_strs * ev->str_len;
	struct ut_event *c = malloc(size);

	if (c)
		memcpy(c, ev, size);
	return c;
}

static void lat_add(struct lat_state *ls, uint64_t key, uint64_t dur)
{
	struct lat_series *sr = series_of(ls, key);

	if (!sr)
		return;
	hist_add(&sr->h, ut_lat_bucket(dur), 1);
	if (!sr->st.count || dur < sr->st.min_ns)
		sr->st.min_ns = dur;
	if (dur > sr->st.max_ns)
		sr->st.max_ns = dur;
	sr->st.count++;
	sr->st.sum_ns += dur;
}

/*
 * User-space pairing for --timeline: the same rules as usdt_latency. Each
 * pair is a slice carrying BEGIN's and END's args; with --min a slow one
 * is also printed.
 */
static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct lat_state *ls = ctx;
	struct lat_thread *t = lat_thread_of(ls, ev->tid);
	struct ut_event *begin;
	uint64_t dur;
	int d;

	if (!t)
		return;
	if (site->probe_idx == 0) {
		if (t->depth >= UT_LAT_DEPTH) {
			ls->user_unmatched++;
			return;
		}
		begin = event_copy(ev);
		if (!begin) {
			ls->err = -ENOMEM;
			return;
		}
		d = t->depth++;
		t->key[d] = ls->keyed && ls->key_arg < site->nr_args ? ev->args[ls->key_arg] : 0;
		t->ev[d] = begin;
		t->site[d] = site;
		return;
	}
	if (!t->depth) {
		ls->user_unmatched++;
		return;
	}
	d = --t->depth;
	begin = t->ev[d];
	t->ev[d] = NULL;
	dur = ev->ts - begin->ts;
	lat_add(ls, t->key[d], dur);
	timeline__pair(ls->w->tl, begin, t->site[d], ev, site);
	if (ls->slow_ns && dur >= ls->slow_ns)
		lat_slow(ls, ev, site, begin, t->site[d]);
	free(begin);
}

static void lat_threads_free(struct lat_state *ls)
{
	size_t i;
	int d;

	for (i = 0; i < ls->nr_threads; i++) {
		for (d = 0; d < ls->threads[i].depth; d++)
			free(ls->threads[i].ev[d]);
	}
	free(ls->threads);
}

/* The series as the kernel has them now, and the unmatched count. */
static int lat_collect(struct lat_state *ls, struct attach_session *s, bool final,
		       uint64_t *unmatched)
{
	size_t i;
	int err = 0;

	if (ls->w->tl) {
		/* paired here: BEGINs still open at the end never ended */
		*unmatched = ls->user_unmatched;
		for (i = 0; final && i < ls->nr_threads; i++)
			*unmatched += (uint64_t)ls->threads[i].depth;
	} else {
		*unmatched = attach_session__unmatched(s);
		ls->nr = 0;
		ls->err = 0;
		err = attach_session__latency(s, on_bucket, on_stats, ls);
		if (!err)
			key_texts(ls, s);
	}
	if (!err && ls->err)
		err = ls->err;
	if (!err && !ls->keyed && !ls->nr)
		series_of(ls, 0);	/* an empty histogram is still a result */
	return err;
}

#define LAT_METRIC	"usdtrace_latency_seconds"

/* --serve: one histogram family, buckets cumulative at the kernel's bounds. */
static int lat_render(void *ctx, struct attach_session *s, FILE *out)
{
	struct lat_state *ls = ctx;
	char b[256], e[256], key[UT_LAT_KEY_STR + 24], le[32];
	struct prom_label l[4];
	uint64_t unmatched, lo, hi, cum;
	int err, nl, last;
	size_t i;
	uint32_t k;

	err = lat_collect(ls, s, false, &unmatched);
	if (err)
		return err;
	probe_name(&ls->o->probes[0], b, sizeof(b));
	probe_name(&ls->o->probes[1], e, sizeof(e));
	prom_family(out, LAT_METRIC, "histogram", "Time from BEGIN to END on one thread, "
		    "in the kernel's log-linear buckets.");
	for (i = 0; i < ls->nr; i++) {
		const struct lat_series *sr = &ls->series[i];

		l[0] = (struct prom_label){ "begin", b };
		l[1] = (struct prom_label){ "end", e };
		nl = 2;
		if (ls->keyed) {
			if (ls->str_key)
				snprintf(key, sizeof(key), "%s", sr->key ? sr->text : "<fault>");
			else
				snprintf(key, sizeof(key), "%" PRIu64, sr->key);
			l[nl++] = (struct prom_label){ "key", key };
		}
		for (last = UT_LAT_BUCKETS - 1; last > 0 && !sr->h.counts[last]; last--)
			;
		for (k = 0, cum = 0; k <= (uint32_t)last; k++) {
			cum += sr->h.counts[k];
			hist_bucket_bounds(k, &lo, &hi);
			if (hi == lo)
				continue;
			snprintf(le, sizeof(le), "%.9g", (double)hi / 1e9);
			l[nl] = (struct prom_label){ "le", le };
			prom_sample(out, LAT_METRIC "_bucket", l, nl + 1, cum);
		}
		l[nl] = (struct prom_label){ "le", "+Inf" };
		prom_sample(out, LAT_METRIC "_bucket", l, nl + 1, sr->h.total);
		prom_sample_f(out, LAT_METRIC "_sum", l, nl, (double)sr->st.sum_ns / 1e9);
		prom_sample(out, LAT_METRIC "_count", l, nl, sr->h.total);
	}
	prom_family(out, "usdtrace_unmatched_total", "counter",
		    "ENDs without a BEGIN, BEGINs past the depth or never ended.");
	l[0] = (struct prom_label){ "begin", b };
	l[1] = (struct prom_label){ "end", e };
	prom_sample(out, "usdtrace_unmatched_total", l, 2, unmatched);
	serve_common_families(out, s, 0);
	return 0;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct lat_state *ls = ctx;
	uint64_t unmatched;
	size_t i;
	int err;

	err = lat_collect(ls, s, final, &unmatched);
	if (err) {
		usdtrace_err("latency: reading the histogram: %s", strerror(-err));
		return;
	}
	if (ls->serve) {	/* served, not printed: the summary still counts them */
		ls->w->events = 0;
		for (i = 0; i < ls->nr; i++)
			ls->w->events += ls->series[i].h.total;
		return;
	}
	ls->w->events = 0;
	if (!ls->w->tl && ls->nr > 1)	/* the user-space series keep their places */
		qsort(ls->series, ls->nr, sizeof(*ls->series), cmp_series);
	for (i = 0; i < ls->nr; i++) {
		if (ls->w->json)
			print_json(ls, &ls->series[i], unmatched, now, final);
		else
			print_text(ls, &ls->series[i], unmatched, now, final);
		ls->w->events += ls->series[i].h.total;
	}
	fflush(ls->w->out);
}

static int check_probes(const struct runner_opts *o)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (o->probes[i].type != PROBE_USDT) {
			usdtrace_err("%s: latency takes USDT probes", o->probes[i].text);
			return -EINVAL;
		}
	}
	if (!strcmp(o->probes[0].text, o->probes[1].text)) {
		usdtrace_err("latency: BEGIN and END are the same probe (%s)", o->probes[0].text);
		return -EINVAL;
	}
	return 0;
}

static int run_latency(const struct cli_command *cmd, struct cli_opts *o)
{
	struct attach_opts ao = { .mode = ATTACH_LATENCY, .key_arg = o->key_arg };
	struct event_writer w = {};
	struct lat_state ls = { .w = &w, .o = &o->run };
	struct runner_hooks hooks = { .on_tick = on_tick, .ctx = &ls };
	int err, status;

	if (o->nr_args != 2) {
		usdtrace_err("%s: needs BEGIN and END probes (see usdtrace %s --help)", cmd->name,
			     cmd->name);
		return 1;
	}
	ls.keyed = ao.key_arg >= 0;
	ls.key_arg = ao.key_arg;
	ls.slow_ns = o->slow_ns;
	if (o->run.timeline_path) {
		ao.mode = ATTACH_TRACE;	/* pairs are slices: stream BEGIN and END */
		hooks.on_event = on_event;
	} else if (o->slow_ns) {
		ao.slow_ns = o->slow_ns;
		hooks.on_slow = on_slow;
	}
	if (o->stack_mode && (!o->slow_ns || o->run.timeline_path)) {
		usdtrace_err("%s: --stack is for --min (the stack at BEGIN of each slow pair), "
			     "without --timeline", cmd->name);
		return 1;
	}
	if (o->stack_mode) {
		ao.stack_mode = o->stack_mode;
		ao.stack_size = o->stack_size;
		hooks.on_targets = on_targets;
		if (event_stacks__init(&ls.stacks, cmd->name))
			return 1;
	}
	err = runner_opts__probes(&o->run, o->nr_args, o->args, 0);
	if (!err)
		err = check_probes(&o->run);
	if (!err && ls.keyed && ls.key_arg < o->run.probes[0].nr_fmt) {
		char f = o->run.probes[0].fmt[ls.key_arg];

		ls.str_key = f == 's' || f == 'S';
		if (ls.str_key && o->run.timeline_path) {
			usdtrace_err("%s: --key by a string and --timeline: not yet together",
				     cmd->name);
			err = -EINVAL;
		}
	}
	if (!err && o->serve) {
		if (o->slow_ns || o->run.timeline_path) {
			usdtrace_err("%s: --serve: not with --min or --timeline", cmd->name);
			err = -EINVAL;
		} else if (!(err = serve__start(o->serve, lat_render, &ls, &ls.serve))) {
			hooks.serve = ls.serve;
		}
	}
	ls.t0_ns = runner_now_ns();
	status = err ? 1 : runner__run(&o->run, &ao, &hooks, &w);
	free(ls.series);
	lat_threads_free(&ls);
	event_stacks__free(&ls.stacks);
	serve__stop(ls.serve);
	return status;
}

const struct cli_command cmd_latency = {
	.name = "latency",
	.summary = "histogram of the time from one probe to another, per thread",
	.usage = latency_usage,
	.opts = OPTS_RUN | OPT(OPT_INTERVAL) | OPT(OPT_KEY) | OPT(OPT_TIMELINE) | OPT(OPT_MIN) |
		OPT(OPT_STACK) | OPT(OPT_STACK_MODE) | OPT(OPT_STACK_SIZE) | OPT(OPT_SERVE),
	.run = run_latency,
};
