// SPDX-License-Identifier: MIT
/*
 * phpframes.c - PHP processes recognised and their frames named from their
 * memory (interp.h: interp_php). A process runs PHP 8.2 when it maps
 * php8.2 (the CLI, php-fpm8.2, php-cgi8.2) or libphp8.2.so whose dynamic
 * symbols give executor_globals and execute_ex, and executor_globals has
 * the layout's size. Functions are read once per address and checked
 * again (type, name, class) at each use; a frame's line is its opline's,
 * read by the sampler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framecache.h"
#include "interp.h"
#include "procmem.h"

#define STR_MAX		1024	/* bytes of a name or path kept */
#define FUNC_HEAD	24	/* type .. scope: what is checked again */

struct func_entry {
	struct fc_entry e;	/* the zend_function's address */
	uint8_t head[FUNC_HEAD];
	bool internal;
	char *name;
	char *file;
};

/* One PHP process: its layout and the functions read of it. */
struct interp_proc {
	pid_t pid;
	const struct php_layout *l;
	struct frame_cache funcs;
};

/* A zend_string at @addr, malloc'd; NULL when unreadable. */
static char *read_zstr(pid_t pid, const struct php_layout *l, uint64_t addr)
{
	uint64_t len;
	char *out;

	if (!addr || proc_read(pid, addr + l->zstr_len, &len, sizeof(len)))
		return NULL;
	if (len > STR_MAX)
		len = STR_MAX;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	if (proc_read(pid, addr + l->zstr_val, out, len)) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

static void func_free(struct fc_entry *e)
{
	struct func_entry *f = (struct func_entry *)e;

	free(f->name);
	free(f->file);
	free(f);
}

/* "Class::function", "function", or {main} for a script's own code. */
static char *func_name(pid_t pid, const struct php_layout *l, const uint8_t *func)
{
	char *fn = read_zstr(pid, l, get_u64(func, l->func_name)), *cls = NULL, *out;
	uint64_t scope = get_u64(func, l->func_scope), cname;

	if (!fn)
		return get_u64(func, l->func_name) ? NULL : strdup("{main}");
	if (!scope || proc_read(pid, scope + l->class_name, &cname, sizeof(cname)) ||
	    !(cls = read_zstr(pid, l, cname)))
		return fn;
	out = malloc(strlen(cls) + strlen(fn) + 3);
	if (out)
		sprintf(out, "%s::%s", cls, fn);
	free(cls);
	free(fn);
	return out;
}

/* The zend_function at @addr of the process @ctx; NULL when unreadable. */
static struct fc_entry *func_read(void *ctx, uint64_t addr, uint64_t key2)
{
	const struct interp_proc *p = ctx;
	const struct php_layout *l = p->l;
	struct func_entry *f = calloc(1, sizeof(*f));
	size_t len = (size_t)l->func_line_start + 4;
	pid_t pid = p->pid;
	uint8_t func[256];

	(void)key2;
	if (!f || len > sizeof(func) || proc_read(pid, addr, func, len))
		goto out_free;
	memcpy(f->head, func, FUNC_HEAD);
	f->internal = func[l->func_type] == 1;	/* ZEND_INTERNAL_FUNCTION */
	f->name = func_name(pid, l, func);
	if (!f->name)
		goto out_free;
	if (!f->internal) {
		f->file = read_zstr(pid, l, get_u64(func, l->func_file));
		if (!f->file)
			goto out_free;
	}
	return &f->e;
out_free:
	if (f)
		func_free(&f->e);
	return NULL;
}

/* Is @f still the function at its address? Unreadable: what was read stands. */
static bool func_same(void *ctx, const struct fc_entry *e)
{
	const struct interp_proc *p = ctx;
	const struct func_entry *f = (const struct func_entry *)e;
	uint8_t head[FUNC_HEAD];

	return proc_read(p->pid, f->e.addr, head, sizeof(head)) ||
	       !memcmp(head, f->head, FUNC_HEAD);
}

static int php_name(struct interp_proc *p, const struct ut_interp_frame *fr,
		    struct interp_frame *out)
{
	const struct func_entry *f = (const struct func_entry *)fc_get(&p->funcs, fr->code, 0);

	if (!f)
		return -EFAULT;
	out->name = f->name;
	out->file = f->file;
	out->cfunc = f->internal;
	/* the sampler read the opline's line: the process may be gone by now */
	if (!f->internal && fr->aux <= INT32_MAX)
		out->line = (int)fr->aux;
	return 0;
}

static void php_free(struct interp_proc *p)
{
	if (!p)
		return;
	fc_clear(&p->funcs);
	free(p);
}

/* The "X.Y" in php8.2, php-fpm8.2, libphp8.2.so; "" when none. */
static void php_version(const char *base, char *out, size_t size)
{
	const char *v = base + strcspn(base, "0123456789");
	size_t n = strspn(v, "0123456789.");

	if (n && v[n - 1] == '.')
		n--;	/* libphp8.2.so */
	snprintf(out, size, "%.*s", (int)n, v);
}

static int php_probe(pid_t pid, const char *path, uint64_t base, struct ut_interp_proc *ip,
		     struct interp_proc **out, char *why, size_t size)
{
	struct elf_want syms[] = { { "executor_globals" }, { "execute_ex" } };
	const char *name = strrchr(path, '/') + 1;
	const struct php_layout *l;
	struct elf_facts facts;
	struct interp_proc *p;
	char version[16];

	if (elf_lookup(path, base, syms, 2, &facts))
		return -ENOENT;
	php_version(name, version, sizeof(version));
	l = php_layout__find(version);
	if (!l) {
		snprintf(why, size, "PID %d: php %s: no frame layout for it (8.2 is known): "
			 "profiled natively", (int)pid, version[0] ? version : "(version unknown)");
		return -EOPNOTSUPP;
	}
	if (syms[0].size != l->eg_size) {
		snprintf(why, size, "PID %d: php %s: its executor_globals are not the layout's "
			 "(%llu bytes, not %u): profiled natively", (int)pid, version,
			 (unsigned long long)syms[0].size, l->eg_size);
		return -EOPNOTSUPP;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->l = l;
	p->funcs = (struct frame_cache){ .read = func_read, .same = func_same, .free = func_free,
					 .ctx = p };
	*ip = l->proc;
	ip->runtime = syms[0].addr;
	ip->php.seam_start = syms[1].addr;
	ip->php.seam_end = syms[1].addr + syms[1].size;
	*out = p;
	return 0;
}

/* php8.2, php-fpm8.2, php-cgi8.2, libphp8.2.so: the interpreter's own code */
static bool php_object(const char *base)
{
	return !strncmp(base, "php", 3) || !strncmp(base, "libphp", 6);
}

const struct interp_runtime interp_php = {
	.lang = "php",
	.seam = "execute_ex",
	.is_object = php_object,
	.probe = php_probe,
	.name = php_name,
	.free = php_free,
};
