// SPDX-License-Identifier: MIT
/*
 * test_lang.c - the runtime adapters: method name styles, probe selection,
 * runtime switch detection, and that every adapter's probe text parses.
 */
#include <string.h>

#include "../../attach/probe_spec.h"
#include "../../lang-adapters/lang.h"
#include "test.h"

static void name_case(struct test_stats *st, const char *lang, const char *a, const char *b,
		      const char *want)
{
	const char *parts[3] = { a, b, NULL };
	char buf[128], label[96];

	lang_method_name(lang_adapter__find(lang), parts, buf, sizeof(buf));
	snprintf(label, sizeof(label), "lang name %s %s", lang, want);
	CHECK(st, !strcmp(buf, want), label, "got %s", buf);
}

static void split_case(struct test_stats *st, const char *lang, const char *glob,
		       const char *cls, const char *meth)
{
	char c[64] = "", m[64] = "", label[128];
	bool got = lang_method_glob_split(lang_adapter__find(lang), glob, c, sizeof(c), m,
					  sizeof(m));

	snprintf(label, sizeof(label), "lang method glob %s %s", lang, glob);
	CHECK(st, cls ? got && !strcmp(c, cls) && !strcmp(m, meth) : !got, label,
	      "got %d '%s' '%s'", got, c, m);
}

int main(void)
{
	static const char *const langs[] = { "python", "java", "ruby", "php", "postgresql" };
	const struct lang_probe *sel[LANG_MAX_PROBES];
	struct test_stats st = {};
	size_t i;
	int k, n;

	name_case(&st, "python", "work.py", "leaf", "work.py:leaf");
	name_case(&st, "java", "java/lang/String", "hashCode", "java.lang.String.hashCode");
	name_case(&st, "java", "Work", "a/b", "Work.a/b");
	name_case(&st, "ruby", "Work", "leaf", "Work#leaf");
	name_case(&st, "php", "Work", "middle", "Work::middle");
	name_case(&st, "php", "", "leaf", "leaf");
	CHECK(&st, !lang_adapter__find("cobol"), "lang unknown", "found");
	split_case(&st, "java", "Small.*", "Small", "*");
	split_case(&st, "java", "java.util.*.sort", "java/util/*", "sort");
	split_case(&st, "java", "middle", NULL, NULL);
	split_case(&st, "ruby", "Work#lea*", "Work", "lea*");
	split_case(&st, "php", "Work::*", "Work", "*");
	split_case(&st, "php", "Work::", NULL, NULL);
	split_case(&st, "python", "*work.py:leaf", "*work.py", "leaf");
	split_case(&st, "postgresql", "SELECT*", NULL, NULL);
	{
		const struct lang_adapter *pg = lang_adapter__find("postgresql");
		const char *q[3] = { "SELECT 1", NULL, NULL };
		char buf[64];

		lang_method_name(pg, q, buf, sizeof(buf));
		CHECK(&st, !strcmp(buf, "SELECT 1"), "lang postgresql names a query by its text",
		      "%s", buf);
		CHECK(&st, lang_adapter__queries(pg) && !lang_adapter__queries(
			   lang_adapter__find("python")), "lang postgresql is about queries",
		      "wrong");
		CHECK(&st, !strcmp(lang_lock_mode(pg, 8), "AccessExclusiveLock") &&
		      !strcmp(lang_lock_mode(pg, 1), "AccessShareLock") && !lang_lock_mode(pg, 9),
		      "lang postgresql lock modes by number", "wrong");
		CHECK(&st, pg->forks && pg->paths[0], "lang postgresql forks, has a place",
		      "missing");
	}
	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		const struct lang_adapter *a = lang_adapter__find(langs[i]);
		char label[64];
		int bad = 0;

		n = lang_adapter__select(a, ~0u, sel, LANG_MAX_PROBES);
		for (k = 0; k < n; k++) {
			struct probe_spec ps;
			const char *why;

			if (probe_spec__parse(sel[k]->text, &ps, &why))
				bad++;
			else
				probe_spec__free(&ps);
		}
		snprintf(label, sizeof(label), "lang %s probes parse", langs[i]);
		CHECK(&st, n >= 3 && !bad, label, "%d probes, %d bad", n, bad);
		n = lang_adapter__select(a, (1u << LANG_ENTRY) | (1u << LANG_RETURN), sel,
					 LANG_MAX_PROBES);
		snprintf(label, sizeof(label), "lang %s has entry and return", langs[i]);
		CHECK(&st, n >= 2 && n % 2 == 0, label, "%d", n);
	}
	{
		const struct lang_adapter *j = lang_adapter__find("java");
		static const char argv1[] = "java\0-XX:+ExtendedDTraceProbes\0Work";
		static const char argv2[] = "java\0-cp\0x\0Work";

		CHECK(&st, lang_adapter__flag_present(j, argv1, sizeof(argv1)),
		      "lang java flag found in argv", "missed");
		CHECK(&st, !lang_adapter__flag_present(j, argv2, sizeof(argv2)),
		      "lang java flag absent", "found");
		CHECK(&st, lang_adapter__flag_present(lang_adapter__find("ruby"), "", 0),
		      "lang ruby needs no flag", "wanted one");
	}
	CHECK(&st, lang_unsafe__find("/usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1.2", "ruby",
				     "cmethod__entry") != NULL, "lang ruby 3.1 cmethod__entry is unsafe",
	      "not found");
	CHECK(&st, lang_unsafe__find("libruby-3.1.so.3.1", "ruby", "cmethod__return") != NULL,
	      "lang ruby 3.1 cmethod__return is unsafe", "not found");
	CHECK(&st, !lang_unsafe__find("/usr/lib/libruby-3.2.so.3.2", "ruby", "cmethod__entry"),
	      "lang ruby 3.2 cmethod__entry is not listed", "listed");
	CHECK(&st, !lang_unsafe__find("/usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1.2", "ruby",
				      "method__entry"), "lang ruby 3.1 method__entry is safe", "listed");
	return st.failed ? 1 : 0;
}
