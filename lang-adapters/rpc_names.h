/* SPDX-License-Identifier: MIT */
/*
 * rpc_names.h - libvirt's RPC procedure names, read from the daemon's own
 * dispatch tables rather than a copy of its protocol: libvirtd keeps one
 * array per program, indexed by procedure number, whose entries point at
 * the XDR filters of the call's arguments and reply
 * (xdr_remote_connect_open_args...), exported by libvirt.so, so each such
 * pointer is a relocation naming its symbol. One procedure whose number is
 * fixed (CONNECT_OPEN = 1) anchors each array; a procedure whose arguments
 * and reply are both empty has no name there and keeps its number.
 */
#ifndef USDTRACE_LANG_RPC_NAMES_H
#define USDTRACE_LANG_RPC_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define RPC_PROC_MAX	2048	/* procedure numbers named, per program */

/* A program of the protocol, and how the daemon's array of it is laid out. */
struct rpc_program {
	uint32_t number;	/* 0x20008086 */
	const char *xdr;	/* its filters' prefix: "xdr_remote_" */
	const char *label;	/* its names' prefix: "REMOTE_PROC_" */
	const char *anchor;	/* a procedure of number 1: "connect_open" */
};

struct rpc_names {
	const struct rpc_program *progs;
	size_t nr_progs;
	uint32_t entry_size;	/* bytes of an array entry (virNetServerProgramProc) */
	uint32_t args_off, ret_off;	/* its argument and reply filters' pointers */
	char **names;		/* [prog * RPC_PROC_MAX + proc], NULL: unnamed */
	/* relocations seen, until resolved */
	struct rpc_reloc *relocs;
	size_t nr_relocs, cap_relocs;
};

struct rpc_reloc {
	size_t prog;		/* index into progs */
	uint64_t off;		/* where the pointer is */
	char *name;		/* "connect_open" */
	int ret;		/* the reply's filter (else the arguments') */
};

/* @n for @progs, an array entry of @entry_size bytes with the filters at @args_off, @ret_off. */
int rpc_names__init(struct rpc_names *n, const struct rpc_program *progs, size_t nr,
		    uint32_t entry_size, uint32_t args_off, uint32_t ret_off);
/* A relocation at @off naming @sym (ignored unless a program's XDR filter). Pure. */
int rpc_names__reloc(struct rpc_names *n, uint64_t off, const char *sym);
/* The names from the relocations seen: how many procedures named. Pure. */
size_t rpc_names__resolve(struct rpc_names *n);
/* Relocations of the daemon at @path read and resolved: procedures named, or -errno. */
int rpc_names__load(struct rpc_names *n, const char *path);
/* "REMOTE_PROC_CONNECT_OPEN", or "REMOTE_PROC_2", or "0x20008089:7" into @buf. */
const char *rpc_names__get(const struct rpc_names *n, uint32_t prog, uint32_t proc, char *buf,
			   size_t size);
void rpc_names__free(struct rpc_names *n);

#endif /* USDTRACE_LANG_RPC_NAMES_H */
