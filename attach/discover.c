// SPDX-License-Identifier: MIT
/*
 * discover.c - find the objects to attach: every object a process maps
 * (read from /proc/PID/maps, again after each dlopen), or the files named
 * by the probes when tracing system-wide.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "objects.h"
#include "session_priv.h"

int session_attach_pid_objects(struct attach_session *s, pid_t pid, bool initial)
{
	struct object_list objs = {};
	size_t k;
	int err;

	err = objects__from_pid(pid, &objs);
	if (err) {
		object_list__free(&objs);
		if (err == -ESRCH && !initial)
			return 0;	/* a followed child that is gone already */
		if (err == -ESRCH)
			return session_err(s, err, "PID %d: no such process", (int)pid);
		return session_err(s, err, "PID %d: %s", (int)pid, strerror(-err));
	}
	for (k = 0; k < objs.nr; k++) {
		struct timespec t0;
		struct seen_obj *o;
		bool fresh;
		int n, nr_probes;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (session_see_obj(s, objs.objs[k].path, objs.objs[k].open_path, &o, &fresh) ||
		    !fresh)
			continue;	/* gone meanwhile, or attached before */
		n = session_attach_usdt_obj(s, o, &nr_probes);
		if (n < 0) {
			err = n;
			break;
		}
		if (n && !initial && s->opts.on_object)
			s->opts.on_object(s->opts.ctx, o->path, nr_probes, n, session_ms_since(&t0));
	}
	object_list__free(&objs);
	return err;
}

int session_attach_system_wide(struct attach_session *s)
{
	int i, n, nr_probes, err;

	for (i = 0; i < s->nr_probes; i++) {
		struct seen_obj *o;
		bool fresh;

		if (s->probes[i].type != PROBE_USDT)
			continue;
		err = session_see_obj(s, s->pstate[i].resolved, s->pstate[i].resolved, &o, &fresh);
		if (err)
			return err;
		if (!fresh)
			continue;
		if (!o->file)
			return session_err(s, -ENOEXEC, "%s: not an ELF file", o->path);
		n = session_attach_usdt_obj(s, o, &nr_probes);
		if (n < 0)
			return n;
	}
	return 0;
}
