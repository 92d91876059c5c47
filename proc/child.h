/* SPDX-License-Identifier: MIT */
/*
 * child.h - the command -c starts: its program found on PATH as execvp
 * would, the ELF image the kernel will run (a "#!" script's interpreter,
 * "#!/usr/bin/env NAME" resolved too), forked and held on a pipe until
 * released (so it is traced from its first instruction), waited for, and
 * its exit status as a shell reports it. Never prints: errors come back as
 * -Exxx with the reason in a buffer the caller gives.
 */
#ifndef USDTRACE_CHILD_H
#define USDTRACE_CHILD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct child {
	pid_t pid;		/* 0: none started */
	int release_fd;		/* write end: writing a byte lets it exec, -1: released */
	char path[PATH_MAX];	/* what execv() runs */
	char image[PATH_MAX];	/* the ELF image that will run: a script's interpreter */
	bool exited;
	int status;		/* its wait status, once exited */
};

/* @name found as execvp() would (PATH, or a path with '/'), absolute, into @buf. */
int child__find_program(const char *name, char *buf, size_t size);
/* The ELF image the kernel runs for @path: itself, or its "#!" interpreter's. */
int child__exec_image(const char *path, char *buf, size_t size);
/*
 * Split @cmd into words (no command substitution), find it and fork it,
 * held until child__release(); @env entries NAME=VALUE are added to its
 * environment. 0, or -Exxx with the reason in @why.
 */
int child__start(struct child *ch, const char *cmd, const char *const *env, char *why,
		 size_t size);
/* Let it exec. */
void child__release(struct child *ch);
/* Never released: it exits without running; reaped. */
void child__abort(struct child *ch);
/* Has it exited? (reaps it; @wait: block until it has) */
bool child__exited(struct child *ch, bool wait);
/* Its status as a shell gives it: the exit code, 128 + signal, 0 while it runs. */
int child__exit_code(const struct child *ch);

#endif /* USDTRACE_CHILD_H */
