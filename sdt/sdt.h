/* SPDX-License-Identifier: MIT */
/*
 * sdt.h - USDT probe discovery: the .note.stapsdt parser.
 *
 * A <sys/sdt.h> probe compiles into a "nop" at the probe site plus one ELF
 * note (owner "stapsdt", type 3) in .note.stapsdt that records the site's
 * link-time address, the link-time address of .stapsdt.base (so a prelinked
 * or otherwise relocated file can be adjusted), an optional semaphore
 * address, and the provider, name and argument spec strings.
 *
 * The kernel attaches uprobes by *file offset*, and its reference-counted
 * semaphores (ref_ctr_offset) are file offsets too, so every address is
 * mapped through the program headers.
 *
 * Layers, lowest first; the first two take bytes, never files, so unit
 * tests and fuzzers can feed them arrays:
 *   sdt_arg_spec__parse()  one "N@operand" argument spec -> typed location
 *   sdt_note_parse()       one note descriptor -> addresses + strings
 *   sdt_notes_walk()       a whole SHT_NOTE section -> each stapsdt note
 *   sdt_file__open()       an ELF file (libelf) -> array of probe sites
 *
 * Depends on libelf and libc only. Errors are 0 or -Exxx; nothing here
 * prints: per-note problems go to the caller's warning callback.
 */
#ifndef USDTRACE_SDT_H
#define USDTRACE_SDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDT_NOTE_NAME		"stapsdt"
#define SDT_NOTE_TYPE		3
#define SDT_NOTE_SECTION	".note.stapsdt"
#define SDT_BASE_SECTION	".stapsdt.base"
#define SDT_MAX_ARGS		12
#define SDT_SYM_MAX		512	/* longest symbol an arg spec may name */

/* Where an argument's value lives at the probe site. */
enum sdt_arg_kind {
	SDT_ARG_CONST,	/* value */
	SDT_ARG_REG,	/* (reg >> reg_shift) truncated to reg_width */
	SDT_ARG_MEM,	/* *(reg + value) */
	SDT_ARG_SIB,	/* *(reg + index_reg * scale + value), reg may be -1 */
	SDT_ARG_RIP,	/* *(&symbol + value), pc-relative in the code */
	SDT_ARG_ABS,	/* *(&symbol + value), or *(value) with no symbol */
};

/*
 * One decoded argument. Registers are DWARF register numbers of the file's
 * architecture (x86-64: rax=0 rdx=1 rcx=2 ... r15=15; i386: eax=0 ecx=1 ...;
 * aarch64: x0..x30=0..30, sp=31; riscv: x0..x31=0..31), so the same spec
 * decodes identically on any host.
 */
struct sdt_arg {
	enum sdt_arg_kind kind;
	uint8_t size;		/* 1, 2, 4 or 8 bytes */
	bool is_signed;
	int16_t reg;		/* base register, -1 for none */
	int16_t index_reg;	/* SIB index register, -1 for none */
	uint8_t scale;		/* SIB scale: 1, 2, 4, 8 */
	uint8_t reg_width;	/* bytes of the named (sub-)register */
	uint8_t reg_shift;	/* bit shift of the sub-register: 8 for %ah */
	bool lo12;		/* only the low 12 bits of the symbol's address */
	uint16_t symbol_len;	/* 0: no symbol */
	int64_t value;		/* constant or displacement */
	/*
	 * A symbol whose address adds to the location: the global of RIP/ABS,
	 * a table base of MEM/SIB ("table(,%rax,8)"), or with @lo12 only its
	 * low 12 bits (aarch64 "[x1, #:lo12:sym]"). It points into the spec
	 * text given to the parser (symbol_len bytes, no NUL), so it lives as
	 * long as that text: for probes of a sdt_file, as long as the file.
	 */
	const char *symbol;
};

/*
 * Parse one argument spec ("-4@%eax", "8@-16(%rbp,%rcx,8)", "8@[sp, 16]")
 * of a file whose e_machine is @machine. @len bytes of @text (no NUL
 * needed). Returns 0 or -EINVAL (malformed), -ERANGE (number too large),
 * -ENAMETOOLONG (symbol too long), -EOPNOTSUPP (machine not supported).
 */
int sdt_arg_spec__parse(const char *text, size_t len, int machine,
			struct sdt_arg *arg);

/*
 * Split a note's argument string on blanks and parse each spec into @args.
 * Returns the number of arguments (0..SDT_MAX_ARGS) or -Exxx; -E2BIG when
 * there are more than SDT_MAX_ARGS. *@bad_idx is set to the index of the
 * failing spec on error.
 */
int sdt_arg_specs__parse(const char *text, int machine,
			 struct sdt_arg args[SDT_MAX_ARGS], int *bad_idx);

/* Split helper: the next blank-separated spec at or after *@pos. */
bool sdt_arg_specs__next(const char *text, size_t *pos, size_t *start,
			 size_t *len);

/* Register name of DWARF register @reg for @machine, NULL if unknown. */
const char *sdt_reg_name(int machine, int reg);

/* Short name of an argument kind ("const", "reg", "mem", "sib", ...). */
const char *sdt_arg_kind_str(enum sdt_arg_kind kind);

/* A decoded note: strings point into the descriptor passed in. */
struct sdt_note {
	uint64_t location;
	uint64_t base;
	uint64_t semaphore;
	const char *provider;
	const char *name;
	const char *args;
};

/*
 * Decode one stapsdt note descriptor of @len bytes. @elf_class is
 * ELFCLASS32/64 and @elf_data ELFDATA2LSB/MSB of the file. Returns 0,
 * -EINVAL for a bad class/byte order, -EBADMSG when the descriptor is too
 * short or a string is not NUL-terminated inside it.
 */
int sdt_note_parse(const void *desc, size_t len, int elf_class, int elf_data,
		   struct sdt_note *note);

/*
 * Walk the notes of a whole SHT_NOTE section of @len bytes (aligned to
 * @align, 4 or 8) and call @cb for every note owned by "stapsdt" with type
 * 3. Note headers are read in @elf_data byte order. A descriptor that fails
 * to decode is reported to @cb with a negative @err and note NULL; walking
 * stops early only when the note headers themselves run past the section.
 * Returns 0 or -EBADMSG for a truncated section.
 */
typedef void (*sdt_note_cb)(void *ctx, size_t index, const struct sdt_note *note,
			    int err);
int sdt_notes_walk(const void *sec, size_t len, size_t align, int elf_class,
		   int elf_data, sdt_note_cb cb, void *ctx);

/* One probe site of a file, with its addresses turned into file offsets. */
struct sdt_probe {
	char *provider;		/* owned by the sdt_file */
	char *name;
	char *args_text;
	uint64_t location;	/* raw note values */
	uint64_t base;
	uint64_t semaphore;
	uint64_t vaddr;		/* link-time address after the base adjustment */
	uint64_t offset;	/* file offset of the probe site */
	uint64_t sem_offset;	/* file offset of the semaphore, 0 if none */
	int nr_args;		/* -1 when args_text did not parse */
	struct sdt_arg *args;	/* nr_args entries, owned by the sdt_file */
};

/* Warning callback: @what names the note, @err is -Exxx. */
typedef void (*sdt_warn_fn)(void *ctx, const char *path, const char *what,
			    int err);

struct sdt_file {
	char *path;		/* as given to sdt_file__open() */
	int machine;		/* e_machine */
	int elf_class;
	int elf_data;
	uint16_t e_type;	/* ET_EXEC or ET_DYN */
	size_t nr_probes;
	struct sdt_probe *probes;
	char *strings;		/* one arena holding every probe string */
	struct sdt_arg *args;	/* one arena holding every probe's args */
};

/*
 * Open and parse @path. Notes that cannot be decoded, whose site is outside
 * every loadable segment, or whose argument specs do not parse are reported
 * through @warn (may be NULL); the latter stay listed with nr_args == -1.
 * Returns 0 and *@out (free with sdt_file__free) or -Exxx: -ENOEXEC when it
 * is not ELF, -EISDIR, -ENOENT/-EACCES from open(2), -EBADMSG for a
 * damaged ELF. A file without probes is not an error (nr_probes == 0).
 */
int sdt_file__open(const char *path, sdt_warn_fn warn, void *ctx,
		   struct sdt_file **out);
void sdt_file__free(struct sdt_file *file);
/*
 * The ELF members of the `ar` archive @path (.o files), by name, into
 * *@names (each and the array freed by the caller): each opens with
 * sdt_file__open("ARCHIVE(NAME)"). -ENOEXEC when @path is not an archive.
 */
int sdt_archive__members(const char *path, char ***names, size_t *nr);

/*
 * Map a link-time virtual address to a file offset through program
 * headers: pure helper shared by the file reader and tests.
 */
struct sdt_segment {
	uint64_t vaddr;
	uint64_t offset;
	uint64_t filesz;
};
int sdt_addr_to_offset(const struct sdt_segment *segs, size_t nr, uint64_t addr,
		       uint64_t *offset);

/*
 * The PT_LOAD segments of an open libelf handle into a new array (*@segs,
 * free() it). Shared with attach/'s symbol lookups. Returns 0 or -Exxx.
 */
struct Elf;
int sdt_elf_segments(struct Elf *elf, struct sdt_segment **segs, size_t *nr);

/* A human-readable reason for an -Exxx returned by this module. */
const char *sdt_strerror(int err);

/* Glob match with '*' and '?' (no character classes). */
bool sdt_glob_match(const char *pattern, const char *str);

#endif /* USDTRACE_SDT_H */
