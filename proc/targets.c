// SPDX-License-Identifier: MIT
/*
 * targets.c - the -p processes watched until they exit (targets.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "targets.h"

void targets__open(struct targets *t, const pid_t *pids, int nr)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->pids = pids;
	t->nr = nr < TARGETS_MAX ? nr : TARGETS_MAX;
	for (i = 0; i < TARGETS_MAX; i++)
		t->pidfds[i] = i < t->nr ? (int)syscall(SYS_pidfd_open, pids[i], 0) : -1;
}

/*
 * The wait status of exited @pid: field 52 of its zombie's /proc/PID/stat
 * (exit_code), -1 when it is already reaped.
 */
static int zombie_status(pid_t pid)
{
	char path[64], buf[1024], *p;
	int field, status = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* comm may hold blanks */
	for (field = 2; p && field < 52; field++)
		p = strchr(p + 1, ' ');
	if (p)
		status = atoi(p + 1);
	return status;
}

static bool exited(const struct targets *t, int i)
{
	struct pollfd pfd = { .fd = t->pidfds[i], .events = POLLIN };

	if (t->pidfds[i] >= 0)
		return poll(&pfd, 1, 0) == 1;
	return kill(t->pids[i], 0) && errno == ESRCH;
}

bool targets__gone(struct targets *t, target_exit_fn cb, void *ctx)
{
	bool all = t->nr > 0;
	int i;

	for (i = 0; i < t->nr; i++) {
		if (!t->gone[i] && exited(t, i)) {
			t->gone[i] = true;
			cb(ctx, t->pids[i], zombie_status(t->pids[i]));
		}
		all &= t->gone[i];
	}
	return all;
}

void targets__close(struct targets *t)
{
	int i;

	for (i = 0; i < TARGETS_MAX; i++) {
		if (t->pidfds[i] >= 0)
			close(t->pidfds[i]);
		t->pidfds[i] = -1;
	}
}
