// SPDX-License-Identifier: MIT
/*
 * lang_cmd.c - the shared half of calls, flow and stat (see lang_cmd.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "../expr/expr.h"
#include "../writer/decode.h"
#include "lang_cmd.h"

void lang_cmd__init(struct lang_cmd *lc, const char *name, const struct cli_opts *o)
{
	memset(lc, 0, sizeof(*lc));
	lc->name = name;
	lc->a = o->lang;
	lc->o = o->run;
	lc->method = o->method;
	lc->o.unsafe_off = true;	/* a runtime's own probes: leave the harmful ones off */
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
	buf = lc->o.pid ? malloc(2 * PROC_TEXT_MAX) : NULL;
	if (!buf)
		return;
	n = read_proc(lc->o.pid, "cmdline", buf, PROC_TEXT_MAX);
	n += read_proc(lc->o.pid, "environ", buf + n, PROC_TEXT_MAX);
	if (!lang_adapter__flag_present(a, buf, n))
		fprintf(stderr, "usdtrace: warning: %s: PID %d was started without %s: its "
			"method and allocation probes will not fire\n", a->lang,
			(int)lc->o.pid, a->needs);
	free(buf);
}

/* PHP's probes fire only with USE_ZEND_DTRACE=1 in the environment. */
static void check_env(const struct lang_cmd *lc)
{
	char *buf;
	size_t n;

	if (!lc->a->child_env || !lc->o.pid)
		return;
	buf = malloc(PROC_TEXT_MAX);
	if (!buf)
		return;
	n = read_proc(lc->o.pid, "environ", buf, PROC_TEXT_MAX);
	if (!lang_adapter__flag_present(lc->a, buf, n))
		fprintf(stderr, "usdtrace: warning: %s: PID %d runs without %s in its "
			"environment: its probes will not fire\n", lc->a->lang,
			(int)lc->o.pid, lc->a->child_env);
	free(buf);
}

/*
 * --method GLOB: entries and returns whose method name part (the adapter's
 * second name argument) matches, as a predicate on both, so pairs stay
 * pairs; the other probes (GC, loads) are not filtered.
 */
static int method_filter(struct lang_cmd *lc)
{
	int i, k = lc->a->ident[1];

	if (k < 0) {
		usdtrace_err("%s: --method: %s's probes name no method", lc->name, lc->a->lang);
		return -EINVAL;
	}
	for (i = 0; i < lc->nr_sel; i++) {
		if (lc->sel[i]->event != LANG_ENTRY && lc->sel[i]->event != LANG_RETURN)
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
	if (!lc->o.pid && !lc->o.cmd) {
		usdtrace_err("%s: give -p PID or -c CMD", lc->name);
		return -EINVAL;
	}
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
	err = runner_opts__probes(&lc->o, lc->nr_sel, texts, 0);
	if (!err && lc->method)
		err = method_filter(lc);
	if (err)
		return err;
	lc->ao.mode = mode;
	lc->ao.key_arg = -1;
	lc->ao.probe_flags = lc->flags;
	memcpy(lc->ao.ident, lc->a->ident, sizeof(lc->ao.ident));
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
	if (st->sites || !lc->o.pid)
		return 0;
	usdtrace_err("PID %d: no %s probes in its objects (%s)", (int)lc->o.pid, lc->a->lang,
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
	runner_opts__free(&lc->o);
}
