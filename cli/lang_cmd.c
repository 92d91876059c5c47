// SPDX-License-Identifier: MIT
/*
 * lang_cmd.c - the shared half of calls, flow and stat (see lang_cmd.h).
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../expr/expr.h"
#include "../lang-adapters/runtime.h"
#include "../proc/child.h"
#include "../writer/decode.h"
#include "lang_cmd.h"
#include "report.h"

void lang_cmd__init(struct lang_cmd *lc, const char *name, const struct cli_opts *o)
{
	memset(lc, 0, sizeof(*lc));
	lc->name = name;
	lc->a = o->lang;
	lc->o = o->run;
	lc->method = o->method;
	lc->binary = o->nr_args ? o->args[0] : NULL;
	lc->serve_opts = (struct serve_opts){ o->serve, o->web_config };
	lc->max_series = o->max_series;
	lc->o.unsafe_off = true;	/* a runtime's own probes: leave the harmful ones off */
}

/* The first file matching @pattern, malloc'd; NULL: none. */
static char *glob_first(const char *pattern)
{
	char *path = NULL;
	glob_t g;

	if (!glob(pattern, 0, NULL, &g) && g.gl_pathc)
		path = strdup(g.gl_pathv[0]);
	globfree(&g);
	return path;
}

/*
 * System-wide: each probe text prefixed with @path, the runtime's binary,
 * or with the object its adapter names (a driver a daemon dlopens); a
 * probe whose object is not installed is left out, and said.
 */
static int prefix_texts(struct lang_cmd *lc, const char *path, char **texts)
{
	int i, k = 0;

	for (i = 0; i < lc->nr_sel; i++) {
		const char *pattern = lc->sel[i]->object;
		char *obj = pattern ? glob_first(pattern) : NULL;
		size_t n;

		if (pattern && !obj) {
			fprintf(stderr, "usdtrace: warning: %s: no %s: %s not traced\n",
				lc->a->lang, pattern, lc->sel[i]->text);
			continue;
		}
		n = strlen(obj ? obj : path) + strlen(texts[i]) + 2;
		lc->texts[k] = malloc(n);
		if (!lc->texts[k]) {
			free(obj);
			return -ENOMEM;
		}
		snprintf(lc->texts[k], n, "%s:%s", obj ? obj : path, texts[i]);
		free(obj);
		lc->sel[k] = lc->sel[i];
		lc->flags[k] = lc->flags[i];
		texts[k] = lc->texts[k];
		k++;
	}
	lc->nr_sel = k;
	return 0;
}

/* The program -c's command runs (its first word found on PATH), into @buf. */
static bool command_program(const char *cmd, char *buf, size_t size)
{
	char word[PATH_MAX];
	size_t n;

	for (;;) {	/* past VAR=value assignments */
		cmd += strspn(cmd, " \t");
		n = strcspn(cmd, " \t");
		if (!n || n >= sizeof(word))
			return false;
		memcpy(word, cmd, n);
		word[n] = '\0';
		cmd += n;
		if (!strchr(word, '=') || word[0] == '/' || word[0] == '.')
			break;
	}
	return !child__find_program(word, buf, size);
}

static bool named_as(const char *path, const char *lang)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, lang, strlen(lang));
}

/*
 * Does -c's command run the runtime itself (java, php8.2, a script whose
 * "#!" names python3), not a wrapper script of something else?
 */
static bool command_is_runtime(const struct lang_cmd *lc)
{
	char prog[PATH_MAX], image[PATH_MAX];

	if (!command_program(lc->o.cmd, prog, sizeof(prog)))
		return false;
	return named_as(prog, lc->a->lang) ||
	       (!child__exec_image(prog, image, sizeof(image)) && named_as(image, lc->a->lang));
}

/*
 * Say so when the traced runtime was not started with what its probes
 * need. A -c command that is not the runtime itself (a script that starts
 * it) is not judged here: a run that sees none of its method probes says
 * why at its end (the adapter's gap probes).
 */
static void check_switch(struct lang_cmd *lc)
{
	const struct lang_adapter *a = lc->a;

	if (a->needs && !a->child_env && lc->o.cmd) {
		lc->o.gap_said = command_is_runtime(lc) &&
				 !lang_adapter__flag_present(a, lc->o.cmd, strlen(lc->o.cmd));
		if (lc->o.gap_said)
			fprintf(stderr, "usdtrace: warning: %s: method and allocation probes "
				"fire only with %s; add it to the command\n", a->lang, a->needs);
		return;
	}
	if (!lc->o.nr_pids || !lang_runtime__switch_missing(a, lc->o.pids[0]))
		return;
	lc->o.gap_said = true;
	if (a->child_env)	/* PHP's probes fire only with USE_ZEND_DTRACE=1 set */
		fprintf(stderr, "usdtrace: warning: %s: PID %d runs without %s in its "
			"environment: its probes will not fire\n", a->lang, (int)lc->o.pids[0],
			a->child_env);
	else
		fprintf(stderr, "usdtrace: warning: %s: PID %d was started without %s: its "
			"method and allocation probes will not fire\n", a->lang,
			(int)lc->o.pids[0], a->needs);
}

/*
 * --method GLOB: entries and returns whose method name part (the adapter's
 * second name argument) matches, as a predicate on both, so pairs stay
 * pairs; the other probes (GC, loads) are not filtered.
 */
static int method_filter(struct lang_cmd *lc)
{
	/* the method's own name: the second part, or the only one (a query) */
	int i, k = lc->a->ident[1] >= 0 ? lc->a->ident[1] : lc->a->ident[0];
	char cls[64], meth[64];
	bool split = lc->a->ident[1] >= 0 && lc->a->ident[0] >= 0 &&
		     lang_method_glob_split(lc->a, lc->method, cls, sizeof(cls), meth,
					    sizeof(meth));

	if (k < 0) {
		usdtrace_err("%s: --method: %s's probes name no method", lc->name, lc->a->lang);
		return -EINVAL;
	}
	for (i = 0; i < lc->nr_sel; i++) {
		enum lang_event ev = lc->sel[i]->event;

		/* a query's done names nothing: its start's verdict pairs it */
		if ((ev != LANG_ENTRY && ev != LANG_RETURN && ev != LANG_QUERY_BEGIN) ||
		    lc->sel[i]->label)
			continue;
		/* as displayed: Class.method is a glob on each of the two parts */
		if (split ? expr__and_glob(&lc->o.probes[i].pred, lc->a->ident[0], cls) ||
			    expr__and_glob(&lc->o.probes[i].pred, k, meth) :
			    expr__and_glob(&lc->o.probes[i].pred, k, lc->method)) {
			usdtrace_err("%s: --method %s: a glob of at most 63 characters", lc->name,
				     lc->method);
			return -EINVAL;
		}
	}
	return 0;
}

/* -l, and a target the runtime can be traced by: 0 or -EINVAL said. */
static int check_target(struct lang_cmd *lc)
{
	if (!lc->a) {
		usdtrace_err("%s: -l LANG is required (one of %s)", lc->name,
			     lang_adapter__names());
		return -EINVAL;
	}
	if (!lc->o.nr_pids && !lc->o.cmd && !lc->a->forks) {
		usdtrace_err("%s: give -p PID or -c CMD", lc->name);
		return -EINVAL;
	}
	if (lc->binary && (lc->o.nr_pids || lc->o.cmd)) {
		usdtrace_err("%s: %s: a binary is traced system-wide, not with -p or -c",
			     lc->name, lc->binary);
		return -EINVAL;
	}
	if (lc->a->forks && lc->o.nr_pids)
		lc->o.follow = true;	/* a backend per connection: the children too */
	return 0;
}

/* A server runtime traced system-wide: its binary into lc->found. 0 or -Exxx said. */
static int find_binary(struct lang_cmd *lc)
{
	char why[1024];
	int err;

	if (lc->found)
		return 0;
	err = lang_runtime__find(lc->a, lc->binary, lc->name, &lc->found, why, sizeof(why));
	if (err == -ENOMEM)
		usdtrace_err("%s: %s", lc->name, strerror(ENOMEM));
	else if (err)
		usdtrace_err("%s", why);
	return err;
}

int lang_cmd__prepare_stmts(struct lang_cmd *lc, struct ut_pg_layout *layout, bool plan)
{
	int nr = plan ? UT_STMT_NR_ROLES : UT_STMT_PLAN;	/* the planner's roles are last */
	char *texts[UT_STMT_NR_ROLES], exe[64];
	int i, err, major;

	err = check_target(lc);
	if (err)
		return err;
	if (!lc->a->db || !lc->a->db->layouts || lc->o.cmd)
		return -EOPNOTSUPP;
	if (lc->o.nr_pids) {
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)lc->o.pids[0]);
		lc->found = realpath(exe, NULL);
		if (!lc->found)
			return -EOPNOTSUPP;	/* the run says what is wrong with the PID */
	} else if ((err = find_binary(lc))) {
		return err;
	}
	major = lang_runtime__db_version(lc->a, lc->found);
	if (major <= 0 || lang_db__layout(lc->a, major, layout))
		return -EOPNOTSUPP;
	for (i = 0; i < nr; i++) {
		size_t n = strlen(lc->a->db->stmt_probes[i]) + strlen(lc->found) + 1;

		lc->texts[i] = malloc(n);
		if (!lc->texts[i]) {
			usdtrace_err("%s: %s", lc->name, strerror(ENOMEM));
			return -ENOMEM;
		}
		snprintf(lc->texts[i], n, lc->a->db->stmt_probes[i], lc->found);
		texts[i] = lc->texts[i];
	}
	err = runner_opts__probes(&lc->o, nr, texts, 0);
	if (err)
		return err;
	lc->ao.mode = ATTACH_STMTS;
	lc->ao.stmts.layout = layout;
	lc->ao.quiet_unmatched = true;
	return 0;
}

int lang_cmd__prepare(struct lang_cmd *lc, unsigned int mask, enum attach_mode mode)
{
	char *texts[LANG_MAX_PROBES];
	int i, err;

	err = check_target(lc);
	if (err)
		return err;
	lc->nr_sel = lang_adapter__select(lc->a, mask, lc->sel, LANG_MAX_PROBES);
	if (!lc->nr_sel) {
		usdtrace_err("%s: %s has no probes for this command", lc->name, lc->a->lang);
		return -EOPNOTSUPP;
	}
	for (i = 0; i < lc->nr_sel; i++) {
		texts[i] = (char *)lc->sel[i]->text;
		lc->flags[i] = lc->sel[i]->event == LANG_ENTRY ? UT_SITE_ENTRY :
			       lc->sel[i]->event == LANG_RETURN ? UT_SITE_RETURN : 0;
		if (!lc->a->match_names)
			lc->flags[i] |= UT_SITE_LIFO;
	}
	if (lc->a->forks && !lc->o.nr_pids && !lc->o.cmd) {
		err = find_binary(lc);
		if (!err)
			err = prefix_texts(lc, lc->found, texts);
		if (err)
			return err;
	}
	err = runner_opts__probes(&lc->o, lc->nr_sel, texts, 0);
	if (!err && lc->method)
		err = method_filter(lc);
	if (err)
		return err;
	lc->ao.mode = mode;
	lc->ao.latency.key_arg = -1;
	lc->ao.calls.probe_flags = lc->flags;
	memcpy(lc->ao.calls.ident, lc->a->ident, sizeof(lc->ao.calls.ident));
	lc->ao.quiet_unmatched = true;
	lc->env[0] = lc->a->child_env;
	lc->ao.child_env = lc->env;
	check_switch(lc);
	return 0;
}

int lang_cmd__check_attached(void *ctx, struct attach_session *s, const struct attach_stats *st)
{
	struct lang_cmd *lc = ctx;

	(void)s;
	lc->sites_seen = st->sites;
	/* with -c the runtime may map its library later (libjvm.so is dlopen()ed) */
	if (st->sites || !lc->o.nr_pids)
		return 0;
	usdtrace_err("PID %d: no %s probes in its objects (%s)", (int)lc->o.pids[0], lc->a->lang,
		     lc->a->runtime);
	return -ENOENT;
}

void lang_cmd__method(const struct lang_cmd *lc, const struct ut_event *ev,
		      const struct site_info *site, char *buf, size_t size)
{
	char parts[3][256];
	const char *p[3] = { NULL, NULL, NULL };
	size_t len;
	int i;

	if (site->probe_idx >= 0 && site->probe_idx < lc->nr_sel &&
	    lc->sel[site->probe_idx]->label) {
		snprintf(buf, size, "%s", lc->sel[site->probe_idx]->label);
		return;
	}
	for (i = 0; i < 3; i++) {
		const char *s = event_str_arg(ev, site, lc->a->ident[i], &len);

		if (!s)
			continue;
		snprintf(parts[i], sizeof(parts[i]), "%.*s", (int)len, s);
		p[i] = parts[i];
	}
	lang_method_name(lc->a, p, buf, size);
}

enum lang_event lang_cmd__event(const struct lang_cmd *lc, const struct site_info *site)
{
	if (site->probe_idx < 0 || site->probe_idx >= lc->nr_sel)
		return LANG_LOAD;
	return lc->sel[site->probe_idx]->event;
}

int lang_cmd__serve(struct lang_cmd *lc, serve_render_fn render, struct runner_hooks *hooks)
{
	int err;

	if (!lc->serve_opts.addr)
		return 0;
	err = serve__start(&lc->serve_opts, render, hooks->ctx, &lc->serve);
	if (!err)
		hooks->serve = lc->serve;
	return err;
}

/*
 * A run that ended with none of the runtime's probes attached: say so,
 * naming the binary -c's command ran (a pyenv python3.11 first on PATH is
 * a build without probes) and the system's build that has them.
 */
static void lang_cmd__on_end(void *ctx, const struct attach_stats *st)
{
	const struct lang_cmd *lc = ctx;
	const char *sys = lc->a->system_binary;
	char prog[PATH_MAX];

	if (st->sites)
		return;
	fprintf(stderr, "usdtrace: warning: no %s probes in the traced objects (%s)", lc->a->lang,
		lc->a->runtime);
	if (lc->o.cmd && command_program(lc->o.cmd, prog, sizeof(prog))) {
		fprintf(stderr, ": the command runs %s", prog);
		if (command_is_runtime(lc) && sys && strcmp(prog, sys) && !access(sys, X_OK))
			fprintf(stderr, ", a build without them? %s has them", sys);
	}
	fputc('\n', stderr);
}

int lang_cmd__run(struct lang_cmd *lc, struct runner_hooks *hooks, struct event_writer *w)
{
	int status;

	hooks->check_attached = hooks->check_attached ? hooks->check_attached :
				lang_cmd__check_attached;
	hooks->on_end = hooks->on_end ? hooks->on_end : lang_cmd__on_end;
	status = runner__run(&lc->o, &lc->ao, hooks, w);
	return status;
}

void lang_cmd__free(struct lang_cmd *lc)
{
	int i;

	serve__stop(lc->serve);
	lc->serve = NULL;
	runner_opts__free(&lc->o);
	for (i = 0; i < LANG_MAX_PROBES; i++)
		free(lc->texts[i]);
	free(lc->found);
}
