// SPDX-License-Identifier: MIT
/*
 * timeline.c - Chrome Trace Event JSON output (see timeline.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "json.h"
#include "timeline.h"
#include "../util/vec.h"

int timeline__open(struct timeline *t, const char *path)
{
	memset(t, 0, sizeof(*t));
	t->f = fopen(path, "we");
	if (!t->f)
		return -errno;
	setvbuf(t->f, NULL, _IOFBF, 1 << 20);
	fputs("[\n", t->f);
	t->first = true;
	return 0;
}

static void begin_record(struct timeline *t)
{
	fputs(t->first ? "" : ",\n", t->f);
	t->first = false;
}

static void name_record(struct timeline *t, const char *what, uint32_t pid, uint32_t tid,
			const char *comm)
{
	begin_record(t);
	fprintf(t->f, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":",
		what, pid, tid);
	json_write_str(t->f, comm);
	fputs("}}", t->f);
}

/* Name the process and the thread the first time they appear. */
static void name_once(struct timeline *t, uint32_t pid, uint32_t tid, const char *comm)
{
	uint64_t key = (uint64_t)pid << 32 | tid, pkey = (uint64_t)pid << 32 | pid;
	bool have_thread = false, have_proc = false;
	size_t i;

	for (i = 0; i < t->nr_named; i++) {
		have_thread |= t->named[i] == key;
		have_proc |= t->named[i] == pkey;
	}
	if (have_thread)
		return;
	if (VEC_RESERVE(t->named, t->cap_named, t->nr_named + 2))
		return;
	if (!have_proc) {
		name_record(t, "process_name", pid, pid, comm);
		t->named[t->nr_named++] = pkey;
	}
	if (key != pkey) {
		name_record(t, "thread_name", pid, tid, comm);
		t->named[t->nr_named++] = key;
	}
}

/* {"arg0":v,...}: a probe hit's arguments, null where not read. */
static void write_args(FILE *f, const struct ut_event *ev, const struct site_info *site)
{
	const char *str;
	size_t len;
	int a, shown = 0;

	fputc('{', f);
	for (a = 0; a < site->nr_args; a++) {
		if (site->fmt[a] == '-')
			continue;
		fprintf(f, "%s\"arg%d\":", shown++ ? "," : "", a);
		str = event_str_arg(ev, site, a, &len);
		if (ev->faulted & (1u << a))
			fputs("null", f);
		else if (str)
			json_write_strn(f, str, len);
		else if (site->fmt[a] == 'd')
			fprintf(f, "%" PRId64, (int64_t)ev->args[a]);
		else
			fprintf(f, "%" PRIu64, (uint64_t)ev->args[a]);
	}
	fputc('}', f);
}

void timeline__instant(struct timeline *t, const struct ut_event *ev,
		       const struct site_info *site)
{
	char comm[UT_COMM_LEN + 1];

	if (!t->f)
		return;
	event_comm(ev, comm);
	name_once(t, ev->pid, ev->tid, comm);
	begin_record(t);
	fputs("{\"name\":", t->f);
	json_write_str(t->f, site->label);
	fprintf(t->f, ",\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":%u,\"tid\":%u,\"args\":",
		(double)ev->ts / 1e3, ev->pid, ev->tid);
	write_args(t->f, ev, site);
	fputc('}', t->f);
}

void timeline__slice(struct timeline *t, uint32_t pid, uint32_t tid, const char *comm,
		     const char *name, uint64_t ts_ns, uint64_t dur_ns)
{
	if (!t->f)
		return;
	name_once(t, pid, tid, comm);
	begin_record(t);
	fputs("{\"name\":", t->f);
	json_write_str(t->f, name);
	fprintf(t->f, ",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":%u,\"tid\":%u}",
		(double)ts_ns / 1e3, (double)dur_ns / 1e3, pid, tid);
}

void timeline__pair(struct timeline *t, const struct ut_event *begin,
		    const struct site_info *begin_site, const struct ut_event *end,
		    const struct site_info *end_site)
{
	char comm[UT_COMM_LEN + 1];

	if (!t->f)
		return;
	event_comm(end, comm);
	name_once(t, end->pid, end->tid, comm);
	begin_record(t);
	fputs("{\"name\":", t->f);
	json_write_str(t->f, begin_site->label);
	fprintf(t->f, ",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":%u,\"tid\":%u,"
		"\"args\":{\"begin\":", (double)begin->ts / 1e3,
		(double)(end->ts - begin->ts) / 1e3, end->pid, end->tid);
	write_args(t->f, begin, begin_site);
	fputs(",\"end\":", t->f);
	write_args(t->f, end, end_site);
	fputs("}}", t->f);
}

int timeline__close(struct timeline *t)
{
	int err = 0;

	if (!t->f)
		return 0;
	fputs("\n]\n", t->f);
	if (fclose(t->f))
		err = -EIO;
	t->f = NULL;
	free(t->named);
	t->named = NULL;
	return err;
}
