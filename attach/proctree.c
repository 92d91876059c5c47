// SPDX-License-Identifier: MIT
/*
 * proctree.c - the processes already descended from some roots
 * (proctree.h): /proc read once, then a breadth-first walk of the
 * children by parent, each found by binary search on the links sorted by
 * parent.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "proctree.h"

static int by_ppid(const void *a, const void *b)
{
	const struct proc_link *x = a, *y = b;

	if (x->ppid != y->ppid)
		return x->ppid < y->ppid ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The first link whose parent is @ppid, or @n. */
static size_t first_child(const struct proc_link *l, size_t n, pid_t ppid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l[mid].ppid < ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Append @parent's children to @out (up to @max in all): the new count. */
static size_t add_children(const struct proc_link *links, size_t n, pid_t parent, pid_t *out,
			   size_t nr, size_t max)
{
	size_t k;

	for (k = first_child(links, n, parent); k < n && links[k].ppid == parent && nr < max;
	     k++) {
		if (links[k].pid != parent)
			out[nr++] = links[k].pid;
	}
	return nr;
}

size_t proctree_descendants(struct proc_link *links, size_t nr_links, const pid_t *roots,
			    int nr_roots, pid_t *out)
{
	size_t nr = 0, next;
	int i;

	qsort(links, nr_links, sizeof(*links), by_ppid);
	for (i = 0; i < nr_roots; i++)
		nr = add_children(links, nr_links, roots[i], out, nr, nr_links);
	/* out[] is the queue too: a process has one parent, so none comes twice */
	for (next = 0; next < nr; next++)
		nr = add_children(links, nr_links, out[next], out, nr, nr_links);
	return nr;
}

int proctree_parse_stat(const char *stat, struct proc_link *l)
{
	const char *rp = strrchr(stat, ')');	/* comm may hold ')' and spaces */
	char state;
	int pid, ppid;

	if (sscanf(stat, "%d", &pid) != 1 || !rp ||
	    sscanf(rp + 1, " %c %d", &state, &ppid) != 2 || pid <= 0 || ppid < 0)
		return -EINVAL;
	l->pid = pid;
	l->ppid = ppid;
	return 0;
}

/* /proc/@name/stat's link, or -ENOENT for a process gone meanwhile. */
static int read_link(const char *name, struct proc_link *l)
{
	char path[64], buf[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return proctree_parse_stat(buf, l);
}

int proctree_read(struct proc_link **links, size_t *nr)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t cap = 0;

	*links = NULL;
	*nr = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct proc_link l;

		if (!isdigit((unsigned char)de->d_name[0]) || read_link(de->d_name, &l))
			continue;
		if (vec__reserve((void **)links, &cap, *nr + 1, sizeof(l), 256)) {
			closedir(d);
			free(*links);
			*links = NULL;
			return -ENOMEM;
		}
		(*links)[(*nr)++] = l;
	}
	closedir(d);
	return 0;
}
