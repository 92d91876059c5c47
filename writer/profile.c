// SPDX-License-Identifier: MIT
/*
 * profile.c - a sampled profile in each format people read (profile.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../util/vec.h"
#include "json.h"
#include "profile.h"

#define LABEL_MAX	512

static const char *base_of(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : path;
}

const char *prof_frame__label(const struct prof_frame *f, char *buf, size_t size)
{
	if (f->lang != PROF_NATIVE) {
		if (f->file && f->line)
			snprintf(buf, size, "%s (%s:%d)", f->name ? f->name : "?",
				 base_of(f->file), f->line);
		else if (f->file)
			snprintf(buf, size, "%s (%s)", f->name ? f->name : "?", base_of(f->file));
		else
			snprintf(buf, size, "%s", f->name ? f->name : "?");	/* a C method */
	} else if (f->name) {
		snprintf(buf, size, "%s", f->name);
	} else if (f->obj && f->obj[0] == '[') {
		snprintf(buf, size, "%s", f->obj);	/* [vdso], [jit] */
	} else {
		snprintf(buf, size, "[%s]", f->obj ? base_of(f->obj) : "unknown");
	}
	return buf;
}

/* A function as the top aggregates it: the frame's label without its line. */
static const char *function_label(const struct prof_frame *f, char *buf, size_t size)
{
	struct prof_frame g = *f;

	g.line = 0;
	return prof_frame__label(&g, buf, size);
}

struct top_row {
	char *name;
	uint64_t self, total;
	uint64_t last;		/* the stack that last counted it in total (once a stack) */
};

static int cmp_top(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->self != y->self)
		return x->self < y->self ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

static struct top_row *top_row_of(struct top_row **rows, size_t *nr, size_t *cap,
				  const char *name)
{
	size_t i;

	for (i = 0; i < *nr; i++) {
		if (!strcmp((*rows)[i].name, name))
			return &(*rows)[i];
	}
	if (VEC_RESERVE(*rows, *cap, *nr + 1))
		return NULL;
	memset(&(*rows)[*nr], 0, sizeof(**rows));
	(*rows)[*nr].name = strdup(name);
	if (!(*rows)[*nr].name)
		return NULL;
	return &(*rows)[(*nr)++];
}

int profile__write_top(FILE *out, const struct profile *p, long top)
{
	struct top_row *rows = NULL, *r;
	size_t nr = 0, cap = 0, i, n;
	uint64_t all = 0;	/* the weights of every stack: samples, or ns blocked */
	char buf[LABEL_MAX];
	uint32_t k;
	int err = 0;

	for (i = 0; i < p->nr_stacks && !err; i++) {
		const struct prof_stack *s = &p->stacks[i];
		const uint32_t *ids = profile__ids(p, s);

		for (k = 0; k < s->nr; k++) {
			r = top_row_of(&rows, &nr, &cap,
				       function_label(&p->frames[ids[k]], buf, sizeof(buf)));
			if (!r) {
				err = -ENOMEM;
				break;
			}
			if (!k)
				r->self += prof_weight(p, s);
			if (r->last != i + 1) {	/* recursion counts once */
				r->total += prof_weight(p, s);
				r->last = i + 1;
			}
		}
	}
	if (!err && nr > 1)
		qsort(rows, nr, sizeof(*rows), cmp_top);
	n = top > 0 && (size_t)top < nr ? (size_t)top : nr;
	for (i = 0; i < p->nr_stacks; i++)
		all += prof_weight(p, &p->stacks[i]);
	if (!err)
		fprintf(out, "%7s %7s  %s\n", "SELF%", "TOTAL%", "FRAME");
	for (i = 0; !err && i < n; i++)
		fprintf(out, "%6.2f%% %6.2f%%  %s\n",
			all ? 100.0 * (double)rows[i].self / (double)all : 0.0,
			all ? 100.0 * (double)rows[i].total / (double)all : 0.0, rows[i].name);
	for (i = 0; i < nr; i++)
		free(rows[i].name);
	free(rows);
	return err;
}

static void json_str_or_null(FILE *out, const char *s)
{
	if (s)
		json_write_str(out, s);
	else
		fputs("null", out);
}

static void write_frame_json(FILE *out, const struct prof_frame *f)
{
	if (f->lang == PROF_NATIVE) {
		fputs("{\"lang\":\"native\",\"sym\":", out);
		json_str_or_null(out, f->name);
		fputs(",\"obj\":", out);
		json_str_or_null(out, f->obj);
		if (f->obj)
			fprintf(out, ",\"off\":%" PRIu64, f->off);
		else
			fputs(",\"off\":null", out);
		if (f->inlined)
			fputs(",\"inlined\":true", out);
	} else {
		fprintf(out, "{\"lang\":\"%s\",\"name\":", prof_lang__name(f->lang));
		json_str_or_null(out, f->name);
		if (f->cfunc)
			fputs(",\"cfunc\":true", out);
		if (f->inlined)
			fputs(",\"inlined\":true", out);	/* Java: compiled into its caller */
	}
	fputs(",\"file\":", out);
	json_str_or_null(out, f->file);
	if (f->line)
		fprintf(out, ",\"line\":%d}", f->line);
	else
		fputs(",\"line\":null}", out);
}

void profile__write_json(FILE *out, const struct profile *p)
{
	size_t i;
	uint32_t k;

	for (i = 0; i < p->nr_stacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		const uint32_t *ids = profile__ids(p, s);

		fprintf(out, "{\"type\":\"stack\",\"pid\":%u,\"tid\":%u,\"comm\":", s->pid, s->tid);
		json_write_str(out, s->comm);
		fprintf(out, ",\"count\":%" PRIu64, s->count);
		if (p->off_cpu)
			fprintf(out, ",\"ns\":%" PRIu64, s->ns);
		if (p->wall)
			fprintf(out, ",\"off_cpu_ns\":%" PRIu64, s->off_ns);
		fputs(",\"frames\":[", out);
		for (k = 0; k < s->nr; k++) {
			if (k)
				fputc(',', out);
			write_frame_json(out, &p->frames[ids[k]]);
		}
		fputs("]}\n", out);
	}
}

int profile__fold(const struct profile *p, struct folded *f)
{
	char *line = malloc(65536), buf[LABEL_MAX];
	size_t i, len, n;
	uint32_t k;
	int err = 0;

	if (!line)
		return -ENOMEM;
	for (i = 0; i < p->nr_stacks && !err; i++) {
		const struct prof_stack *s = &p->stacks[i];
		const uint32_t *ids = profile__ids(p, s);

		len = (size_t)snprintf(line, 65536, "%s", s->comm[0] ? s->comm : "?");
		for (k = s->nr; k-- > 0 && len < 65536;) {
			prof_frame__label(&p->frames[ids[k]], buf, sizeof(buf));
			for (n = 0; buf[n]; n++) {	/* one stack a line, ';' between frames */
				if (buf[n] == ';' || buf[n] == '\n')
					buf[n] = ':';
			}
			len += (size_t)snprintf(line + len, 65536 - len, ";%s", buf);
		}
		err = folded__add(f, line, prof_weight(p, s));
	}
	free(line);
	return err;
}

/* ---- pprof: profile.proto, encoded by hand -------------------------------- */

struct pb {
	uint8_t *b;
	size_t n, cap;
	int err;
};

static void pb_bytes(struct pb *pb, const void *data, size_t len)
{
	if (pb->err || vec__reserve((void **)&pb->b, &pb->cap, pb->n + len, 1, 4096)) {
		pb->err = -ENOMEM;
		return;
	}
	memcpy(pb->b + pb->n, data, len);
	pb->n += len;
}

static void pb_varint(struct pb *pb, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	do {
		b[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	pb_bytes(pb, b, n);
}

static void pb_key(struct pb *pb, uint32_t field, uint32_t wire)
{
	pb_varint(pb, (uint64_t)field << 3 | wire);
}

static void pb_uint(struct pb *pb, uint32_t field, uint64_t v)
{
	pb_key(pb, field, 0);
	pb_varint(pb, v);
}

/* A length-delimited field holding @msg. */
static void pb_msg(struct pb *pb, uint32_t field, const struct pb *msg)
{
	pb_key(pb, field, 2);
	pb_varint(pb, msg->n);
	pb_bytes(pb, msg->b, msg->n);
	if (msg->err)
		pb->err = msg->err;
}

/* The string table: pooled strings by pointer, "" first. */
struct strtab {
	const char **strs;
	size_t nr, cap;
	uint32_t *slots;	/* index + 1 by pointer hash */
	size_t nr_slots;
};

static int64_t str_index(struct strtab *t, const char *s)
{
	size_t mask, i;

	if (!s || !*s)
		return 0;
	if (2 * (t->nr + 1) > t->nr_slots) {
		size_t n = t->nr_slots ? 2 * t->nr_slots : 1024, k;
		uint32_t *slots = calloc(n, sizeof(*slots));

		if (!slots)
			return -ENOMEM;
		for (k = 1; k < t->nr; k++) {
			for (i = ((uintptr_t)t->strs[k] >> 4) & (n - 1); slots[i]; i = (i + 1) & (n - 1))
				;
			slots[i] = (uint32_t)k + 1;
		}
		free(t->slots);
		t->slots = slots;
		t->nr_slots = n;
	}
	mask = t->nr_slots - 1;
	for (i = ((uintptr_t)s >> 4) & mask; t->slots[i]; i = (i + 1) & mask) {
		if (t->strs[t->slots[i] - 1] == s)
			return t->slots[i] - 1;
	}
	if (VEC_RESERVE(t->strs, t->cap, t->nr + 1))
		return -ENOMEM;
	t->strs[t->nr] = s;
	t->slots[i] = (uint32_t)++t->nr;
	return (int64_t)t->nr - 1;
}

static void value_type(struct pb *pb, uint32_t field, int64_t type, int64_t unit)
{
	struct pb m = {};

	pb_uint(&m, 1, (uint64_t)type);
	pb_uint(&m, 2, (uint64_t)unit);
	pb_msg(pb, field, &m);
	free(m.b);
}

/*
 * Function @fn (its name without a line, its file) once, then location
 * @id + 1 of frame @id: the function at the frame's line.
 */
static void location(struct pb *pb, struct profile *p, struct strtab *t, uint32_t id,
		     uint32_t fn, bool new_fn)
{
	const struct prof_frame *f = &p->frames[id];
	struct pb func = {}, loc = {}, line = {};
	char buf[LABEL_MAX];
	int64_t name, file;

	if (new_fn) {
		name = str_index(t, profile__str(p, function_label(f, buf, sizeof(buf))));
		file = str_index(t, f->file ? f->file : f->obj);
		pb_uint(&func, 1, fn);
		pb_uint(&func, 2, (uint64_t)(name < 0 ? 0 : name));
		pb_uint(&func, 3, (uint64_t)(name < 0 ? 0 : name));
		pb_uint(&func, 4, (uint64_t)(file < 0 ? 0 : file));
		pb_msg(pb, 5, &func);
		if (name < 0 || file < 0)
			pb->err = -ENOMEM;
	}
	pb_uint(&loc, 1, id + 1);
	if (f->lang == PROF_NATIVE)
		pb_uint(&loc, 3, f->off);
	pb_uint(&line, 1, fn);
	if (f->line)
		pb_uint(&line, 2, (uint64_t)f->line);
	pb_msg(&loc, 4, &line);
	pb_msg(pb, 4, &loc);
	free(func.b);
	free(loc.b);
	free(line.b);
}

/* Each frame's function id (frames of one function share it) into @fn, @first its first. */
static int function_ids(struct profile *p, uint32_t *fn, bool *first)
{
	struct strtab ids = {};	/* label (pooled: one pointer each) -> function id */
	char buf[LABEL_MAX];
	int64_t k;
	size_t i;
	int err = 0;

	if (VEC_RESERVE(ids.strs, ids.cap, 1))
		return -ENOMEM;
	ids.strs[ids.nr++] = "";	/* ids from 1 */
	for (i = 0; i < p->nr_frames && !err; i++) {
		size_t before = ids.nr;

		k = str_index(&ids, profile__str(p, function_label(&p->frames[i], buf,
								    sizeof(buf))));
		if (k <= 0)
			err = -ENOMEM;
		fn[i] = (uint32_t)k;
		first[i] = ids.nr > before;
	}
	free(ids.strs);
	free(ids.slots);
	return err;
}

static void num_label(struct pb *pb, int64_t key, uint64_t v)
{
	struct pb l = {};

	pb_uint(&l, 1, (uint64_t)key);
	pb_uint(&l, 3, v);
	pb_msg(pb, 3, &l);
	free(l.b);
}

static void sample(struct pb *pb, struct profile *p, const struct prof_stack *s,
		   uint64_t period, const int64_t *keys, struct strtab *t)
{
	struct pb m = {}, ids = {}, vals = {}, l = {};
	const uint32_t *f = profile__ids(p, s);
	uint32_t k;

	for (k = 0; k < s->nr; k++)
		pb_varint(&ids, f[k] + 1);
	pb_key(&m, 1, 2);
	pb_varint(&m, ids.n);
	pb_bytes(&m, ids.b, ids.n);
	pb_varint(&vals, s->count);
	pb_varint(&vals, p->off_cpu ? s->ns : s->count * period);
	pb_key(&m, 2, 2);
	pb_varint(&m, vals.n);
	pb_bytes(&m, vals.b, vals.n);
	num_label(&m, keys[0], s->pid);
	num_label(&m, keys[1], s->tid);
	pb_uint(&l, 1, (uint64_t)keys[2]);
	/* pooled: the table tells strings apart by pointer */
	pb_uint(&l, 2, (uint64_t)str_index(t, profile__str(p, s->comm)));
	pb_msg(&m, 3, &l);
	pb_msg(pb, 2, &m);
	free(m.b);
	free(ids.b);
	free(vals.b);
	free(l.b);
}

static int gzip_to(const char *path, const uint8_t *data, size_t len)
{
	gzFile gz = gzopen(path, "wb");
	int err = 0;

	if (!gz)
		return errno ? -errno : -EIO;
	if (len && gzwrite(gz, data, (unsigned int)len) != (int)len)
		err = -EIO;
	if (gzclose(gz) != Z_OK && !err)
		err = -EIO;
	return err;
}

int profile__write_pprof(struct profile *p, uint32_t hz, uint64_t duration_ns,
			 const char *path)
{
	struct strtab t = {};
	struct pb pb = {};
	uint32_t *fn = NULL;
	bool *first = NULL;
	uint64_t period = hz ? 1000000000ull / hz : 0;
	int64_t keys[3];
	size_t i;
	int err;

	if (VEC_RESERVE(t.strs, t.cap, 1))
		return -ENOMEM;
	t.strs[t.nr++] = "";	/* string 0 */
	value_type(&pb, 1, str_index(&t, profile__str(p, "samples")),
		   str_index(&t, profile__str(p, "count")));
	value_type(&pb, 1, str_index(&t, profile__str(p, !p->off_cpu ? "cpu" :
							     p->wall ? "wall" : "off_cpu")),
		   str_index(&t, profile__str(p, "nanoseconds")));
	keys[0] = str_index(&t, profile__str(p, "pid"));
	keys[1] = str_index(&t, profile__str(p, "tid"));
	keys[2] = str_index(&t, profile__str(p, "thread"));
	fn = calloc(p->nr_frames ? p->nr_frames : 1, sizeof(*fn));
	first = calloc(p->nr_frames ? p->nr_frames : 1, sizeof(*first));
	if (!fn || !first || function_ids(p, fn, first) < 0)
		pb.err = -ENOMEM;
	for (i = 0; i < p->nr_stacks; i++)
		sample(&pb, p, &p->stacks[i], period, keys, &t);
	for (i = 0; !pb.err && i < p->nr_frames; i++)
		location(&pb, p, &t, (uint32_t)i, fn[i], first[i]);
	for (i = 0; i < t.nr; i++) {
		pb_key(&pb, 6, 2);
		pb_varint(&pb, strlen(t.strs[i]));
		pb_bytes(&pb, t.strs[i], strlen(t.strs[i]));
	}
	pb_uint(&pb, 10, duration_ns);
	value_type(&pb, 11, str_index(&t, profile__str(p, "cpu")),
		   str_index(&t, profile__str(p, "nanoseconds")));
	pb_uint(&pb, 12, period);
	err = pb.err ? pb.err : gzip_to(path, pb.b, pb.n);
	free(pb.b);
	free(t.strs);
	free(t.slots);
	free(fn);
	free(first);
	return err;
}

/* ---- speedscope ----------------------------------------------------------- */

static int cmp_thread(const void *a, const void *b)
{
	const struct prof_stack *x = *(const struct prof_stack *const *)a;
	const struct prof_stack *y = *(const struct prof_stack *const *)b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void speedscope_profile(FILE *out, const struct profile *p,
			       const struct prof_stack *const *v, size_t from, size_t to)
{
	uint64_t total = 0;
	size_t i;
	uint32_t k;

	fprintf(out, "{\"type\":\"sampled\",\"name\":");
	{
		char name[64];

		snprintf(name, sizeof(name), "%s (pid %u, tid %u)", v[from]->comm, v[from]->pid,
			 v[from]->tid);
		json_write_str(out, name);
	}
	fprintf(out, ",\"unit\":\"%s\",\"startValue\":0", p->off_cpu ? "nanoseconds" : "none");
	for (i = from; i < to; i++)
		total += prof_weight(p, v[i]);
	fprintf(out, ",\"endValue\":%" PRIu64 ",\"samples\":[", total);
	for (i = from; i < to; i++) {
		const uint32_t *ids = profile__ids(p, v[i]);

		fputs(i > from ? ",[" : "[", out);
		for (k = v[i]->nr; k-- > 0;)	/* speedscope: the root first */
			fprintf(out, "%s%u", k + 1 < v[i]->nr ? "," : "", ids[k]);
		fputc(']', out);
	}
	fputs("],\"weights\":[", out);
	for (i = from; i < to; i++)
		fprintf(out, "%s%" PRIu64, i > from ? "," : "", prof_weight(p, v[i]));
	fputs("]}", out);
}

int profile__write_speedscope(const struct profile *p, const char *path)
{
	const struct prof_stack **v = calloc(p->nr_stacks ? p->nr_stacks : 1, sizeof(*v));
	FILE *out = fopen(path, "we");
	char buf[LABEL_MAX];
	size_t i, from;
	int err = 0;

	if (!v || !out) {
		err = !v ? -ENOMEM : -errno;
		goto out_close;
	}
	for (i = 0; i < p->nr_stacks; i++)
		v[i] = &p->stacks[i];
	qsort(v, p->nr_stacks, sizeof(*v), cmp_thread);
	fputs("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
	      "\"exporter\":\"usdtrace\",\"name\":\"usdtrace profile\",\"activeProfileIndex\":0,"
	      "\"shared\":{\"frames\":[", out);
	for (i = 0; i < p->nr_frames; i++) {
		const struct prof_frame *f = &p->frames[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_write_str(out, prof_frame__label(f, buf, sizeof(buf)));
		if (f->file || f->obj) {
			fputs(",\"file\":", out);
			json_write_str(out, f->file ? f->file : f->obj);
		}
		if (f->line)
			fprintf(out, ",\"line\":%d", f->line);
		fputc('}', out);
	}
	fputs("]},\"profiles\":[", out);
	for (from = 0; from < p->nr_stacks; from = i) {
		for (i = from; i < p->nr_stacks && !cmp_thread(&v[i], &v[from]); i++)
			;
		if (from)
			fputc(',', out);
		speedscope_profile(out, p, v, from, i);
	}
	fputs("]}\n", out);
	if (ferror(out))
		err = -EIO;
out_close:
	if (out && fclose(out) && !err)
		err = -EIO;
	free(v);
	return err;
}

static const char *state_word(char state)
{
	switch (state) {
	case 'R': return "running";
	case 'S': return "sleeping";
	case 'D': return "disk sleep";
	case 'I': return "idle";
	case 'T': return "stopped";
	case 't': return "traced";
	default: return "unknown";
	}
}

static int cmp_dump_thread(const void *a, const void *b)
{
	const struct dump_thread *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The stack of thread @tid in @p, or NULL. */
static const struct prof_stack *thread_stack(const struct profile *p, uint32_t tid)
{
	size_t i;

	for (i = 0; i < p->nr_stacks; i++) {
		if (p->stacks[i].tid == tid)
			return &p->stacks[i];
	}
	return NULL;
}

void profile__write_dump(FILE *out, const struct profile *p, bool json,
			 struct dump_thread *t, size_t nr)
{
	char buf[LABEL_MAX], st[2] = "";
	size_t i;
	uint32_t k;

	if (nr > 1)
		qsort(t, nr, sizeof(*t), cmp_dump_thread);
	for (i = 0; i < nr; i++) {
		const struct prof_stack *s = thread_stack(p, t[i].tid);
		const uint32_t *ids = s ? profile__ids(p, s) : NULL;

		st[0] = t[i].state;
		if (json) {
			fprintf(out, "{\"type\":\"thread\",\"pid\":%u,\"tid\":%u,\"comm\":",
				t[i].pid, t[i].tid);
			json_write_str(out, t[i].comm);
			fputs(",\"state\":", out);
			json_write_str(out, st);
			if (t[i].on_cpu)
				fputs(",\"on_cpu\":true", out);
			fputs(",\"frames\":", out);
			if (!s)
				fputs("null", out);	/* not read: the summary says why */
			for (k = 0; s && k < s->nr; k++) {
				fputc(k ? ',' : '[', out);
				write_frame_json(out, &p->frames[ids[k]]);
			}
			fputs(s && !s->nr ? "[]}\n" : s ? "]}\n" : "}\n", out);
			continue;
		}
		fprintf(out, "Thread %u (%s): %s%s\n", t[i].tid, t[i].comm, state_word(t[i].state),
			t[i].on_cpu ? " on a CPU (native frames: where it last entered the "
			"kernel)" : "");
		if (!s)
			fputs("    (its stack could not be read)\n", out);
		for (k = 0; s && k < s->nr; k++)
			fprintf(out, "    %s\n", prof_frame__label(&p->frames[ids[k]], buf,
							       sizeof(buf)));
		fputc('\n', out);
	}
}
