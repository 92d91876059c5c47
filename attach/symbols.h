/* SPDX-License-Identifier: MIT */
/*
 * symbols.h - ELF symbol lookups for attaching: the address of a global
 * an argument spec names ("counter(%rip)"), of a function for
 * uprobe:PATH:SYMBOL, of ld.so's _dl_debug_state and _r_debug, and the
 * file offset of a virtual address.
 */
#ifndef USDTRACE_SYMBOLS_H
#define USDTRACE_SYMBOLS_H

#include <stdint.h>

struct elf_symtab;

/* Open @path; returns 0 or -Exxx (-ENOEXEC: not ELF). */
int elf_symtab__open(const char *path, struct elf_symtab **out);
void elf_symtab__free(struct elf_symtab *tab);

/* Address of @name in .symtab, else .dynsym. Returns 0 or -ENOENT. */
int elf_symtab__lookup(struct elf_symtab *tab, const char *name, uint64_t *vaddr);
/* A copy the compiler made of @name (leaf.constprop.0) into @buf, or -ENOENT. */
int elf_symtab__clone_of(struct elf_symtab *tab, const char *name, char *buf, size_t size);

/* File offset of link-time address @vaddr. Returns 0 or -ENOENT. */
int elf_symtab__offset(const struct elf_symtab *tab, uint64_t vaddr, uint64_t *offset);

/* e_type (ET_EXEC, ET_DYN) and e_machine of the file. */
int elf_symtab__type(const struct elf_symtab *tab);
int elf_symtab__machine(const struct elf_symtab *tab);

/* PT_INTERP of the file into @buf ("" when none). */
int elf_symtab__interp(const struct elf_symtab *tab, char *buf, size_t size);

#endif /* USDTRACE_SYMBOLS_H */
