// SPDX-License-Identifier: MIT
/*
 * rpc_names.c - libvirt's RPC procedure names from libvirtd's dispatch
 * tables (rpc_names.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/vec.h"
#include "rpc_names.h"

int rpc_names__init(struct rpc_names *n, const struct rpc_program *progs, size_t nr,
		    uint32_t entry_size, uint32_t args_off, uint32_t ret_off)
{
	memset(n, 0, sizeof(*n));
	n->progs = progs;
	n->nr_progs = nr;
	n->entry_size = entry_size;
	n->args_off = args_off;
	n->ret_off = ret_off;
	n->names = calloc(nr * RPC_PROC_MAX, sizeof(*n->names));
	return n->names || !nr ? 0 : -ENOMEM;
}

/* "xdr_remote_connect_open_args" -> program 0, "connect_open", arguments. */
static int split(const struct rpc_names *n, const char *sym, size_t *prog, size_t *len,
		 int *ret)
{
	size_t i, l = strlen(sym), p;

	for (i = 0; i < n->nr_progs; i++) {
		p = strlen(n->progs[i].xdr);
		if (strncmp(sym, n->progs[i].xdr, p))
			continue;
		if (l > p + 5 && !strcmp(sym + l - 5, "_args")) {
			*ret = 0;
			*len = l - p - 5;
		} else if (l > p + 4 && !strcmp(sym + l - 4, "_ret")) {
			*ret = 1;
			*len = l - p - 4;
		} else {
			return -ENOENT;	/* an event's _msg, a type's filter */
		}
		*prog = i;
		return 0;
	}
	return -ENOENT;
}

int rpc_names__reloc(struct rpc_names *n, uint64_t off, const char *sym)
{
	struct rpc_reloc *r;
	size_t prog, len;
	int ret;

	if (split(n, sym, &prog, &len, &ret))
		return 0;
	if (VEC_RESERVE(n->relocs, n->cap_relocs, n->nr_relocs + 1))
		return -ENOMEM;
	r = &n->relocs[n->nr_relocs];
	r->name = strndup(sym + strlen(n->progs[prog].xdr), len);
	if (!r->name)
		return -ENOMEM;
	r->prog = prog;
	r->off = off;
	r->ret = ret;
	n->nr_relocs++;
	return 0;
}

/* Where program @prog's array starts: its anchor's arguments pointer, one entry in. */
static int array_base(const struct rpc_names *n, size_t prog, uint64_t *base)
{
	size_t i;

	for (i = 0; i < n->nr_relocs; i++) {
		const struct rpc_reloc *r = &n->relocs[i];

		if (r->prog == prog && !r->ret && !strcmp(r->name, n->progs[prog].anchor) &&
		    r->off >= (uint64_t)n->entry_size + n->args_off) {
			*base = r->off - n->entry_size - n->args_off;
			return 0;
		}
	}
	return -ENOENT;
}

static char *upper(const char *label, const char *name)
{
	char *s = malloc(strlen(label) + strlen(name) + 1), *p;

	if (!s)
		return NULL;
	sprintf(s, "%s%s", label, name);
	for (p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

size_t rpc_names__resolve(struct rpc_names *n)
{
	size_t i, named = 0, prog;
	uint64_t base[8], at;
	int have[8];

	for (prog = 0; prog < n->nr_progs && prog < 8; prog++)
		have[prog] = !array_base(n, prog, &base[prog]);
	for (i = 0; i < n->nr_relocs; i++) {
		const struct rpc_reloc *r = &n->relocs[i];
		uint64_t field = r->ret ? n->ret_off : n->args_off, idx;
		char **slot;

		if (r->prog >= 8 || !have[r->prog] || r->off < base[r->prog] + field)
			continue;
		at = r->off - base[r->prog] - field;
		idx = at / n->entry_size;
		if (at % n->entry_size || idx >= RPC_PROC_MAX)
			continue;	/* not in the array: another use of the filter */
		slot = &n->names[r->prog * RPC_PROC_MAX + idx];
		if (*slot)
			continue;	/* its arguments' and its reply's name agree */
		*slot = upper(n->progs[r->prog].label, r->name);
		named += *slot != NULL;
	}
	for (i = 0; i < n->nr_relocs; i++)
		free(n->relocs[i].name);
	free(n->relocs);
	n->relocs = NULL;
	n->nr_relocs = n->cap_relocs = 0;
	return named;
}

/* The relocations of one section (RELA) against the symbols of @symtab. */
static int section_relocs(struct rpc_names *n, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Scn *syms = elf_getscn(e, sh->sh_link);
	Elf_Data *d = elf_getdata(scn, NULL), *sd = syms ? elf_getdata(syms, NULL) : NULL;
	size_t i, nr = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	GElf_Shdr ssh;
	int err = 0;

	if (!d || !sd || !gelf_getshdr(syms, &ssh))
		return 0;
	for (i = 0; i < nr && !err; i++) {
		const char *name;
		GElf_Rela r;
		GElf_Sym sym;

		if (!gelf_getrela(d, (int)i, &r) || !GELF_R_SYM(r.r_info) ||
		    !gelf_getsym(sd, (int)GELF_R_SYM(r.r_info), &sym))
			continue;
		name = elf_strptr(e, ssh.sh_link, sym.st_name);
		if (name)
			err = rpc_names__reloc(n, r.r_offset, name);
	}
	return err;
}

int rpc_names__load(struct rpc_names *n, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	Elf_Scn *scn = NULL;
	Elf *e;

	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e) {
		close(fd);
		return -EINVAL;
	}
	while (!err && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELA)
			err = section_relocs(n, e, scn, &sh);
	}
	elf_end(e);
	close(fd);
	return err ? err : (int)rpc_names__resolve(n);
}

const char *rpc_names__get(const struct rpc_names *n, uint32_t prog, uint32_t proc, char *buf,
			   size_t size)
{
	size_t i;

	for (i = 0; i < n->nr_progs; i++) {
		if (n->progs[i].number != prog)
			continue;
		if (proc < RPC_PROC_MAX && n->names && n->names[i * RPC_PROC_MAX + proc])
			return n->names[i * RPC_PROC_MAX + proc];
		snprintf(buf, size, "%s%u", n->progs[i].label, proc);
		return buf;
	}
	snprintf(buf, size, "%#x:%u", prog, proc);
	return buf;
}

void rpc_names__free(struct rpc_names *n)
{
	size_t i;

	for (i = 0; n->names && i < n->nr_progs * RPC_PROC_MAX; i++)
		free(n->names[i]);
	free(n->names);
	for (i = 0; i < n->nr_relocs; i++)
		free(n->relocs[i].name);
	free(n->relocs);
	memset(n, 0, sizeof(*n));
}
