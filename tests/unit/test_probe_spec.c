// SPDX-License-Identifier: MIT
/*
 * test_probe_spec.c - probe descriptions as users type them.
 */
#include <errno.h>
#include <string.h>

#include "../../attach/probe_spec.h"
#include "test.h"

struct ps_case {
	const char *text;
	int err;
	enum probe_type type;
	const char *path;	/* NULL: none */
	const char *provider;	/* or symbol for uprobes */
	const char *name;
	const char *fmt;
	unsigned long long off;
};

static const struct ps_case cases[] = {
	{ "sample:loop", 0, PROBE_USDT, NULL, "sample", "loop", "", 0 },
	{ "usdt:sample:loop", 0, PROBE_USDT, NULL, "sample", "loop", "", 0 },
	{ "/bin/x:sample:loop", 0, PROBE_USDT, "/bin/x", "sample", "loop", "", 0 },
	{ "usdt:libjvm.so:hotspot:gc__*", 0, PROBE_USDT, "libjvm.so", "hotspot", "gc__*", "", 0 },
	{ "python:function__entry(s,s,d)", 0, PROBE_USDT, NULL, "python",
	  "function__entry", "ssd", 0 },
	{ "p:n(-, x)", 0, PROBE_USDT, NULL, "p", "n", "-x", 0 },
	{ "uprobe:/lib/libc.so.6:malloc(u)", 0, PROBE_UPROBE, "/lib/libc.so.6", "malloc",
	  NULL, "u", 0 },
	{ "uprobe:libc.so.6:malloc+4", 0, PROBE_UPROBE, "libc.so.6", "malloc", NULL, "", 4 },
	{ "uprobe:/a:f+0x10", 0, PROBE_UPROBE, "/a", "f", NULL, "", 16 },
	{ "uretprobe:/a:f(d)", 0, PROBE_URETPROBE, "/a", "f", NULL, "d", 0 },
	{ "sample:str(s,d) /arg1 > 3/", 0, PROBE_USDT, NULL, "sample", "str", "sd", 0 },
	{ "sample:loop  /arg0 == 1/", 0, PROBE_USDT, NULL, "sample", "loop", "", 0 },
	{ "uprobe:/bin/x:f(u)/arg0 > 1/", 0, PROBE_UPROBE, "/bin/x", "f", NULL, "u", 0 },
	{ "sample:loop /arg0 == /", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "kprobe:do_sys_open", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "tracepoint:sched:sched_switch", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "t:sched:sched_switch", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "sample:loop arg0 > 1", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "sample:loop==1", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "loop", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ ":loop", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "sample:", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ ":p:n", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "p:n(", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "p:n()", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "p:n(q)", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "p:n(s,s,s,s,s,s,s,s,s,s,s,s,s)", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "uprobe:f", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "uprobe:/a:", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "uprobe:/a:f+x", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "uretprobe:/a:f+4", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "uretprobe:/a:f(d,d)", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "uprobe:/a:f(d,d,d,d,d,d,d)", -EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
};

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int main(void)
{
	struct test_stats st = {};
	char name[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ps_case *c = &cases[i];
		struct probe_spec ps;
		const char *why = NULL;
		int err = probe_spec__parse(c->text, &ps, &why);
		bool ok;

		snprintf(name, sizeof(name), "probe spec '%s'", c->text);
		if (c->err) {
			CHECK(&st, err == c->err && why && *why, name, "err %d", err);
			continue;
		}
		ok = !err && ps.type == c->type && str_eq(ps.path, c->path) &&
		     (c->type == PROBE_USDT ? str_eq(ps.provider, c->provider) &&
		      str_eq(ps.name, c->name) : str_eq(ps.symbol, c->provider)) &&
		     ps.nr_fmt == (int)strlen(c->fmt) && !memcmp(ps.fmt, c->fmt, strlen(c->fmt)) &&
		     ps.sym_off == c->off;
		CHECK(&st, ok, name, "err %d (%s)", err, err ? why : "fields differ");
		if (!err)
			probe_spec__free(&ps);
	}
	{
		struct probe_spec ps;
		const char *why;

		probe_spec__parse("py*:func*__entry", &ps, &why);
		CHECK(&st, probe_spec__matches(&ps, "python", "function__entry") &&
		      !probe_spec__matches(&ps, "python", "function__return"),
		      "probe spec globs match", "mismatch");
		probe_spec__free(&ps);
	}
	{
		struct probe_spec ps;
		const char *why = "";
		int err;

		err = probe_spec__parse("sample:str(s,d) /arg0 == \"g*\" && arg1 > 3/", &ps, &why);
		CHECK(&st, !err && ps.pred && ps.pred_text &&
		      !strcmp(ps.pred_text, "/arg0 == \"g*\" && arg1 > 3/"),
		      "probe spec keeps its predicate", "err %d %s", err, why);
		if (!err)
			probe_spec__free(&ps);
		err = probe_spec__parse("sample:loop /arg0 == /", &ps, &why);
		CHECK(&st, err == -EINVAL && !strcmp(why, "column 10: expected a value"),
		      "probe spec predicate error with its column", "%s", why);
		err = probe_spec__parse("sample:loop /arg0 > 1", &ps, &why);
		CHECK(&st, err == -EINVAL && !strcmp(why, "column 10: expected the closing '/'"),
		      "probe spec predicate without its closing slash", "%s", why);
	}
	{
		/* no blank before the predicate: argument lists split at blanks */
		static const struct {
			const char *text, *file, *name, *pred;
		} nb[] = {
			{ "build/samples/sample:sample:loop/arg0>=5/", "build/samples/sample", "loop",
			  "/arg0>=5/" },
			{ "/usr/bin/app:app:req/arg0>1/", "/usr/bin/app", "req", "/arg0>1/" },
			{ "uprobe:/bin/bash:readline/arg0>0/", "/bin/bash", "readline", "/arg0>0/" },
			{ "p:n.x-y/arg1==2/", NULL, "n.x-y", "/arg1==2/" },
		};
		struct probe_spec ps;
		const char *why = "", *got;
		size_t k;
		int err;

		for (k = 0; k < sizeof(nb) / sizeof(nb[0]); k++) {
			err = probe_spec__parse(nb[k].text, &ps, &why);
			got = err ? NULL : ps.type == PROBE_USDT ? ps.name : ps.symbol;
			CHECK(&st, !err && ps.pred && !strcmp(ps.pred_text, nb[k].pred) &&
			      got && !strcmp(got, nb[k].name) &&
			      (nb[k].file ? ps.path && !strcmp(ps.path, nb[k].file) : !ps.path),
			      "probe spec predicate right after the name", "%s: err %d %s",
			      nb[k].text, err, why);
			if (!err)
				probe_spec__free(&ps);
		}
		err = probe_spec__parse("build/samples/sample:sample:loop", &ps, &why);
		CHECK(&st, !err && !ps.pred && !strcmp(ps.path, "build/samples/sample"),
		      "probe spec: a FILE path's slashes start no predicate", "err %d %s", err, why);
		if (!err)
			probe_spec__free(&ps);
	}
	return st.failed ? 1 : 0;
}
