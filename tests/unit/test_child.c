// SPDX-License-Identifier: MIT
/*
 * test_child.c - the command -c starts (proc/child.c): found as execvp
 * finds it, a script's interpreter as the image the kernel runs, held
 * until released, its exit status as a shell reports it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../proc/child.h"
#include "test.h"

static char dir[] = "/tmp/usdtrace-test-child-XXXXXX";

static void script(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	chmod(path, 0755);
}

static void test_find(struct test_stats *st)
{
	char buf[4096], want[4096], path[512];
	int err;

	err = child__find_program("sh", buf, sizeof(buf));
	CHECK(st, !err && buf[0] == '/' && !access(buf, X_OK), "find: a name on PATH",
	      "%d %s", err, buf);
	err = child__find_program("no-such-program-here", buf, sizeof(buf));
	CHECK(st, err == -ENOENT, "find: a name nowhere on PATH", "%d", err);
	script("plain", "#!/bin/sh\nexit 0\n");
	snprintf(path, sizeof(path), "%s/plain", dir);
	err = child__exec_image(path, buf, sizeof(buf));
	CHECK(st, !err && realpath("/bin/sh", want) && !strcmp(buf, want),
	      "image: #!/bin/sh, the file it links to", "%d %s", err, buf);
	script("env", "#!/usr/bin/env sh\nexit 0\n");
	snprintf(path, sizeof(path), "%s/env", dir);
	err = child__exec_image(path, buf, sizeof(buf));
	child__find_program("sh", want, sizeof(want));
	CHECK(st, !err && !strcmp(buf, want), "image: #!/usr/bin/env NAME found on PATH",
	      "%d %s", err, buf);
	snprintf(path, sizeof(path), "%s/nested", dir);
	snprintf(want, sizeof(want), "#!%s/env\n", dir);
	script("nested", want);
	err = child__exec_image(path, buf, sizeof(buf));
	child__find_program("sh", want, sizeof(want));
	CHECK(st, !err && !strcmp(buf, want), "image: a script whose interpreter is a script",
	      "%d %s", err, buf);
	script("bad", "#!/no/such/interpreter\n");
	snprintf(path, sizeof(path), "%s/bad", dir);
	err = child__exec_image(path, buf, sizeof(buf));
	CHECK(st, err == -ENOENT, "image: a missing interpreter", "%d", err);
}

static int run(const char *cmd, bool release, struct child *ch)
{
	char why[256] = "";
	int err;

	memset(ch, 0, sizeof(*ch));
	ch->release_fd = -1;
	err = child__start(ch, cmd, NULL, why, sizeof(why));
	if (err)
		return err;
	if (release) {
		child__release(ch);
		child__exited(ch, true);
	} else {
		child__abort(ch);
	}
	return 0;
}

static void test_run(struct test_stats *st)
{
	char cmd[512], marker[300], why[256] = "";
	struct child ch;
	int err;

	err = run("sh -c 'exit 3'", true, &ch);
	CHECK(st, !err && ch.exited && child__exit_code(&ch) == 3, "run: its exit code",
	      "%d %d", err, child__exit_code(&ch));
	err = run("sh -c 'kill -9 $$'", true, &ch);
	CHECK(st, !err && child__exit_code(&ch) == 128 + SIGKILL, "run: killed is 128 + signal",
	      "%d %d", err, child__exit_code(&ch));
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	snprintf(cmd, sizeof(cmd), "sh -c 'touch %s'", marker);
	err = run(cmd, false, &ch);
	CHECK(st, !err && access(marker, F_OK), "run: never released, it never runs",
	      "%d", err);
	memset(&ch, 0, sizeof(ch));
	err = child__start(&ch, "no-such-program-here -x", NULL, why, sizeof(why));
	CHECK(st, err == -ENOENT && ch.pid == 0 && strstr(why, "no-such-program-here"),
	      "run: a missing program is said before anything forks", "%d %s", err, why);
	err = child__start(&ch, "", NULL, why, sizeof(why));
	CHECK(st, err == -EINVAL, "run: no words", "%d %s", err, why);
}

int main(void)
{
	struct test_stats st = {};
	char cmd[128];

	if (!mkdtemp(dir))
		return 1;
	test_find(&st);
	test_run(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return st.failed ? 1 : 0;
}
