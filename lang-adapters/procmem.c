// SPDX-License-Identifier: MIT
/*
 * procmem.c - another process's memory, the objects it maps and their
 * symbols (procmem.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "procmem.h"

int proc_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? -errno : -EFAULT;
}

size_t proc_read_upto(pid_t pid, uint64_t addr, void *buf, size_t max, size_t min)
{
	size_t n = max;

	while (n >= min && n && proc_read(pid, addr, buf, n))
		n /= 2;
	return n >= min ? n : 0;
}

int proc_objects(pid_t pid, proc_object_fn fn, void *ctx)
{
	char maps[64], line[4096 + 128], path[4096 + 64], *file;
	unsigned long long start, off;
	int err = -ENOENT;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -ENOENT;
	while (err == -ENOENT && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		file = strchr(line, '/');
		if (!file || sscanf(line, "%llx-%*x %*s %llx", &start, &off) != 2 || off)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, file);
		err = fn(ctx, file, path, start);
	}
	fclose(f);
	return err;
}

/* The load bias of an ET_DYN object whose offset-0 mapping is at @base. */
static uint64_t load_bias(Elf *e, const GElf_Ehdr *eh, uint64_t base)
{
	size_t i, n;

	if (eh->e_type != ET_DYN || elf_getphdrnum(e, &n))
		return 0;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD)
			return base - (ph.p_vaddr - ph.p_offset);
	}
	return 0;
}

static void want_sym(Elf *e, size_t strtab, const GElf_Sym *sym, size_t index,
		     struct elf_want *want, size_t n, uint64_t bias)
{
	const char *name = elf_strptr(e, strtab, sym->st_name);
	size_t i;

	if (!name || sym->st_shndx == SHN_UNDEF)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(name, want[i].name))
			continue;
		want[i].tls = GELF_ST_TYPE(sym->st_info) == STT_TLS;
		want[i].index = index;
		want[i].size = sym->st_size;
		want[i].addr = want[i].tls ? sym->st_value : sym->st_value + bias;
	}
}

/* A TLS symbol's module-id slot: the DTPMOD64 relocation naming its symbol index. */
static void tls_slots(Elf_Data *d, const GElf_Shdr *sh, struct elf_want *want, size_t n,
		      uint64_t bias)
{
	size_t i, k, nrel = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (i = 0; i < nrel; i++) {
		GElf_Rela r;

		if (!gelf_getrela(d, (int)i, &r) || GELF_R_TYPE(r.r_info) != R_X86_64_DTPMOD64)
			continue;
		for (k = 0; k < n; k++) {
			if (want[k].tls && want[k].index == GELF_R_SYM(r.r_info))
				want[k].tls_slot = r.r_offset + bias;
		}
	}
}

static void scan_sections(Elf *e, size_t shstrndx, struct elf_want *want, size_t n,
			  struct elf_facts *facts)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;
		size_t i, nsym;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".data")) {
			facts->data = sh.sh_addr + facts->bias;
			facts->data_size = sh.sh_size;
		}
		if (sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		nsym = d ? sh.sh_size / sh.sh_entsize : 0;
		for (i = 0; i < nsym; i++) {
			GElf_Sym sym;

			if (gelf_getsym(d, (int)i, &sym))
				want_sym(e, sh.sh_link, &sym, i, want, n, facts->bias);
		}
	}
	scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELA &&
		    (d = elf_getdata(scn, NULL)))
			tls_slots(d, &sh, want, n, facts->bias);
	}
}

int elf_lookup(const char *path, uint64_t base, struct elf_want *want, size_t n,
	       struct elf_facts *facts)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = -ENOENT;
	size_t i, shstrndx;
	GElf_Ehdr eh;
	Elf *e;

	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || !gelf_getehdr(e, &eh) || elf_getshdrstrndx(e, &shstrndx))
		goto out_close;
	memset(facts, 0, sizeof(*facts));
	for (i = 0; i < n; i++) {
		want[i].addr = want[i].size = want[i].tls_slot = 0;
		want[i].index = 0;
		want[i].tls = 0;
	}
	facts->bias = load_bias(e, &eh, base);
	scan_sections(e, shstrndx, want, n, facts);
	err = 0;
	for (i = 0; i < n; i++) {
		/* a TLS symbol is found once its module's slot is */
		if (!want[i].index || (want[i].tls && !want[i].tls_slot))
			err = -ENOENT;
	}
out_close:
	if (e)
		elf_end(e);
	close(fd);
	return err;
}
