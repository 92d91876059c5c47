// SPDX-License-Identifier: MIT
/*
 * profile.c - a sampled profile's stacks and frames (profile.h). Strings,
 * frames and stacks are each interned through an open-addressing index
 * (FNV-1a), so a profile of every process of a machine stays a few
 * distinct stacks large however many samples it holds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "profile.h"

#define FNV_OFFSET	14695981039346656037ULL
#define FNV_PRIME	1099511628211ULL

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *b = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

const char *prof_lang__name(uint8_t lang)
{
	static const char *const names[] = { "native", "python", "ruby", "php", "java" };

	return lang < sizeof(names) / sizeof(names[0]) ? names[lang] : "?";
}

const char *profile__str(struct profile *p, const char *s)
{
	size_t mask, i, n;
	char **slots;

	if (!s)
		return NULL;
	if (2 * (p->nr_strs + 1) > p->cap_strs) {
		n = p->cap_strs ? 2 * p->cap_strs : 1024;
		slots = calloc(n, sizeof(*slots));
		if (!slots)
			return NULL;
		for (i = 0; i < p->cap_strs; i++) {
			size_t k;

			if (!p->strs[i])
				continue;
			for (k = fnv_str(FNV_OFFSET, p->strs[i]) & (n - 1); slots[k];
			     k = (k + 1) & (n - 1))
				;
			slots[k] = p->strs[i];
		}
		free(p->strs);
		p->strs = slots;
		p->cap_strs = n;
	}
	mask = p->cap_strs - 1;
	for (i = fnv_str(FNV_OFFSET, s) & mask; p->strs[i]; i = (i + 1) & mask) {
		if (!strcmp(p->strs[i], s))
			return p->strs[i];
	}
	p->strs[i] = strdup(s);
	if (p->strs[i])
		p->nr_strs++;
	return p->strs[i];
}

/* Pooled strings compare by pointer. */
static bool frame_same(const struct prof_frame *a, const struct prof_frame *b)
{
	return a->lang == b->lang && a->inlined == b->inlined && a->cfunc == b->cfunc &&
	       a->name == b->name &&
	       a->file == b->file && a->line == b->line && a->obj == b->obj && a->off == b->off;
}

static uint64_t frame_hash(const struct prof_frame *f)
{
	uint64_t h = fnv(FNV_OFFSET, &f->lang, 1);

	h = fnv(h, &f->inlined, 1);
	h = fnv(h, &f->cfunc, 1);
	h = fnv(h, &f->name, sizeof(f->name));
	h = fnv(h, &f->file, sizeof(f->file));
	h = fnv(h, &f->line, sizeof(f->line));
	h = fnv(h, &f->obj, sizeof(f->obj));
	return fnv(h, &f->off, sizeof(f->off));
}

static bool stack_same(const struct profile *p, const struct prof_stack *s, uint32_t pid,
		       uint32_t tid, const uint32_t *ids, uint32_t nr)
{
	return s->pid == pid && s->tid == tid && s->nr == nr &&
	       !memcmp(p->ids + s->first, ids, nr * sizeof(*ids));
}

static uint64_t stack_hash(uint32_t pid, uint32_t tid, const uint32_t *ids, uint32_t nr)
{
	uint64_t h = fnv(FNV_OFFSET, &pid, sizeof(pid));

	h = fnv(h, &tid, sizeof(tid));
	return fnv(h, ids, nr * sizeof(*ids));
}

/* A new index of @n slots for the @nr entries @hash_of hashes; replaces *@slots. */
static int reindex(uint32_t **slots, size_t *nr_slots, size_t nr,
		   uint64_t (*hash_of)(const struct profile *, size_t), const struct profile *p)
{
	size_t n = *nr_slots ? 2 * *nr_slots : 1024, i, k;
	uint32_t *s;

	while (n < 2 * (nr + 1))
		n *= 2;
	s = calloc(n, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		for (k = hash_of(p, i) & (n - 1); s[k]; k = (k + 1) & (n - 1))
			;
		s[k] = (uint32_t)i + 1;
	}
	free(*slots);
	*slots = s;
	*nr_slots = n;
	return 0;
}

static uint64_t frame_hash_at(const struct profile *p, size_t i)
{
	return frame_hash(&p->frames[i]);
}

static uint64_t stack_hash_at(const struct profile *p, size_t i)
{
	const struct prof_stack *s = &p->stacks[i];

	return stack_hash(s->pid, s->tid, p->ids + s->first, s->nr);
}

int profile__frame(struct profile *p, const struct prof_frame *f, uint32_t *id)
{
	struct prof_frame k = *f;
	size_t mask, i;

	k.name = profile__str(p, f->name);
	k.file = profile__str(p, f->file);
	k.obj = profile__str(p, f->obj);
	if ((f->name && !k.name) || (f->file && !k.file) || (f->obj && !k.obj))
		return -ENOMEM;
	if (2 * (p->nr_frames + 1) > p->nr_frame_slots &&
	    reindex(&p->frame_slots, &p->nr_frame_slots, p->nr_frames, frame_hash_at, p))
		return -ENOMEM;
	mask = p->nr_frame_slots - 1;
	for (i = frame_hash(&k) & mask; p->frame_slots[i]; i = (i + 1) & mask) {
		if (frame_same(&p->frames[p->frame_slots[i] - 1], &k)) {
			*id = p->frame_slots[i] - 1;
			return 0;
		}
	}
	if (p->nr_frames >= UINT32_MAX - 1 || VEC_RESERVE(p->frames, p->cap_frames, p->nr_frames + 1))
		return -ENOMEM;
	p->frames[p->nr_frames] = k;
	*id = (uint32_t)p->nr_frames++;
	p->frame_slots[i] = *id + 1;
	return 0;
}

int profile__add(struct profile *p, uint32_t pid, uint32_t tid, const char *comm,
		 const uint32_t *ids, uint32_t nr, uint64_t count, size_t *at)
{
	struct prof_stack *s;
	size_t mask, i;

	if (2 * (p->nr_stacks + 1) > p->nr_stack_slots &&
	    reindex(&p->stack_slots, &p->nr_stack_slots, p->nr_stacks, stack_hash_at, p))
		return -ENOMEM;
	mask = p->nr_stack_slots - 1;
	for (i = stack_hash(pid, tid, ids, nr) & mask; p->stack_slots[i]; i = (i + 1) & mask) {
		s = &p->stacks[p->stack_slots[i] - 1];
		if (stack_same(p, s, pid, tid, ids, nr)) {
			s->count += count;
			p->samples += count;
			if (at)
				*at = p->stack_slots[i] - 1;
			return 0;
		}
	}
	if (p->nr_stacks >= UINT32_MAX - 1 || p->nr_ids + nr >= UINT32_MAX ||
	    VEC_RESERVE(p->stacks, p->cap_stacks, p->nr_stacks + 1) ||
	    VEC_RESERVE(p->ids, p->cap_ids, p->nr_ids + nr))
		return -ENOMEM;
	s = &p->stacks[p->nr_stacks];
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->tid = tid;
	snprintf(s->comm, sizeof(s->comm), "%.*s", PROF_COMM_LEN, comm ? comm : "");
	s->count = count;
	s->nr = nr;
	s->first = (uint32_t)p->nr_ids;
	memcpy(p->ids + p->nr_ids, ids, nr * sizeof(*ids));
	p->nr_ids += nr;
	p->stack_slots[i] = (uint32_t)++p->nr_stacks;
	p->samples += count;
	if (at)
		*at = p->nr_stacks - 1;
	return 0;
}

static int cmp_count(const void *a, const void *b)
{
	const struct prof_stack *x = a, *y = b;

	if (x->ns != y->ns)	/* --off-cpu: by time blocked; 0 otherwise */
		return x->ns < y->ns ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

void profile__sort(struct profile *p)
{
	if (p->nr_stacks > 1)
		qsort(p->stacks, p->nr_stacks, sizeof(*p->stacks), cmp_count);
	/* the index points at places: make it again */
	reindex(&p->stack_slots, &p->nr_stack_slots, p->nr_stacks, stack_hash_at, p);
}

void profile__free(struct profile *p)
{
	size_t i;

	for (i = 0; i < p->cap_strs; i++)
		free(p->strs[i]);
	free(p->strs);
	free(p->frames);
	free(p->frame_slots);
	free(p->stacks);
	free(p->stack_slots);
	free(p->ids);
	memset(p, 0, sizeof(*p));
}
