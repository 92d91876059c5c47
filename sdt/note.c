// SPDX-License-Identifier: MIT
/*
 * note.c - decode .note.stapsdt bytes: note headers and descriptors.
 *
 * A stapsdt descriptor is three target-sized words (site, .stapsdt.base,
 * semaphore) followed by three NUL-terminated strings (provider, name,
 * args). Words are read in the *file's* class and byte order, and every
 * string is bounded with memchr against the descriptor's end, so a hostile
 * file can never make us read past the bytes we were given.
 *
 * Pure code: no allocation, no I/O.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "sdt.h"

static uint64_t read_word(const unsigned char *p, size_t size, int elf_data)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < size; i++) {
		size_t idx = elf_data == ELFDATA2LSB ? size - 1 - i : i;

		v = (v << 8) | p[idx];
	}
	return v;
}

static int word_size(int elf_class)
{
	switch (elf_class) {
	case ELFCLASS32:
		return 4;
	case ELFCLASS64:
		return 8;
	default:
		return -EINVAL;
	}
}

static bool valid_data(int elf_data)
{
	return elf_data == ELFDATA2LSB || elf_data == ELFDATA2MSB;
}

/* Next NUL-terminated string at *off, bounded by @len. */
static const char *next_string(const char *desc, size_t len, size_t *off)
{
	const char *s = desc + *off, *nul;

	if (*off >= len)
		return NULL;
	nul = memchr(s, '\0', len - *off);
	if (!nul)
		return NULL;
	*off += (size_t)(nul - s) + 1;
	return s;
}

int sdt_note_parse(const void *desc, size_t len, int elf_class, int elf_data,
		   struct sdt_note *note)
{
	const unsigned char *p = desc;
	int wsz = word_size(elf_class);
	size_t off;

	if (wsz < 0 || !valid_data(elf_data))
		return -EINVAL;
	if (len < 3 * (size_t)wsz)
		return -EBADMSG;

	note->location = read_word(p, (size_t)wsz, elf_data);
	note->base = read_word(p + wsz, (size_t)wsz, elf_data);
	note->semaphore = read_word(p + 2 * wsz, (size_t)wsz, elf_data);

	off = 3 * (size_t)wsz;
	note->provider = next_string(desc, len, &off);
	note->name = note->provider ? next_string(desc, len, &off) : NULL;
	note->args = note->name ? next_string(desc, len, &off) : NULL;
	if (!note->args)
		return -EBADMSG;
	if (!note->provider[0] || !note->name[0])
		return -EBADMSG;
	return 0;
}

static size_t align_up(size_t v, size_t align)
{
	return (v + align - 1) & ~(align - 1);
}

int sdt_notes_walk(const void *sec, size_t len, size_t align, int elf_class,
		   int elf_data, sdt_note_cb cb, void *ctx)
{
	const unsigned char *p = sec;
	size_t off = 0, index = 0;

	if (word_size(elf_class) < 0 || !valid_data(elf_data))
		return -EINVAL;
	if (align != 8)
		align = 4;

	/* Elf32_Nhdr and Elf64_Nhdr are both three 4-byte words. */
	while (len - off >= 12) {
		uint32_t namesz = (uint32_t)read_word(p + off, 4, elf_data);
		uint32_t descsz = (uint32_t)read_word(p + off + 4, 4, elf_data);
		uint32_t type = (uint32_t)read_word(p + off + 8, 4, elf_data);
		size_t name_off = off + 12, desc_off, next;

		if (namesz > len - name_off)
			return -EBADMSG;
		desc_off = align_up(name_off + namesz, align);
		if (desc_off > len || descsz > len - desc_off)
			return -EBADMSG;
		next = align_up(desc_off + descsz, align);

		if (type == SDT_NOTE_TYPE && namesz == sizeof(SDT_NOTE_NAME) &&
		    !memcmp(p + name_off, SDT_NOTE_NAME, sizeof(SDT_NOTE_NAME))) {
			struct sdt_note note;
			int err = sdt_note_parse(p + desc_off, descsz, elf_class,
						 elf_data, &note);

			cb(ctx, index, err ? NULL : &note, err);
			index++;
		}
		if (next >= len)
			return 0;
		off = next;
	}
	return off == len ? 0 : -EBADMSG;
}

int sdt_addr_to_offset(const struct sdt_segment *segs, size_t nr, uint64_t addr,
		       uint64_t *offset)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		const struct sdt_segment *s = &segs[i];

		if (addr >= s->vaddr && addr - s->vaddr < s->filesz) {
			*offset = addr - s->vaddr + s->offset;
			return 0;
		}
	}
	return -ENOENT;
}

const char *sdt_strerror(int err)
{
	switch (err) {
	case -ENOEXEC:
		return "not an ELF file";
	case -EBADMSG:
		return "malformed or truncated ELF data";
	case -EISDIR:
		return "is a directory";
	case -EINVAL:
		return "invalid argument spec";
	case -ERANGE:
		return "number out of range";
	case -ENAMETOOLONG:
		return "symbol name too long";
	case -EOPNOTSUPP:
		return "not supported";
	case -E2BIG:
		return "more than 12 arguments";
	case -ENOENT:
		return "no such file";
	case -ENODEV:
		return "not a regular file";
	case -ENODATA:
		return "empty file";
	default:
		return strerror(-err);
	}
}

bool sdt_glob_match(const char *pattern, const char *str)
{
	const char *star = NULL, *retry = NULL;

	while (*str) {
		if (*pattern == '*') {
			star = ++pattern;
			retry = str;
		} else if (*pattern == '?' || *pattern == *str) {
			pattern++;
			str++;
		} else if (star) {
			pattern = star;
			str = ++retry;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return !*pattern;
}
