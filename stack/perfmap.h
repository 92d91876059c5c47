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

#include <stddef.h>
#include <stdint.h>

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

#endif /* USDTRACE_PERFMAP_H */
