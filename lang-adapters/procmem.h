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

static inline uint64_t get_u64(const uint8_t *b, size_t off)
{
	uint64_t v;

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
