/* SPDX-License-Identifier: MIT */
/*
 * perfmap.h - the symbol maps JIT compilers write for profilers,
 * /tmp/perf-PID.map: one "START SIZE NAME" line per compiled method, START
 * and SIZE in hex (HotSpot with -XX:+DumpPerfMapAtExit or `jcmd PID
 * Compiler.perfmap`, node --perf-basic-prof, ...). Parsed from bytes (pure,
 * unit-tested); the file is read by stack.c.
 */
#ifndef USDTRACE_PERFMAP_H
#define USDTRACE_PERFMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct perfmap_entry {
	uint64_t start;
	uint64_t size;
	char *name;
};

struct perfmap {
	struct perfmap_entry *entries;	/* sorted by start */
	size_t nr;
};

/* Parse @len bytes of a perf map; malformed lines are skipped. 0 or -ENOMEM. */
int perfmap__parse(const char *text, size_t len, struct perfmap *out);
/* The entry holding @addr (its name, and @addr - start in *@off), or NULL. */
const char *perfmap__lookup(const struct perfmap *m, uint64_t addr, uint64_t *off);
void perfmap__free(struct perfmap *m);

/*
 * Is a perf map with status @st (from fstat of a file opened without
 * following a symlink) one to believe for a process running as @proc_uid?
 * perf's rule: a regular file, owned by root or that user, writable by
 * its owner alone. False with *@why said otherwise.
 */
bool perfmap__trusted(const struct stat *st, uid_t proc_uid, const char **why);

#endif /* USDTRACE_PERFMAP_H */
