/* SPDX-License-Identifier: MIT */
/*
 * targets.h - whether the processes given with -p still run: each watched
 * through a pidfd (readable once it exits, zombie or not, and never fooled
 * by a reused PID; kill(pid, 0) where pidfds are missing), its exit status
 * read from its zombie when it has one. Reports each exit once through a
 * callback; never prints.
 */
#ifndef USDTRACE_TARGETS_H
#define USDTRACE_TARGETS_H

#include <stdbool.h>
#include <sys/types.h>

#define TARGETS_MAX	64

struct targets {
	const pid_t *pids;	/* not owned */
	int nr;
	int pidfds[TARGETS_MAX];	/* -1: none */
	bool gone[TARGETS_MAX];		/* its exit was reported */
};

/* @pid has exited: its wait status, or -1 when it cannot be known (reaped). */
typedef void (*target_exit_fn)(void *ctx, pid_t pid, int status);

/* Watch @pids[0..@nr) (at most TARGETS_MAX). */
void targets__open(struct targets *t, const pid_t *pids, int nr);
/*
 * True once every one has exited (false with none); each new exit is
 * reported to @cb first.
 */
bool targets__gone(struct targets *t, target_exit_fn cb, void *ctx);
void targets__close(struct targets *t);

#endif /* USDTRACE_TARGETS_H */
