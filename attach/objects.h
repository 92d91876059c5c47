/* SPDX-License-Identifier: MIT */
/*
 * objects.h - find the ELF objects to read: files named by the user, a
 * library's file name resolved as the dynamic linker does, and every
 * object a running process maps.
 *
 * A process's objects are read through /proc/PID/root, so processes in
 * another mount namespace (containers) resolve to the files they really
 * map; where that path is not the mapped inode (a chroot, whose maps name
 * files from our root), through /proc/PID/map_files. Each object is listed
 * once however many times it is mapped.
 * No libbpf here: `list` and `trace` share this module.
 */
#ifndef USDTRACE_OBJECTS_H
#define USDTRACE_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct object {
	char *path;		/* as the process (or the user) names it */
	char *open_path;	/* what to open(): /proc/PID/root/... for a PID */
	uint64_t dev;		/* 0 when not known */
	uint64_t ino;
};

struct object_list {
	struct object *objs;
	size_t nr;
	size_t cap;
};

/* Append @path (and its open path) unless that dev+ino or path is listed. */
int object_list__add(struct object_list *list, const char *path,
		     const char *open_path, uint64_t dev, uint64_t ino);
void object_list__free(struct object_list *list);

/*
 * Every file-backed mapping of @pid, deduplicated. Returns 0, -ESRCH when
 * there is no such process, or -Exxx from reading its maps.
 */
int objects__from_pid(pid_t pid, struct object_list *list);

/*
 * Parse one /proc/PID/maps line. Returns 0 and the entry (path pointing
 * into @line), or -ENOENT for an anonymous or pseudo
 * mapping ("[heap]", memfd, deleted files), -EINVAL when malformed.
 */
struct maps_entry {
	uint64_t start;
	uint64_t end;
	uint64_t dev;
	uint64_t ino;
	uint64_t off;		/* file offset of start */
	const char *path;
};
int maps_line__parse(char *line, struct maps_entry *e);

/*
 * Is @pid a live process? False once it has exited, also while it is a
 * zombie its parent has not reaped yet (its /proc files are gone then).
 */
bool pid_alive(pid_t pid);

/*
 * Resolve a library file name ("libc.so.6") the way ld.so does: the
 * directories of LD_LIBRARY_PATH, then /etc/ld.so.cache, then the default
 * directories. A @name holding '/' is returned as is. Returns 0 with the
 * path in @buf, -ENOENT when not found, -ENAMETOOLONG.
 */
int lib_resolve(const char *name, char *buf, size_t size);

/*
 * Look @name up in the bytes of an ld.so.cache (new format, glibc >= 2.32)
 * for entries with @flags. Pure, for tests and fuzzing. Returns a pointer
 * to the NUL-terminated path inside @cache, or NULL.
 */
const char *ldcache_lookup(const void *cache, size_t len, const char *name,
			   int32_t flags);

#endif /* USDTRACE_OBJECTS_H */
