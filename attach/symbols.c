// SPDX-License-Identifier: MIT
/*
 * symbols.c - symbol and address lookups in one ELF file (symbols.h).
 *
 * The libelf handle stays open for the life of the table; lookups scan
 * .symtab then .dynsym. They are rare (globals named by arg specs, a few
 * uprobe symbols), so no index is built.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sdt/sdt.h"
#include "symbols.h"

struct elf_symtab {
	int fd;
	Elf *elf;
	GElf_Ehdr ehdr;
	struct sdt_segment *segs;
	size_t nr_segs;
	char interp[256];
};

/* PT_INTERP, the dynamic linker the file asks for ("" when static). */
static int read_interp(struct elf_symtab *t)
{
	size_t i, nr;

	if (elf_getphdrnum(t->elf, &nr))
		return -EBADMSG;
	for (i = 0; i < nr; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(t->elf, (int)i, &ph))
			return -EBADMSG;
		if (ph.p_type != PT_INTERP || ph.p_filesz >= sizeof(t->interp))
			continue;
		if (pread(t->fd, t->interp, ph.p_filesz, (off_t)ph.p_offset) !=
		    (ssize_t)ph.p_filesz)
			t->interp[0] = '\0';
		t->interp[ph.p_filesz] = '\0';
	}
	return 0;
}

int elf_symtab__open(const char *path, struct elf_symtab **out)
{
	struct elf_symtab *t;
	int err;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0) {
		err = -errno;
		goto out_free;
	}
	t->elf = elf_begin(t->fd, ELF_C_READ_MMAP, NULL);
	if (!t->elf || elf_kind(t->elf) != ELF_K_ELF || !gelf_getehdr(t->elf, &t->ehdr)) {
		err = -ENOEXEC;
		goto out_free;
	}
	err = sdt_elf_segments(t->elf, &t->segs, &t->nr_segs);
	if (!err)
		err = read_interp(t);
	if (err)
		goto out_free;
	*out = t;
	return 0;
out_free:
	elf_symtab__free(t);
	return err;
}

void elf_symtab__free(struct elf_symtab *t)
{
	if (!t)
		return;
	if (t->elf)
		elf_end(t->elf);
	if (t->fd >= 0)
		close(t->fd);
	free(t->segs);
	free(t);
}

/*
 * @s is @name (@clone false), or a copy the compiler made of it
 * (@clone: "name.constprop.0", "name.isra.0", "name.part.0", "name.cold").
 */
static bool sym_matches(const char *s, const char *name, bool clone)
{
	size_t n = strlen(name);

	return clone ? !strncmp(s, name, n) && s[n] == '.' : !strcmp(s, name);
}

static int lookup_in(struct elf_symtab *t, Elf64_Word type, const char *name, bool clone,
		     uint64_t *vaddr, const char **found)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(t->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			s = elf_strptr(t->elf, sh.sh_link, sym.st_name);
			if (s && sym_matches(s, name, clone)) {
				*vaddr = sym.st_value;
				*found = s;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int elf_symtab__lookup(struct elf_symtab *t, const char *name, uint64_t *vaddr)
{
	const char *found;

	if (!lookup_in(t, SHT_SYMTAB, name, false, vaddr, &found))
		return 0;
	return lookup_in(t, SHT_DYNSYM, name, false, vaddr, &found);
}

int elf_symtab__clone_of(struct elf_symtab *t, const char *name, char *buf, size_t size)
{
	const char *found;
	uint64_t vaddr;

	if (lookup_in(t, SHT_SYMTAB, name, true, &vaddr, &found) &&
	    lookup_in(t, SHT_DYNSYM, name, true, &vaddr, &found))
		return -ENOENT;
	snprintf(buf, size, "%s", found);
	return 0;
}

int elf_symtab__offset(const struct elf_symtab *t, uint64_t vaddr, uint64_t *offset)
{
	return sdt_addr_to_offset(t->segs, t->nr_segs, vaddr, offset);
}

int elf_symtab__type(const struct elf_symtab *t)
{
	return t->ehdr.e_type;
}

int elf_symtab__machine(const struct elf_symtab *t)
{
	return t->ehdr.e_machine;
}

int elf_symtab__interp(const struct elf_symtab *t, char *buf, size_t size)
{
	if (strlen(t->interp) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, t->interp);
	return 0;
}
