// SPDX-License-Identifier: MIT
/*
 * match.c - which objects each user probe designates: its PATH resolved
 * (a full path, or a library name a process may map later), objects matched
 * against it, and after the initial attach the probes that matched nothing,
 * reported with the nearest real probes ("did you mean").
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../sdt/sdt.h"
#include "objects.h"
#include "session_priv.h"

static bool name_matches_path(const char *obj_path, const char *want)
{
	const char *base = strrchr(obj_path, '/');
	size_t n = strlen(want);

	base = base ? base + 1 : obj_path;
	return !strncmp(base, want, n) && (base[n] == '\0' || base[n] == '.');
}

/* Does probe @i's PATH (if any) designate object @o? */
bool session_probe_wants_obj(const struct attach_session *s, int i, const struct seen_obj *o)
{
	const struct probe_spec *p = &s->probes[i];
	const struct probe_state *ps = &s->pstate[i];

	if (!p->path)
		return true;
	if (ps->ino && ps->dev == o->dev && ps->ino == o->ino)
		return true;
	return !strchr(p->path, '/') && name_matches_path(o->path, p->path);
}

/*
 * Could @name be an object's that a process maps later (libfoo.so.1, or
 * python3.11 by its base name)? Not a probe type in the wrong case
 * (USDT:x:y, Uprobe:...): that mistake is said at once.
 */
static bool library_name(const char *name)
{
	return strcasecmp(name, "usdt") && strcasecmp(name, "uprobe") &&
	       strcasecmp(name, "uretprobe");
}

/*
 * What cannot be attached however it is named: a static archive or a
 * relocatable object has no addresses until linked. NULL for anything
 * else (from the first bytes of the file at @path).
 */
static const char *unlinked(const char *path)
{
	unsigned char b[18];
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(b, 1, sizeof(b), f) : 0;

	if (f)
		fclose(f);
	if (n >= 8 && !memcmp(b, "!<arch>\n", 8))
		return "a static archive: its probes are traced in the programs it is "
		       "linked into (list shows them)";
	if (n == sizeof(b) && !memcmp(b, "\177ELF", 4) &&
	    (b[5] == 1 ? b[16] | b[17] << 8 : b[17] | b[16] << 8) == 1 /* ET_REL */)
		return "a relocatable object: its probes have no address until it is linked "
		       "into a program (list shows them)";
	return NULL;
}

int session_resolve_paths(struct attach_session *s)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < s->nr_probes; i++) {
		const struct probe_spec *p = &s->probes[i];
		struct probe_state *ps = &s->pstate[i];
		struct stat st;

		if (!p->path) {
			if (p->type != PROBE_USDT || !s->pid)
				return session_err(s, -EINVAL, "%s: give PATH:%s, or -p PID or "
						   "-c CMD", p->text, p->text);
			continue;
		}
		if (lib_resolve(p->path, path, sizeof(path)) || stat(path, &st)) {
			/* a library name a traced process may map later */
			if (s->pid && !strchr(p->path, '/') && p->type == PROBE_USDT &&
			    library_name(p->path))
				continue;
			return session_err(s, -ENOENT, "%s: %s: no such file or library",
					   p->text, p->path);
		}
		if (S_ISDIR(st.st_mode))
			return session_err(s, -EISDIR, "%s: %s: is a directory", p->text,
					   p->path);
		if (unlinked(path))
			return session_err(s, -ENOEXEC, "%s: %s: %s", p->text, p->path,
					   unlinked(path));
		ps->dev = st.st_dev;
		ps->ino = st.st_ino;
		ps->resolved = strdup(path);
		if (!ps->resolved)
			return session_err(s, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Edit distance, for "did you mean". */
static int distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b), i, j, d[64 + 1];

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		int prev = d[0], tmp;

		d[0] = i;
		for (j = 1; j <= lb; j++) {
			int sub = prev + (a[i - 1] != b[j - 1]);

			tmp = d[j];
			d[j] = d[j] + 1 < d[j - 1] + 1 ? d[j] + 1 : d[j - 1] + 1;
			if (sub < d[j])
				d[j] = sub;
			prev = tmp;
		}
	}
	return d[lb];
}

/* "; did you mean a:b, c:d?" from the probes of the objects considered. */
static void suggest(struct attach_session *s, int i, char *buf, size_t size)
{
	const struct probe_spec *ps = &s->probes[i];
	char want[256], label[256];
	size_t k, j, len = 0;
	int found = 0;

	buf[0] = '\0';
	snprintf(want, sizeof(want), "%s:%s", ps->provider, ps->name);
	for (k = 0; k < s->nr_objs && found < 3; k++) {
		const struct sdt_file *f = s->objs[k].file;

		if (!f || !session_probe_wants_obj(s, i, &s->objs[k]))
			continue;
		for (j = 0; f && j < f->nr_probes && found < 3; j++) {
			const struct sdt_probe *p = &f->probes[j];

			snprintf(label, sizeof(label), "%s:%s", p->provider, p->name);
			if (strstr(buf, label) || (distance(want, label) > 3 &&
						   !strstr(label, ps->name)))
				continue;
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						found ? ", " : " (did you mean ", label);
			if (len >= size)
				break;
			found++;
		}
	}
	if (found && len + 2 < size)
		strcat(buf, "?)");
}

/* Has the object a probe's PATH names been read (so its probes are known)? */
static bool path_obj_seen(const struct attach_session *s, int i)
{
	size_t k;

	for (k = 0; k < s->nr_objs; k++) {
		if (s->objs[k].file && session_probe_wants_obj(s, i, &s->objs[k]))
			return true;
	}
	return false;
}

int session_check_matches(struct attach_session *s)
{
	char hint[512];
	int i;

	for (i = 0; i < s->nr_probes; i++) {
		const struct probe_spec *ps = &s->probes[i];

		if (s->pstate[i].nr_sites || ps->type != PROBE_USDT)
			continue;
		if (s->pid && (!ps->path || !path_obj_seen(s, i))) {
			/* -c: its libraries are not mapped yet; the end of the run tells */
			if (!s->opts.quiet_unmatched && !s->opts.exec_path)
				session_warn(s, "%s: no site yet; waiting for objects the "
					     "process loads", ps->text);
			continue;
		}
		suggest(s, i, hint, sizeof(hint));
		return session_err(s, -ENOENT, "%s: no such probe in %s%s", ps->text,
				   s->pstate[i].resolved ? s->pstate[i].resolved :
				   "the process's objects", hint);
	}
	return 0;
}

int attach_session__report_unmatched(struct attach_session *s, attach_warn_fn cb, void *ctx)
{
	char hint[512], msg[1024];
	int i, n = 0;

	for (i = 0; i < s->nr_probes; i++) {
		const struct probe_spec *ps = &s->probes[i];

		if (s->pstate[i].nr_sites || ps->type != PROBE_USDT)
			continue;
		suggest(s, i, hint, sizeof(hint));
		/* a command that is a shell or launcher runs the probes' program as a child */
		if (!hint[0] && s->opts.exec_path && !s->opts.follow)
			snprintf(hint, sizeof(hint), " (the processes it starts are not traced: -f "
				 "follows them)");
		snprintf(msg, sizeof(msg), "%s: no such probe in %s%s", ps->text,
			 s->pstate[i].resolved ? s->pstate[i].resolved :
			 s->opts.exec_path ? "the command's objects" : "the process's objects",
			 hint);
		cb(ctx, msg);
		n++;
	}
	return n;
}
