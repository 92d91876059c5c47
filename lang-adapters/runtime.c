// SPDX-License-Identifier: MIT
/*
 * runtime.c - a runtime found and checked on this machine (runtime.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sdt/sdt.h"
#include "runtime.h"

/* Does the ELF file at @path carry probes of @a's provider? */
static bool has_probes(const struct lang_adapter *a, const char *path)
{
	size_t plen = strcspn(a->probes[0].text, ":");
	struct sdt_file *f;
	bool found = false;
	size_t i;

	if (sdt_file__open(path, NULL, NULL, &f))
		return false;
	for (i = 0; i < f->nr_probes && !found; i++)
		found = strlen(f->probes[i].provider) == plen &&
			!strncmp(f->probes[i].provider, a->probes[0].text, plen);
	sdt_file__free(f);
	return found;
}

int lang_runtime__find(const struct lang_adapter *a, const char *given, const char *cmd,
		       char **path, char *why, size_t size)
{
	char looked[512] = "";
	size_t len = 0, k;
	int i;

	*path = NULL;
	if (given) {
		if (access(given, R_OK)) {
			snprintf(why, size, "%s: %s", given, strerror(errno));
			return -errno;
		}
		if (!has_probes(a, given)) {
			snprintf(why, size, "%s: no %s probes (a %s built without --enable-dtrace?)",
				 given, a->lang, a->runtime);
			return -ENOENT;
		}
		*path = strdup(given);
		return *path ? 0 : -ENOMEM;
	}
	for (i = 0; i < 4 && a->paths[i]; i++) {
		glob_t g;

		len += (size_t)snprintf(looked + len, len < sizeof(looked) ? sizeof(looked) - len : 0,
					"%s%s", i ? ", " : "", a->paths[i]);
		if (glob(a->paths[i], 0, NULL, &g))
			continue;
		/* the newest version first: glob sorts, so the last */
		for (k = g.gl_pathc; k-- > 0;) {
			if (has_probes(a, g.gl_pathv[k])) {
				*path = strdup(g.gl_pathv[k]);
				globfree(&g);
				return *path ? 0 : -ENOMEM;
			}
		}
		globfree(&g);
	}
	snprintf(why, size, "%s: no %s with %s probes in %s; name it: usdtrace %s -l %s "
		 "/path/to/%s, or -p PID", cmd, a->runtime, a->lang, looked, cmd, a->lang,
		 a->runtime);
	return -ENOENT;
}

#define PROC_TEXT_MAX	(1 << 16)

/* Bytes of /proc/PID/@what (NUL-separated), 0 when unreadable. */
static size_t read_proc(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, size);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

bool lang_runtime__switch_missing(const struct lang_adapter *a, pid_t pid)
{
	bool missing;
	char *buf;
	size_t n;

	if (!a->needs && !a->child_env)
		return false;
	buf = malloc(2 * PROC_TEXT_MAX);
	if (!buf)
		return false;
	/* a JVM flag is on its command line; PHP's switch in its environment */
	n = a->child_env ? 0 : read_proc(pid, "cmdline", buf, PROC_TEXT_MAX);
	n += read_proc(pid, "environ", buf + n, PROC_TEXT_MAX);
	missing = n && !lang_adapter__flag_present(a, buf, n);
	free(buf);
	return missing;
}

int lang_runtime__db_version(const struct lang_adapter *a, const char *path)
{
	struct stat st;
	void *map;
	int fd, v;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !st.st_size) {
		close(fd);
		return -EINVAL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	v = lang_db__version_in(a, map, (size_t)st.st_size);
	munmap(map, (size_t)st.st_size);
	return v ? v : -ENOENT;
}
