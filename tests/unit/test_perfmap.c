// SPDX-License-Identifier: MIT
/*
 * test_perfmap.c - /tmp/perf-PID.map parsing: HotSpot's lines, names with
 * spaces, malformed lines skipped, lookups inside, between and past the
 * entries.
 */
#include <string.h>

#include "../../stack/perfmap.h"
#include "test.h"

int main(void)
{
	static const char text[] =
		"7f0010001000 80 Interpreter\n"
		"7f0010002000 1a0 LWork;::leaf (I)I\n"
		"bogus line\n"
		"7f0010000100 40 java.lang.String::hashCode()\n"
		"zz 10 bad\n"
		"7f0010003000 0 zero-sized\n"
		"7f0010004000 10 last";
	struct test_stats st = {};
	struct perfmap m;
	const char *n;
	uint64_t off = 0;

	CHECK(&st, !perfmap__parse(text, strlen(text), &m) && m.nr == 4, "perfmap parses its lines",
	      "%zu entries", m.nr);
	CHECK(&st, m.nr == 4 && m.entries[0].start == 0x7f0010000100, "perfmap sorts by start",
	      "first %#llx", m.nr ? (unsigned long long)m.entries[0].start : 0ull);
	n = perfmap__lookup(&m, 0x7f0010002010, &off);
	CHECK(&st, n && !strcmp(n, "LWork;::leaf (I)I") && off == 0x10,
	      "perfmap finds a name with spaces and the offset", "%s +%llu", n ? n : "(null)",
	      (unsigned long long)off);
	CHECK(&st, !perfmap__lookup(&m, 0x7f00100021a0, &off), "perfmap: the end is outside",
	      "found");
	CHECK(&st, !perfmap__lookup(&m, 0x7f0010000000, &off), "perfmap: below every entry",
	      "found");
	n = perfmap__lookup(&m, 0x7f001000400f, &off);
	CHECK(&st, n && !strcmp(n, "last"), "perfmap: a last line without newline", "missed");
	perfmap__free(&m);
	CHECK(&st, !perfmap__parse("", 0, &m) && !m.nr, "perfmap: empty", "entries");
	{
		struct stat s = { .st_mode = S_IFREG | 0644, .st_uid = 1000 };
		const char *why = "";

		CHECK(&st, perfmap__trusted(&s, 1000, &why), "perfmap: the process's user's", "%s",
		      why);
		s.st_uid = 0;
		CHECK(&st, perfmap__trusted(&s, 1000, &why), "perfmap: root's", "%s", why);
		s.st_uid = 65534;
		CHECK(&st, !perfmap__trusted(&s, 1000, &why), "perfmap: another user's refused",
		      "believed");
		s.st_uid = 1000;
		s.st_mode = S_IFREG | 0664;
		CHECK(&st, !perfmap__trusted(&s, 1000, &why), "perfmap: group-writable refused",
		      "believed");
		s.st_mode = S_IFIFO | 0644;
		CHECK(&st, !perfmap__trusted(&s, 1000, &why), "perfmap: a FIFO refused",
		      "believed");
	}
	return st.failed ? 1 : 0;
}
