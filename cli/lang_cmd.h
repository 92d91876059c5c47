/* SPDX-License-Identifier: MIT */
/*
 * lang_cmd.h - what calls, flow and stat share: -l LANG, the adapter's
 * probes turned into a run, the runtime's switches (-XX:+ExtendedDTraceProbes,
 * USE_ZEND_DTRACE=1) checked or set, and "not that runtime" detected.
 */
#ifndef USDTRACE_LANG_CMD_H
#define USDTRACE_LANG_CMD_H

#include "../lang-adapters/lang.h"
#include "options.h"
#include "runner.h"
#include "serve.h"

struct lang_cmd {
	const char *name;		/* calls, flow, stat */
	const struct lang_adapter *a;
	struct runner_opts o;
	struct attach_opts ao;
	const struct lang_probe *sel[LANG_MAX_PROBES];
	int nr_sel;
	uint16_t flags[LANG_MAX_PROBES];
	const char *env[2];
	int sites_seen;			/* sites attached, initially and later */
	const char *method;		/* --method GLOB, or NULL */
	const char *binary;		/* a server runtime's FILE argument, or NULL */
	char *texts[LANG_MAX_PROBES];	/* "PATH:probe" system-wide, owned */
	char *found;			/* the binary found in the adapter's paths */
	/* --serve */
	struct serve_opts serve_opts;	/* --serve, --web-config */
	uint32_t max_series;
	struct serve *serve;
};

/* From the parsed options of command @name (-l and the runner's). */
void lang_cmd__init(struct lang_cmd *lc, const char *name, const struct cli_opts *o);
/*
 * After the options: the adapter's probes with an event in @mask become the
 * run's probes. Warns when the target lacks the runtime's switch.
 */
int lang_cmd__prepare(struct lang_cmd *lc, unsigned int mask, enum attach_mode mode);
/*
 * calls on a database whose structs are known (lang_db__layout): its
 * statement probes on its binary (found, or the -p process's), counted in
 * the kernel (ATTACH_STMTS) with @layout (which must outlive the run);
 * the planner's too when @plan.
 * -EOPNOTSUPP, not said, when its version is not known (or with -c);
 * other errors said.
 */
int lang_cmd__prepare_stmts(struct lang_cmd *lc, struct ut_pg_layout *layout, bool plan);
/* runner hook: -p on a process without the runtime's probes is an error. */
int lang_cmd__check_attached(void *ctx, struct attach_session *s, const struct attach_stats *st);
/* The method name of an entry/return event, from the adapter's ident args. */
void lang_cmd__method(const struct lang_cmd *lc, const struct ut_event *ev,
		      const struct site_info *site, char *buf, size_t size);
/* The lang_event of the probe of @site. */
enum lang_event lang_cmd__event(const struct lang_cmd *lc, const struct site_info *site);
/*
 * --serve (when given): listen now, before anything is attached, and
 * answer scrapes with @render(hooks->ctx, ...) from the runner's loop.
 * 0, or -Exxx said.
 */
int lang_cmd__serve(struct lang_cmd *lc, serve_render_fn render, struct runner_hooks *hooks);
/* Run it; returns the exit status. */
int lang_cmd__run(struct lang_cmd *lc, struct runner_hooks *hooks, struct event_writer *w);
void lang_cmd__free(struct lang_cmd *lc);

#endif /* USDTRACE_LANG_CMD_H */
