// SPDX-License-Identifier: MIT
/*
 * objects.c - find the ELF objects of a process or behind a library name.
 * See objects.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "objects.h"
#include "../util/vec.h"

#define LDCACHE_PATH	"/etc/ld.so.cache"
#define LDCACHE_MAGIC	"glibc-ld.so.cache1.1"
#define LDCACHE_HDR	48	/* magic+version 20, nlibs, len_strings, flags, ext, unused */
#define LDCACHE_ENTRY	24	/* flags, key, value, osversion, hwcap */

/* The flags ld.so.cache gives the host's own libraries (FLAG_ELF_LIBC6 | arch). */
#if defined(__x86_64__)
#define LDCACHE_HOST_FLAGS	0x0303
#elif defined(__aarch64__)
#define LDCACHE_HOST_FLAGS	0x0a03
#elif defined(__riscv) && __riscv_xlen == 64
#define LDCACHE_HOST_FLAGS	0x1003
#else
#define LDCACHE_HOST_FLAGS	0x0003
#endif

static const char *const default_lib_dirs[] = {
	"/lib/" MULTIARCH_TRIPLET, "/usr/lib/" MULTIARCH_TRIPLET,
	"/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

int object_list__add(struct object_list *list, const char *path,
		     const char *open_path, uint64_t dev, uint64_t ino)
{
	struct object *o;
	size_t i;

	for (i = 0; i < list->nr; i++) {
		o = &list->objs[i];
		if (!strcmp(o->path, path) || (ino && o->ino == ino && o->dev == dev))
			return 0;
	}
	if (VEC_RESERVE(list->objs, list->cap, list->nr + 1))
		return -ENOMEM;
	o = &list->objs[list->nr];
	o->path = strdup(path);
	o->open_path = strdup(open_path);
	o->dev = dev;
	o->ino = ino;
	if (!o->path || !o->open_path) {
		free(o->path);
		free(o->open_path);
		return -ENOMEM;
	}
	list->nr++;
	return 0;
}

void object_list__free(struct object_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->nr; i++) {
		free(list->objs[i].path);
		free(list->objs[i].open_path);
	}
	free(list->objs);
	list->objs = NULL;
	list->nr = list->cap = 0;
}

int maps_line__parse(char *line, struct maps_entry *e)
{
	unsigned long long start, end, off, inode;
	unsigned int major, minor;
	char perms[8], *p, *nl;
	int n = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms,
		   &off, &major, &minor, &inode, &n) < 7 || !n)
		return -EINVAL;
	p = line + n;
	nl = strchr(p, '\n');
	if (nl)
		*nl = '\0';
	if (p[0] != '/' || !inode)
		return -ENOENT;
	if (strstr(p, " (deleted)"))
		return -ENOENT;
	e->start = start;
	e->end = end;
	e->path = p;
	e->dev = makedev(major, minor);
	e->ino = inode;
	e->off = off;
	return 0;
}

static bool same_inode(const char *path, const struct maps_entry *e)
{
	struct stat st;

	return !stat(path, &st) && st.st_ino == e->ino && st.st_dev == e->dev;
}

/* /proc/PID/root/PATH when it is the mapped inode, else /proc/PID/map_files. */
static void choose_open_path(pid_t pid, const struct maps_entry *e, char *buf,
			     size_t size)
{
	snprintf(buf, size, "/proc/%d/root%s", (int)pid, e->path);
	if (same_inode(buf, e))
		return;
	snprintf(buf, size, "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)e->start, (unsigned long long)e->end);
	if (same_inode(buf, e))
		return;
	snprintf(buf, size, "/proc/%d/root%s", (int)pid, e->path);
}

static bool listed(const struct object_list *list, const struct maps_entry *e)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		if (list->objs[i].ino == e->ino && list->objs[i].dev == e->dev)
			return true;
	}
	return false;
}

bool pid_alive(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	if (kill(pid, 0) && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');		/* the state follows "(comm) " */
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

int objects__from_pid(pid_t pid, struct object_list *list)
{
	char maps[64], open_path[PATH_MAX + 64];
	struct maps_entry e;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int err = 0;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;

	while (getline(&line, &cap, f) > 0) {
		if (maps_line__parse(line, &e) || listed(list, &e))
			continue;
		choose_open_path(pid, &e, open_path, sizeof(open_path));
		err = object_list__add(list, e.path, open_path, e.dev, e.ino);
		if (err)
			break;
	}
	/* a process that exits while we read leaves an empty maps file */
	if (!err && ferror(f))
		err = -EIO;
	if (!err && !list->nr && kill(pid, 0) && errno == ESRCH)
		err = -ESRCH;
	free(line);
	fclose(f);
	return err;
}

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));	/* the cache is in host byte order */
	return v;
}

const char *ldcache_lookup(const void *cache, size_t len, const char *name,
			   int32_t flags)
{
	const unsigned char *c = cache;
	size_t i, nlibs;

	if (len < LDCACHE_HDR || memcmp(c, LDCACHE_MAGIC, strlen(LDCACHE_MAGIC)))
		return NULL;
	nlibs = rd32(c + 20);
	if (nlibs > (len - LDCACHE_HDR) / LDCACHE_ENTRY)
		return NULL;
	for (i = 0; i < nlibs; i++) {
		const unsigned char *e = c + LDCACHE_HDR + i * LDCACHE_ENTRY;
		uint32_t key = rd32(e + 4), value = rd32(e + 8);
		const char *k = (const char *)c + key, *v = (const char *)c + value;

		if ((int32_t)rd32(e) != flags || key >= len || value >= len)
			continue;
		if (!memchr(k, '\0', len - key) || !memchr(v, '\0', len - value))
			continue;
		if (!strcmp(k, name))
			return v;
	}
	return NULL;
}

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static int try_dir(const char *dir, size_t dlen, const char *name, char *buf,
		   size_t size)
{
	int n = snprintf(buf, size, "%.*s/%s", (int)dlen, dir, name);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return is_file(buf) ? 0 : -ENOENT;
}

static int resolve_ld_library_path(const char *name, char *buf, size_t size)
{
	const char *env = getenv("LD_LIBRARY_PATH"), *p;

	for (p = env; p && *p; ) {
		size_t n = strcspn(p, ":;");

		if (n && !try_dir(p, n, name, buf, size))
			return 0;
		p += n;
		if (*p)
			p++;
	}
	return -ENOENT;
}

static int resolve_ldcache(const char *name, char *buf, size_t size)
{
	const char *hit;
	struct stat st;
	void *map;
	int fd, err = -ENOENT;

	fd = open(LDCACHE_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &st) || st.st_size <= 0)
		goto out_close_fd;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		goto out_close_fd;
	hit = ldcache_lookup(map, (size_t)st.st_size, name, LDCACHE_HOST_FLAGS);
	if (hit && is_file(hit)) {
		err = strlen(hit) < size ? 0 : -ENAMETOOLONG;
		if (!err)
			strcpy(buf, hit);
	}
	munmap(map, (size_t)st.st_size);
out_close_fd:
	close(fd);
	return err;
}

int lib_resolve(const char *name, char *buf, size_t size)
{
	size_t i;

	if (strchr(name, '/')) {
		if (strlen(name) >= size)
			return -ENAMETOOLONG;
		strcpy(buf, name);
		return 0;
	}
	if (!resolve_ld_library_path(name, buf, size))
		return 0;
	if (!resolve_ldcache(name, buf, size))
		return 0;
	for (i = 0; i < sizeof(default_lib_dirs) / sizeof(default_lib_dirs[0]); i++) {
		const char *d = default_lib_dirs[i];

		if (!try_dir(d, strlen(d), name, buf, size))
			return 0;
	}
	return -ENOENT;
}
