// SPDX-License-Identifier: MIT
/*
 * lang_cmd.c - the shared half of calls, flow and stat (see lang_cmd.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "../expr/expr.h"
#include "../sdt/sdt.h"
#include "../writer/decode.h"
#include "lang_cmd.h"

void lang_cmd__init(struct lang_cmd *lc, const char *name, const struct cli_opts *o)
{
	memset(lc, 0, sizeof(*lc));
	lc->name = name;
	lc->a = o->lang;
	lc->o = o->run;
	lc->method = o->method;
	lc->binary = o->nr_args ? o->args[0] : NULL;
	lc->serve_addr = o->serve;
	lc->max_series = o->max_series;
	lc->o.unsafe_off = true;	/* a runtime's own probes: leave the harmful ones off */
}

/* Does the ELF file at @path carry probes of @a's provider? */
static bool has_probes(const struct lang_adapter *a, const char *path)
{
	size_t plen = strcspn(a->probes[0].text, ":");
	struct sdt_file *f;
	bool found = false;
	size_t i;

	if (sdt_file__open(path, NULL, NULL, &f))
		return false;
	for (i = 0; i < f->nr_probes && !found; i++)
		found = strlen(f->probes[i].provider) == plen &&
			!strncmp(f->probes[i].provider, a->probes[0].text, plen);
	sdt_file__free(f);
	return found;
}

/*
 * A server runtime traced system-wide: its binary, the FILE given or the
 * first of the adapter's usual places with its probes. The message says
 * where it looked and how to name one.
 */
static int find_binary(struct lang_cmd *lc, const char **path)
{
	const struct lang_adapter *a = lc->a;
	char looked[512] = "";
	size_t len = 0, k;
	int i;

	if (lc->binary) {
		if (access(lc->binary, R_OK)) {
			usdtrace_err("%s: %s", lc->binary, strerror(errno));
			return -errno;
		}
		if (!has_probes(a, lc->binary)) {
			usdtrace_err("%s: no %s probes (a %s built without --enable-dtrace?)",
				     lc->binary, a->lang, a->runtime);
			return -ENOENT;
		}
		*path = lc->binary;
		return 0;
	}
	for (i = 0; i < 4 && a->paths[i]; i++) {
		glob_t g;

		len += (size_t)snprintf(looked + len, len < sizeof(looked) ? sizeof(looked) - len : 0,
					"%s%s", i ? ", " : "", a->paths[i]);
		if (glob(a->paths[i], 0, NULL, &g))
			continue;
		/* the newest version first: glob sorts, so the last */
		for (k = g.gl_pathc; k-- > 0;) {
			if (has_probes(a, g.gl_pathv[k])) {
				lc->found = strdup(g.gl_pathv[k]);
				globfree(&g);
				*path = lc->found;
				return lc->found ? 0 : -ENOMEM;
			}
		}
		globfree(&g);
	}
	usdtrace_err("%s: no %s with %s probes in %s; name it: usdtrace %s -l %s "
		     "/path/to/%s, or -p PID", lc->name, a->runtime, a->lang, looked, lc->name,
		     a->lang, a->runtime);
	return -ENOENT;
}

/* System-wide: each probe text prefixed with the runtime's binary. */
static int prefix_texts(struct lang_cmd *lc, const char *path, char **texts)
{
	int i;

	for (i = 0; i < lc->nr_sel; i++) {
		size_t n = strlen(path) + strlen(texts[i]) + 2;

		lc->texts[i] = malloc(n);
		if (!lc->texts[i])
			return -ENOMEM;
		snprintf(lc->texts[i], n, "%s:%s", path, texts[i]);
		texts[i] = lc->texts[i];
	}
	return 0;
}

#define PROC_TEXT_MAX	(1 << 16)

/* Bytes of /proc/PID/@what (NUL-separated), 0 when unreadable. */
static size_t read_proc(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, size);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* Say so when the traced runtime was not started with what its probes need. */
static void check_switch(const struct lang_cmd *lc)
{
	const struct lang_adapter *a = lc->a;
	char *buf;
	size_t n;

	if (!a->needs || a->child_env)
		return;
	if (lc->o.cmd) {
		if (!lang_adapter__flag_present(a, lc->o.cmd, strlen(lc->o.cmd)))
			fprintf(stderr, "usdtrace: warning: %s: method and allocation probes "
				"fire only with %s; add it to the command\n", a->lang, a->needs);
		return;
	}
	buf = lc->o.nr_pids ? malloc(2 * PROC_TEXT_MAX) : NULL;
	if (!buf)
		return;
	n = read_proc(lc->o.pids[0], "cmdline", buf, PROC_TEXT_MAX);
	n += read_proc(lc->o.pids[0], "environ", buf + n, PROC_TEXT_MAX);
	if (!lang_adapter__flag_present(a, buf, n))
		fprintf(stderr, "usdtrace: warning: %s: PID %d was started without %s: its "
			"method and allocation probes will not fire\n", a->lang,
			(int)lc->o.pids[0], a->needs);
	free(buf);
}

/* PHP's probes fire only with USE_ZEND_DTRACE=1 in the environment. */
static void check_env(const struct lang_cmd *lc)
{
	char *buf;
	size_t n;

	if (!lc->a->child_env || !lc->o.nr_pids)
		return;
	buf = malloc(PROC_TEXT_MAX);
	if (!buf)
		return;
	n = read_proc(lc->o.pids[0], "environ", buf, PROC_TEXT_MAX);
	if (!lang_adapter__flag_present(lc->a, buf, n))
		fprintf(stderr, "usdtrace: warning: %s: PID %d runs without %s in its "
			"environment: its probes will not fire\n", lc->a->lang,
			(int)lc->o.pids[0], lc->a->child_env);
	free(buf);
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
		if (expr__and_glob(&lc->o.probes[i].pred, k, lc->method)) {
			usdtrace_err("%s: --method %s: a glob of at most 63 characters", lc->name,
				     lc->method);
			return -EINVAL;
		}
	}
	return 0;
}

int lang_cmd__prepare(struct lang_cmd *lc, unsigned int mask, enum attach_mode mode)
{
	char *texts[LANG_MAX_PROBES];
	int i, err;

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
		const char *path = NULL;

		err = find_binary(lc, &path);
		if (!err)
			err = prefix_texts(lc, path, texts);
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
	check_env(lc);
	return 0;
}

int lang_cmd__check_attached(void *ctx, const struct attach_stats *st)
{
	struct lang_cmd *lc = ctx;

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

	if (!lc->serve_addr)
		return 0;
	err = serve__start(lc->serve_addr, render, hooks->ctx, &lc->serve);
	if (!err)
		hooks->serve = lc->serve;
	return err;
}

int lang_cmd__run(struct lang_cmd *lc, struct runner_hooks *hooks, struct event_writer *w)
{
	int status;

	hooks->check_attached = hooks->check_attached ? hooks->check_attached :
				lang_cmd__check_attached;
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
