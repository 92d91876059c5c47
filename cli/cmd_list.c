// SPDX-License-Identifier: MIT
/*
 * cmd_list.c - `usdtrace list`: every USDT probe site of files or of a
 * process, as an aligned table or as `site` JSON Lines records.
 */
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../attach/objects.h"
#include "../sdt/sdt.h"
#include "commands.h"
#include "report.h"
#include "../writer/sites.h"

struct list_opts {
	bool json;
	bool verbose;
	const pid_t *pids;	/* every -p */
	int nr_pids;
	const char *provider;	/* pattern parts, NULL matches all */
	const char *name;
	char *pattern_buf;
};

/* The objects read, each parsed once, and the sites selected from them. */
struct list_state {
	struct object_list objs;
	struct sdt_file **files;	/* parallel to objs.objs, NULL if skipped */
	struct site_ref *sites;
	size_t nr_sites;
	size_t archives;		/* named: their members are objects */
};

static const char list_usage[] =
"usage: usdtrace list [--json] [-v] [-p PID] [FILE...] [PATTERN]\n"
"       usdtrace list [--json] [-v] FILE:PROVIDER:NAME\n"
"\n"
"List the USDT probe sites (.note.stapsdt) of executables and libraries.\n"
"\n"
"  FILE          an ELF file, or a library file name resolved as ld.so does\n"
"                (LD_LIBRARY_PATH, /etc/ld.so.cache, default directories)\n"
"  PATTERN       [PROVIDER:]NAME with * and ? globs\n"
"  FILE:PROVIDER:NAME  as trace takes a probe: that file, that pattern\n"
"  -p, --pid PID every object PID maps, read through /proc/PID/root\n"
"  -v, --verbose also print each argument's decoded location\n"
"      --json    one JSON `site` record per line\n"
"  -h, --help    this help\n"
"\n"
"Examples:\n"
"  usdtrace list /usr/bin/python3.11\n"
"  usdtrace list libstdc++.so.6 'libstdcxx:*'\n"
"  usdtrace list '/usr/bin/python3.11:python:gc__*'\n"
"  usdtrace list -p 1234 'hotspot:gc__*'\n"
"  usdtrace list --json -v build/samples/sample\n";

static void warn_cb(void *ctx, const char *path, const char *what, int err)
{
	(void)ctx;
	(void)err;
	fprintf(stderr, "usdtrace: warning: %s: %s\n", path, what);
}

static int set_pattern(struct list_opts *o, const char *pat)
{
	char *colon;

	if (o->pattern_buf && !o->provider) {
		/* a word without ':' before another pattern meant a FILE */
		usdtrace_err("%s: no such file or library", o->name);
		return -ENOENT;
	}
	if (o->pattern_buf) {
		usdtrace_err("list: more than one PATTERN: '%s:%s' and '%s'",
			     o->provider, o->name, pat);
		return -EINVAL;
	}
	if (!strncmp(pat, "usdt:", 5))
		pat += 5;
	o->pattern_buf = strdup(pat);
	if (!o->pattern_buf)
		return -ENOMEM;
	colon = strrchr(o->pattern_buf, ':');
	if (colon) {
		*colon = '\0';
		o->provider = o->pattern_buf;
		o->name = colon + 1;
	} else {
		o->name = o->pattern_buf;
	}
	return 0;
}

static bool is_regular(const char *path)
{
	struct stat st;

	return !stat(path, &st) && !S_ISDIR(st.st_mode);
}

/*
 * An `ar` archive (libstdc++.a): its members with probes, each as the
 * object "ARCHIVE(MEMBER)". -ENOEXEC when @path is not one (or cannot be
 * read: opened again as a file, that says why).
 */
static int add_archive(struct list_state *st, const char *path)
{
	char **names, member[PATH_MAX + 300];
	size_t nr, i, with = 0;
	int err = sdt_archive__members(path, &names, &nr);

	if (err)	/* not an archive (or not readable): a file, said as one */
		return -ENOEXEC;
	st->archives++;
	for (i = 0; i < nr; i++) {
		struct sdt_file *f;

		snprintf(member, sizeof(member), "%s(%s)", path, names[i]);
		if (!err && !sdt_file__open(member, NULL, NULL, &f)) {
			if (f->nr_probes && !(err = object_list__add(&st->objs, member, member,
								     0, 0)))
				with++;
			sdt_file__free(f);
		}
		free(names[i]);
	}
	free(names);
	if (!err && !with)
		fprintf(stderr, "usdtrace: %s: no USDT probes in its %zu members\n", path, nr);
	return err;
}

static int add_file(struct list_state *st, const char *arg)
{
	char path[PATH_MAX];
	int err = lib_resolve(arg, path, sizeof(path));

	if (err) {
		usdtrace_err("%s: %s", arg, err == -ENOENT ? "no such file or library" :
			     sdt_strerror(err));
		return err;
	}
	err = add_archive(st, path);
	if (err != -ENOEXEC)
		return err;
	return object_list__add(&st->objs, path, path, 0, 0);
}

/*
 * trace's FILE:PROVIDER:NAME: the file and the pattern, when what comes
 * before the last two fields names a file (1: taken, 0: not this form).
 */
static int add_probe_form(struct list_opts *o, struct list_state *st, const char *arg)
{
	const char *name = strrchr(arg, ':'), *prov;
	char file[PATH_MAX];
	int err;

	if (!strncmp(arg, "usdt:", 5))
		arg += 5;
	if (!name || name == arg)
		return 0;
	for (prov = name - 1; prov > arg && *prov != ':'; prov--)
		;
	if (prov == arg || (size_t)(prov - arg) >= sizeof(file))
		return 0;
	memcpy(file, arg, (size_t)(prov - arg));
	file[prov - arg] = '\0';
	err = add_file(st, file);
	if (!err)
		err = set_pattern(o, prov + 1);
	return err ? err : 1;
}

/* A positional argument is a FILE when it names one, else the PATTERN. */
static int add_positional(struct list_opts *o, struct list_state *st, const char *arg)
{
	int err;

	err = add_probe_form(o, st, arg);
	if (err)
		return err < 0 ? err : 0;
	if (is_regular(arg) && !strchr(arg, '/'))
		return object_list__add(&st->objs, arg, arg, 0, 0);	/* a file here */
	if (strchr(arg, '/') || strstr(arg, ".so"))
		return add_file(st, arg);
	return set_pattern(o, arg);
}

static int take_args(const struct cli_opts *co, struct list_opts *o, struct list_state *st)
{
	int i, err;

	o->json = co->run.json;
	o->verbose = co->run.verbose;
	o->pids = co->run.pids;
	o->nr_pids = co->run.nr_pids;
	for (i = 0; i < co->nr_args; i++) {
		err = add_positional(o, st, co->args[i]);
		if (err)
			return err;
	}
	if (!o->nr_pids && !st->objs.nr && o->pattern_buf && !o->provider &&
	    !strpbrk(o->name, "*?[")) {
		/* one word, no glob: a file meant, not a pattern */
		usdtrace_err("%s: no such file or library", o->name);
		return -ENOENT;
	}
	if (!o->nr_pids && !st->objs.nr && !st->archives) {
		usdtrace_err("list: no FILE or -p PID given (see usdtrace list --help)");
		return -EINVAL;
	}
	return 0;
}

/* The objects of every -p process; one mapped by several is listed once. */
static int add_pid_objects(const struct list_opts *o, struct list_state *st)
{
	int err = 0, i;

	for (i = 0; i < o->nr_pids && !err; i++) {
		err = objects__from_pid(o->pids[i], &st->objs);
		if (err)
			usdtrace_err("PID %d: %s", o->pids[i], err == -ESRCH ?
				     "no such process" : sdt_strerror(err));
	}
	return err;
}

static bool matches(const struct list_opts *o, const struct sdt_probe *p)
{
	if (o->provider && !sdt_glob_match(o->provider, p->provider))
		return false;
	return !o->name || sdt_glob_match(o->name, p->name);
}

/*
 * Files the user named must parse; objects found in a process's maps that
 * are not ELF (locale archives, fonts) are skipped quietly.
 */
static int open_objects(const struct list_opts *o, struct list_state *st,
			size_t nr_named)
{
	size_t i;
	int err;

	st->files = calloc(st->objs.nr ? st->objs.nr : 1, sizeof(*st->files));
	if (!st->files)
		return -ENOMEM;
	for (i = 0; i < st->objs.nr; i++) {
		const struct object *obj = &st->objs.objs[i];

		err = sdt_file__open(obj->open_path, warn_cb, NULL, &st->files[i]);
		if (!err)
			continue;
		if (i < nr_named) {
			usdtrace_err("%s: %s", obj->path, sdt_strerror(err));
			return err;
		}
		if (err != -ENOEXEC && err != -ENODATA && err != -ENODEV)
			fprintf(stderr, "usdtrace: warning: %s: %s\n", obj->path,
				sdt_strerror(err));
	}
	(void)o;
	return 0;
}

static int select_sites(const struct list_opts *o, struct list_state *st)
{
	size_t i, j, total = 0;

	for (i = 0; i < st->objs.nr; i++)
		total += st->files[i] ? st->files[i]->nr_probes : 0;
	st->sites = calloc(total ? total : 1, sizeof(*st->sites));
	if (!st->sites)
		return -ENOMEM;
	for (i = 0; i < st->objs.nr; i++) {
		const struct sdt_file *f = st->files[i];

		for (j = 0; f && j < f->nr_probes; j++) {
			if (!matches(o, &f->probes[j]))
				continue;
			st->sites[st->nr_sites].path = st->objs.objs[i].path;
			st->sites[st->nr_sites].file = f;
			st->sites[st->nr_sites].probe = &f->probes[j];
			st->nr_sites++;
		}
	}
	return 0;
}

/* A named file without probes is said, not an empty table. */
static void say_empty(const struct list_state *st, size_t nr_named)
{
	size_t i;

	for (i = 0; i < nr_named; i++) {
		if (st->files[i] && !st->files[i]->nr_probes)
			fprintf(stderr, "usdtrace: %s: no USDT probes\n", st->objs.objs[i].path);
	}
}

/* Relocatable objects listed (a .o, an archive's members): what OFFSET is there. */
static void say_relocatable(const struct list_state *st, bool json)
{
	size_t i;

	for (i = 0; !json && i < st->nr_sites; i++) {
		if (st->sites[i].file->e_type == ET_REL) {
			fprintf(stderr, "usdtrace: note: in a relocatable object (.o) OFFSET is "
				"the site's offset in its section (relocations applied, as readelf "
				"shows it): nothing to attach until it is linked\n");
			return;
		}
	}
}

static void list_state__free(struct list_state *st)
{
	size_t i;

	for (i = 0; st->files && i < st->objs.nr; i++)
		sdt_file__free(st->files[i]);
	free(st->files);
	free(st->sites);
	object_list__free(&st->objs);
}

static int run_list(const struct cli_command *cmd, struct cli_opts *co)
{
	struct list_opts o = {};
	struct list_state st = {};
	size_t nr_named;
	int err;

	(void)cmd;
	err = take_args(co, &o, &st);
	if (err)
		goto out_free;
	nr_named = st.objs.nr;
	if (o.nr_pids)
		err = add_pid_objects(&o, &st);
	if (!err)
		err = open_objects(&o, &st, nr_named);
	if (!err)
		err = select_sites(&o, &st);
	if (err)
		goto out_free;
	say_empty(&st, nr_named);
	if (o.nr_pids && !o.pattern_buf && !st.nr_sites)
		fprintf(stderr, "usdtrace: PID %d%s: no USDT probes in the %zu objects mapped\n",
			(int)o.pids[0], o.nr_pids > 1 ? " and the others" : "",
			st.objs.nr - nr_named);
	if (o.pattern_buf && !st.nr_sites) {
		usdtrace_err("%s%s%s: no probe matches", o.provider ? o.provider : "",
			     o.provider ? ":" : "", o.name);
		err = -ENOENT;
		goto out_free;
	}
	if (o.json)
		sites__print_json(stdout, st.sites, st.nr_sites);
	else
		sites__print_text(stdout, st.sites, st.nr_sites, o.verbose);
	say_relocatable(&st, o.json);
	if (fflush(stdout)) {
		usdtrace_err("stdout: %s", strerror(errno));
		err = -EIO;
	}
out_free:
	list_state__free(&st);
	free(o.pattern_buf);
	return err ? 1 : 0;
}

const struct cli_command cmd_list = {
	.name = "list",
	.summary = "list the probe sites of files or of a running process",
	.usage = list_usage,
	.opts = OPT(OPT_JSON) | OPT(OPT_VERBOSE) | OPT(OPT_PID),
	.run = run_list,
};
