/* SPDX-License-Identifier: MIT */
/*
 * sites.h - print probe sites: `usdtrace list` text table and `site`
 * JSON Lines records (the layout is in docs/usage.md).
 */
#ifndef USDTRACE_SITES_H
#define USDTRACE_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../sdt/sdt.h"

/* One site to print; nothing here is owned. */
struct site_ref {
	const char *path;		/* the object's name as shown to users */
	const struct sdt_file *file;
	const struct sdt_probe *probe;
};

/* Decoded location of one argument, e.g. "s32 *(rbp - 0x14)". */
void sdt_arg__describe(const struct sdt_arg *arg, int machine, char *buf,
		       size_t size);

void sites__print_text(FILE *out, const struct site_ref *sites, size_t nr,
		       bool verbose);
void sites__print_json(FILE *out, const struct site_ref *sites, size_t nr);

#endif /* USDTRACE_SITES_H */
