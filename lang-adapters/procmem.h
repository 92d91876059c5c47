/* SPDX-License-Identifier: MIT */
/*
 * procmem.h - another process's memory and the objects it maps, read from
 * outside (process_vm_readv, the objects' ELF): what the runtimes' frame
 * readers (pyframes.c, rbframes.c, phpframes.c) share. Nothing here knows
 * a runtime.
 */
#ifndef USDTRACE_LANG_PROCMEM_H
#define USDTRACE_LANG_PROCMEM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

/* @len bytes of @pid's memory at @addr: 0, or -EFAULT (short), -errno. */
int proc_read(pid_t pid, uint64_t addr, void *buf, size_t len);

/*
 * Up to @max bytes at @addr, fewer (halved until they fit) where the
 * mapping ends sooner: a string, a table of unknown length. How many were
 * read, 0 when not even @min.
 */
size_t proc_read_upto(pid_t pid, uint64_t addr, void *buf, size_t max, size_t min);

/*
 * Each object @pid maps (its mapping of file offset 0: @file as mapped,
 * @path the same through /proc/PID/root, @start where it is) offered to
 * @fn until it returns other than -ENOENT. That value; -ENOENT when no
 * call took one (or the maps cannot be read).
 */
typedef int (*proc_object_fn)(void *ctx, const char *file, const char *path, uint64_t start);
int proc_objects(pid_t pid, proc_object_fn fn, void *ctx);

static inline uint64_t get_u64(const uint8_t *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static inline uint16_t get_u16(const uint8_t *b, size_t off)
{
	uint16_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static inline uint32_t get_u32(const uint8_t *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* A dynamic symbol asked for, and what the object says of it. */
struct elf_want {
	const char *name;
	uint64_t addr;		/* in the process (TLS: its offset in the module's block) */
	uint64_t size;
	uint64_t tls_slot;	/* TLS: the GOT slot the loader fills with the module id */
	/* the lookup's own */
	size_t index;		/* in .dynsym; 0: not found */
	int tls;
};

/* What one object holds, for the readers. */
struct elf_facts {
	uint64_t bias;		/* the object's load bias in the process */
	uint64_t data, data_size;	/* .data, in the process (0: none) */
};

/*
 * The dynamic symbols @want (@n of them) of @path, mapped at @base in the
 * process (the mapping of file offset 0): 0 when all are found, -ENOENT
 * when one is missing, -errno.
 */
int elf_lookup(const char *path, uint64_t base, struct elf_want *want, size_t n,
	       struct elf_facts *facts);

#endif /* USDTRACE_LANG_PROCMEM_H */
