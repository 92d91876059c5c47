/* SPDX-License-Identifier: MIT */
/*
 * qmp.h - what `calls -l libvirt` reads of a QEMU monitor message (QMP,
 * JSON): a command's "execute" and "id", a reply's "id" and whether it
 * holds "return" or "error", from the top-level object only, whatever the
 * order of its keys and however long its values. A message cut short (a
 * probe's string is read up to --strlen) gives what came before the cut.
 * Pure; fuzzed (fuzz_qmp).
 */
#ifndef USDTRACE_LANG_QMP_H
#define USDTRACE_LANG_QMP_H

#include <stdbool.h>
#include <stddef.h>

#define QMP_NAME_MAX	64

struct qmp_top {
	char execute[QMP_NAME_MAX];	/* "" when none */
	char id[QMP_NAME_MAX];
	bool has_return, has_error;
};

/* The top-level object of the @n bytes at @s into @out: 0, or -EINVAL when none starts there. */
int qmp_scan(const char *s, size_t n, struct qmp_top *out);

#endif /* USDTRACE_LANG_QMP_H */
