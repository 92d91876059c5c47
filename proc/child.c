// SPDX-License-Identifier: MIT
/*
 * child.c - the command -c starts, held until attached (child.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#include "child.h"

/* PATH lookup of argv[0] as execvp does it. */
int child__find_program(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH"), *p;

	if (strchr(name, '/')) {
		if (!realpath(name, buf))
			return -errno;
		return access(buf, X_OK) ? -errno : 0;
	}
	for (p = path ? path : "/usr/bin:/bin"; *p; ) {
		size_t n = strcspn(p, ":");
		char cand[PATH_MAX];

		snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, p, name);
		if (!access(cand, X_OK) && realpath(cand, buf) && strlen(buf) < size)
			return 0;
		p += n;
		if (*p)
			p++;
	}
	return -ENOENT;
}

/*
 * The ELF image the kernel will run for @path: the file itself, or for a
 * "#!" script its interpreter ("#!/usr/bin/env NAME" resolved on PATH).
 */
int child__exec_image(const char *path, char *buf, size_t size)
{
	char line[PATH_MAX], *interp, *arg, *end;
	FILE *f = fopen(path, "re");
	int depth, err = 0;

	snprintf(buf, size, "%s", path);
	for (depth = 0; f && depth < 4; depth++) {
		if (!fgets(line, sizeof(line), f) || strncmp(line, "#!", 2))
			break;
		interp = line + 2 + strspn(line + 2, " \t");
		end = interp + strcspn(interp, " \t\n");
		arg = *end && *end != '\n' ? end + 1 + strspn(end + 1, " \t") : NULL;
		*end = '\0';
		if (arg)
			arg[strcspn(arg, " \t\n")] = '\0';
		if (!strcmp(interp, "/usr/bin/env") && arg && *arg)
			err = child__find_program(arg, buf, size);
		else
			err = child__find_program(interp, buf, size);
		fclose(f);
		f = err ? NULL : fopen(buf, "re");
	}
	if (f)
		fclose(f);
	return err;
}

/* The exec failure, if any, is reported by the child itself, on its stderr. */
int child__start(struct child *ch, const char *cmd, const char *const *env, char *why,
		 size_t size)
{
	wordexp_t we;
	int fds[2], err;
	char c;

	if (!cmd[strspn(cmd, " \t\n")]) {
		snprintf(why, size, "-c '%s': an empty command", cmd);
		return -EINVAL;
	}
	err = wordexp(cmd, &we, WRDE_NOCMD | WRDE_SHOWERR);
	if (err || !we.we_wordc) {
		if (!err)
			wordfree(&we);
		snprintf(why, size, "-c '%s': cannot split into words (%s)", cmd,
			 err == WRDE_CMDSUB ? "a $(...) or `...` command substitution: run it "
			 "through sh -c" : err == WRDE_BADCHAR ? "a |, &, ;, <, >, ( or ) "
			 "outside quotes: run it through sh -c" : "unbalanced quotes?");
		return -EINVAL;
	}
	err = child__find_program(we.we_wordv[0], ch->path, sizeof(ch->path));
	if (!err)
		err = child__exec_image(ch->path, ch->image, sizeof(ch->image));
	if (err) {
		snprintf(why, size, "%s: %s", we.we_wordv[0], strerror(-err));
		wordfree(&we);
		return err;
	}
	if (pipe2(fds, O_CLOEXEC)) {
		err = -errno;
		snprintf(why, size, "-c: %s", strerror(-err));
		wordfree(&we);
		return err;
	}
	ch->pid = fork();
	if (ch->pid < 0) {
		err = -errno;
		snprintf(why, size, "-c: fork: %s", strerror(-err));
		ch->pid = 0;
		close(fds[0]);
		close(fds[1]);
		wordfree(&we);
		return err;
	}
	if (ch->pid == 0) {
		close(fds[1]);
		/* EOF without a byte: usdtrace gave up, do not run */
		if (read(fds[0], &c, 1) != 1)
			_exit(127);
		for (; env && *env; env++)
			putenv((char *)*env);
		execv(ch->path, we.we_wordv);
		fprintf(stderr, "usdtrace: %s: %s\n", ch->path, strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	ch->release_fd = fds[1];
	wordfree(&we);
	return 0;
}

void child__release(struct child *ch)
{
	char go = 1;

	if (write(ch->release_fd, &go, 1) != 1)
		kill(ch->pid, SIGKILL);
	close(ch->release_fd);
	ch->release_fd = -1;
}

void child__abort(struct child *ch)
{
	if (ch->pid <= 0)
		return;
	if (ch->release_fd >= 0)
		close(ch->release_fd);	/* the child exits without running */
	ch->release_fd = -1;
	if (waitpid(ch->pid, &ch->status, 0) == ch->pid)
		ch->exited = true;
}

bool child__exited(struct child *ch, bool wait)
{
	if (ch->pid > 0 && !ch->exited &&
	    waitpid(ch->pid, &ch->status, wait ? 0 : WNOHANG) == ch->pid)
		ch->exited = true;
	return ch->exited;
}

int child__exit_code(const struct child *ch)
{
	if (ch->pid <= 0 || !ch->exited)
		return 0;
	if (WIFEXITED(ch->status))
		return WEXITSTATUS(ch->status);
	if (WIFSIGNALED(ch->status))
		return 128 + WTERMSIG(ch->status);
	return 0;
}
