// SPDX-License-Identifier: MIT
/*
 * symcache.c - symbols, lines and inlined calls of object addresses,
 * memoized (symcache.h). libdwfl's symbol lookup walks the symbol table at
 * each call; a hot path's frames are looked up again at every hit, so each
 * (object, offset) is looked up once, and in an object with many symbols
 * (libjvm.so: 58,000; a JIT's compiler threads meet thousands of their
 * addresses) through an index of its symbols sorted once. Names are shown as users read them:
 * C++ demangled by libstdc++'s demangler (loaded at the first C++ name),
 * symbol versions dropped.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inline.h"
#include "symcache.h"

#define PATH_MAX_DEBUG	128	/* /usr/lib/debug/.build-id/xx/....debug */

/* A symbol's name as shown: C++ demangled, a version suffix dropped. */
struct shown_name {
	char *raw;
	char *shown;
	struct shown_name *next;
};

#define NAME_BUCKETS	4096
#define MEMO_BUCKETS	65536

/* Objects whose debug file was checked, by path (a chain is enough). */
struct checked_obj {
	char *path;
	struct checked_obj *next;
};

/* A symbol of an object's index: where it starts (from the module's start), its size. */
struct sym_ent {
	uint64_t rel, size;
	uint32_t i;		/* its index in the module's symbol table */
	uint8_t rank;		/* global 2, weak 1, local 0: the better name at one address */
};

/* The function symbols of one object, by path, sorted by address. */
struct sym_table {
	char *obj;
	struct sym_ent *e;
	size_t n;
	int nr_syms;		/* the module's symbol table size, as indexed */
	struct sym_table *next;
};

struct symcache {
	void *cxx;		/* libstdc++, once a C++ name is met */
	char *(*demangle)(const char *, char *, size_t *, int *);
	bool cxx_tried;
	stack_warn_fn warn;
	void *warn_ctx;
	struct checked_obj *checked;
	struct shown_name *names[NAME_BUCKETS];
	struct sym_memo *memo[MEMO_BUCKETS];
	struct sym_table *tables;
	bool no_index;		/* libdwfl's walk alone (a test compares the two) */
};

void symcache__use_index(struct symcache *sc, bool on)
{
	sc->no_index = !on;
}

int symcache__new(stack_warn_fn warn, void *ctx, struct symcache **out)
{
	struct symcache *sc = calloc(1, sizeof(*sc));

	if (!sc)
		return -ENOMEM;
	sc->warn = warn;
	sc->warn_ctx = ctx;
	*out = sc;
	return 0;
}

static void memo_free(struct sym_memo *m)
{
	int i;

	for (i = 0; i < m->nr_inl; i++)
		free(m->inl[i].call_file);
	free(m->inl);
	free(m->obj);
	free(m->file);
	free(m);
}

void symcache__free(struct symcache *sc)
{
	struct shown_name *n, *next;
	struct sym_memo *mm, *mn;
	int i;

	if (!sc)
		return;
	while (sc->checked) {
		struct checked_obj *c = sc->checked;

		sc->checked = c->next;
		free(c->path);
		free(c);
	}
	for (i = 0; i < MEMO_BUCKETS; i++) {
		for (mm = sc->memo[i]; mm; mm = mn) {
			mn = mm->next;
			memo_free(mm);
		}
	}
	for (i = 0; i < NAME_BUCKETS; i++) {
		for (n = sc->names[i]; n; n = next) {
			next = n->next;
			free(n->raw);
			free(n->shown);
			free(n);
		}
	}
	while (sc->tables) {
		struct sym_table *t = sc->tables;

		sc->tables = t->next;
		free(t->obj);
		free(t->e);
		free(t);
	}
	if (sc->cxx)
		dlclose(sc->cxx);
	free(sc);
}

/*
 * libstdc++'s demangler (the C++ ABI's), loaded at the first C++ name: a
 * run that meets none does not pay for loading libstdc++.
 */
typedef char *(*demangle_fn)(const char *mangled, char *buf, size_t *len, int *status);

static demangle_fn demangler(struct symcache *sc)
{
	if (!sc->cxx_tried) {
		sc->cxx_tried = true;
		sc->cxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (sc->cxx)
			*(void **)&sc->demangle = dlsym(sc->cxx, "__cxa_demangle");
	}
	return sc->demangle;
}

/* @raw as shown: demangled when C++, "name@@VERSION" as name; cached. */
static const char *shown_name(struct symcache *sc, const char *raw)
{
	uint64_t h = 14695981039346656037ULL;
	struct shown_name *n;
	const char *at;
	int status = -1;
	char *d = NULL;

	for (at = raw; *at; at++)
		h = (h ^ (unsigned char)*at) * 1099511628211ULL;
	for (n = sc->names[h % NAME_BUCKETS]; n; n = n->next) {
		if (!strcmp(n->raw, raw))
			return n->shown;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return raw;
	if (raw[0] == '_' && raw[1] == 'Z' && demangler(sc))
		d = sc->demangle(raw, NULL, NULL, &status);
	if (!d || status) {
		free(d);
		at = strchr(raw, '@');
		d = at && at != raw ? strndup(raw, (size_t)(at - raw)) : strdup(raw);
	}
	n->raw = strdup(raw);
	n->shown = d;
	if (!n->raw || !n->shown) {
		free(n->raw);
		free(n->shown);
		free(n);
		return raw;
	}
	n->next = sc->names[h % NAME_BUCKETS];
	sc->names[h % NAME_BUCKETS] = n;
	return n->shown;
}

/* Where (@obj, @rel) hangs in the memo table. */
static uint64_t memo_hash(const char *obj, uint64_t rel)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *obj; obj++)
		h = (h ^ (unsigned char)*obj) * 1099511628211ULL;
	return (h ^ rel) * 0x9e3779b97f4a7c15ULL;
}

/*
 * Once per object: a separate debug file that is there (by build-id under
 * /usr/lib/debug) but cannot be read is skipped with one warning; libdwfl
 * would pass over it in silence.
 */
static void check_debug_file(struct symcache *sc, Dwfl_Module *mod, const char *obj)
{
	const unsigned char *id;
	struct checked_obj *c;
	GElf_Addr vaddr;
	char path[PATH_MAX_DEBUG];
	int n, i, fd;
	size_t len;

	for (c = sc->checked; c; c = c->next) {
		if (!strcmp(c->path, obj))
			return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(obj))) {
		free(c);
		return;
	}
	c->next = sc->checked;
	sc->checked = c;
	n = dwfl_module_build_id(mod, &id, &vaddr);
	if (n < 2 || !sc->warn)
		return;
	len = (size_t)snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%02x/", id[0]);
	for (i = 1; i < n && len + 3 < sizeof(path); i++)
		len += (size_t)snprintf(path + len, sizeof(path) - len, "%02x", id[i]);
	snprintf(path + len, sizeof(path) - len, ".debug");
	if (access(path, F_OK))
		return;	/* none installed: nothing to say */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char magic[4] = "";

		if (read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4)) {
			close(fd);
			return;
		}
		close(fd);
		errno = ENOEXEC;
	}
	snprintf(path + len, sizeof(path) - len, ".debug: %s: skipped", strerror(errno));
	sc->warn(sc->warn_ctx, obj, path);
}

/* The calls inlined at @look, kept in @m (none when memory runs out). */
static void memo_inlines(struct symcache *sc, Dwfl_Module *mod, Dwarf_Addr look,
			 struct sym_memo *m)
{
	struct inline_call calls[INLINE_MAX];
	int n = inline_calls(mod, look, calls, INLINE_MAX), i;

	if (n <= 0 || !(m->inl = calloc((size_t)n, sizeof(*m->inl))))
		return;
	for (i = 0; i < n; i++) {
		m->inl[i].sym = calls[i].name ? shown_name(sc, calls[i].name) : NULL;
		m->inl[i].call_file = calls[i].call_file ? strdup(calls[i].call_file) : NULL;
		m->inl[i].call_line = m->inl[i].call_file ? calls[i].call_line : 0;
	}
	m->nr_inl = n;
}

#define INDEX_MIN	1024	/* symbols from which an object is indexed */
#define INDEX_BACK	64	/* entries looked back for a sized symbol holding an address */

static int cmp_ent(const void *a, const void *b)
{
	const struct sym_ent *x = a, *y = b;

	if (x->rel != y->rel)
		return x->rel < y->rel ? -1 : 1;
	return (int)y->rank - (int)x->rank;	/* the better name first */
}

/* @mod's index, built at its first use: NULL when it has few symbols (or no memory). */
static struct sym_table *table_of(struct symcache *sc, Dwfl_Module *mod, const char *obj,
				  Dwarf_Addr start)
{
	int n = dwfl_module_getsymtab(mod), i;
	struct sym_table *t;
	GElf_Addr addr;
	GElf_Sym sym;
	const char *name;

	for (t = sc->tables; t; t = t->next) {
		if (!strcmp(t->obj, obj))
			return t->nr_syms == n && t->n ? t : NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->obj = strdup(obj))) {
		free(t);
		return NULL;
	}
	t->nr_syms = n;
	t->next = sc->tables;
	sc->tables = t;
	if (n < INDEX_MIN || !(t->e = calloc((size_t)n, sizeof(*t->e))))
		return NULL;
	for (i = 1; i < n; i++) {
		int type;

		name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		type = GELF_ST_TYPE(sym.st_info);
		if (!name || !*name || sym.st_shndx == SHN_UNDEF || addr < start ||
		    (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE))
			continue;
		t->e[t->n++] = (struct sym_ent){
			.rel = addr - start, .size = sym.st_size, .i = (uint32_t)i,
			.rank = GELF_ST_BIND(sym.st_info) == STB_GLOBAL ? 2 :
				GELF_ST_BIND(sym.st_info) == STB_WEAK ? 1 : 0,
		};
	}
	qsort(t->e, t->n, sizeof(*t->e), cmp_ent);
	return t->n ? t : NULL;
}

/*
 * The symbol holding @rel by the index: the closest sized one below that
 * holds it, the better bound at one address (as libdwfl chooses). NULL
 * when the index cannot tell (the caller asks libdwfl).
 */
static const char *index_lookup(const struct sym_table *t, Dwfl_Module *mod, uint64_t rel,
				GElf_Off *off)
{
	const struct sym_ent *hit = NULL;
	size_t lo = 0, hi = t->n, i, first, k;
	GElf_Addr addr;
	GElf_Sym sym;
	int steps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->e[mid].rel <= rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* back from the first past @rel, an address at a time (its better name first) */
	for (i = lo, steps = 0; i > 0 && !hit && steps < INDEX_BACK; i = first, steps++) {
		for (first = i - 1; first > 0 && t->e[first - 1].rel == t->e[first].rel; first--)
			;
		for (k = first; k < i && !hit; k++) {
			if (t->e[k].size && rel - t->e[k].rel < t->e[k].size)
				hit = &t->e[k];
		}
	}
	/* too far to tell, or a sizeless symbol (which libdwfl takes only in the
	 * address's own section): libdwfl walks the table */
	if (!hit)
		return NULL;
	*off = rel - hit->rel;
	return dwfl_module_getsym_info(mod, (int)hit->i, &sym, &addr, NULL, NULL, NULL);
}

/* Symbol and line of @look in @mod (at @rel in @obj), looked up once. */
const struct sym_memo *symcache__get(struct symcache *sc, Dwfl_Module *mod, const char *obj,
				     uint64_t rel, Dwarf_Addr look)
{
	struct sym_memo **head = &sc->memo[memo_hash(obj, rel) % MEMO_BUCKETS], *m;
	struct sym_table *table;
	const char *name, *src;
	GElf_Off off = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	int lineno = 0;

	for (m = *head; m; m = m->next) {
		if (m->rel == rel && !strcmp(m->obj, obj))
			return m;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->obj = strdup(obj))) {
		free(m);
		return NULL;
	}
	m->rel = rel;
	check_debug_file(sc, mod, obj);
	table = sc->no_index ? NULL : table_of(sc, mod, obj, look - rel);
	name = table ? index_lookup(table, mod, rel, &off) : NULL;
	if (!name)
		name = dwfl_module_addrinfo(mod, look, &off, &sym, NULL, NULL, NULL);
	if (name) {
		m->sym = shown_name(sc, name);
		m->sym_off = off;
	}
	line = dwfl_module_getsrc(mod, look);
	src = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (src && lineno > 0 && (m->file = strdup(src)))
		m->line = lineno;
	memo_inlines(sc, mod, look, m);
	m->next = *head;
	*head = m;
	return m;
}
