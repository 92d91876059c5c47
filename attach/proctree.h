/* SPDX-License-Identifier: MIT */
/*
 * proctree.h - the processes already descended from some roots: what
 * --follow must trace from the start (a server's backends connected
 * before the run, its background processes), not only the children forked
 * later. The walk of parent links is pure; reading /proc is the one
 * function that does I/O.
 */
#ifndef USDTRACE_PROCTREE_H
#define USDTRACE_PROCTREE_H

#include <stddef.h>
#include <sys/types.h>

/* A process and its parent, as /proc/PID/stat says. */
struct proc_link {
	pid_t pid;
	pid_t ppid;
};

/*
 * The descendants of @roots among @links (the roots not included) into
 * @out, which holds @nr_links: how many (one descending from two roots
 * given comes twice). Pure; @links is sorted by parent in place.
 */
size_t proctree_descendants(struct proc_link *links, size_t nr_links, const pid_t *roots,
			    int nr_roots, pid_t *out);

/* Every process's link from /proc into *@links (the caller frees): 0 or -Exxx. */
int proctree_read(struct proc_link **links, size_t *nr);

/* Parse one /proc/PID/stat text into @l: 0, or -EINVAL when malformed. */
int proctree_parse_stat(const char *stat, struct proc_link *l);

#endif /* USDTRACE_PROCTREE_H */
