// SPDX-License-Identifier: MIT
/*
 * lang.c - the runtime adapter tables (see lang.h).
 *
 * Probe arguments, from the runtimes' probe definitions:
 *  python function__entry/return(filename, funcname, lineno), gc__start(gen),
 *         gc__done(collected), import__find__load__start(module)
 *  hotspot method__entry/return(tid, class, class_len, method, method_len,
 *         sig, sig_len): names are pointer + length, not NUL-terminated;
 *         object__alloc(tid, class, class_len, size); thread__start/stop(
 *         name, name_len, java_tid, native_tid, daemon); class__loaded(name,
 *         name_len, loader, shared)
 *  ruby   method__entry/return, cmethod__entry/return(class, method, file,
 *         line), object__create(class, file, line), gc__mark__*, gc__sweep__*,
 *         require__entry(feature, file, line)
 *  php    function__entry/return(function, file, line, class, scope),
 *         compile__file__entry(file, translated)
 */
#include <stdio.h>
#include <string.h>

#include "lang.h"

static const struct lang_adapter adapters[] = {
	{
		.lang = "python",
		.runtime = "python3.11",
		.probes = {
			{ LANG_ENTRY, "python:function__entry(s,s,d)" },
			{ LANG_RETURN, "python:function__return(s,s,d)" },
			{ LANG_GC_BEGIN, "python:gc__start(d)" },
			{ LANG_GC_END, "python:gc__done(d)" },
			{ LANG_LOAD, "python:import__find__load__start(s)" },
		},
		.ident = { 0, 1, -1 },
		.style = LANG_NAME_FILE_FUNC,
		.alloc_size_arg = -1,
		.quirk = "CPython 3.11 fires function__entry for few calls (those not "
			 "inlined by its interpreter) but function__return for all",
		.match_names = true,
	},
	{
		.lang = "java",
		.runtime = "libjvm.so",
		.probes = {
			{ LANG_ENTRY, "hotspot:method__entry(d,S,-,S,-,-,-)" },
			{ LANG_RETURN, "hotspot:method__return(d,S,-,S,-,-,-)" },
			{ LANG_GC_BEGIN, "hotspot:gc__begin" },
			{ LANG_GC_END, "hotspot:gc__end" },
			{ LANG_ALLOC, "hotspot:object__alloc(d,S,-,u)" },
			{ LANG_THREAD_START, "hotspot:thread__start(S,-,d,d,u)" },
			{ LANG_THREAD_STOP, "hotspot:thread__stop(S,-,d,d,u)" },
			{ LANG_LOAD, "hotspot:class__loaded(S,-,x,u)" },
		},
		.ident = { 1, 3, -1 },
		.style = LANG_NAME_JAVA,
		.alloc_size_arg = 3,
		.needs = "-XX:+ExtendedDTraceProbes",
	},
	{
		.lang = "ruby",
		.runtime = "libruby",
		.probes = {
			{ LANG_ENTRY, "ruby:method__entry(s,s,s,d)" },
			{ LANG_RETURN, "ruby:method__return(s,s,s,d)" },
			{ LANG_ENTRY, "ruby:cmethod__entry(s,s,s,d)" },
			{ LANG_RETURN, "ruby:cmethod__return(s,s,s,d)" },
			{ LANG_GC_BEGIN, "ruby:gc__mark__begin" },
			{ LANG_GC_END, "ruby:gc__sweep__end" },
			{ LANG_ALLOC, "ruby:object__create(s,s,d)" },
			{ LANG_LOAD, "ruby:require__entry(s,s,d)" },
		},
		.ident = { 0, 1, -1 },
		.style = LANG_NAME_RUBY,
		.alloc_size_arg = -1,
		/*
		 * Since Ruby 2.5 method__entry/return fire from "trace" instructions,
		 * which exist only while some TracePoint is enabled (ruby bug #14582).
		 * Enabling one from outside at start-up (RUBYOPT) crashed ruby3.1 in
		 * rb_dtrace_setup() while rubygems loaded, so usdtrace does not: the
		 * application enables it, and C methods (cmethod) fire regardless.
		 */
		.quirk = "Ruby >= 2.5 fires method__entry/return for Ruby methods only while "
			 "a TracePoint is enabled in the process, e.g. "
			 "TracePoint.new(:call, :return) {}.enable; C methods always fire",
	},
	{
		.lang = "php",
		.runtime = "php8.2",
		.probes = {
			{ LANG_ENTRY, "php:function__entry(s,s,d,s,s)" },
			{ LANG_RETURN, "php:function__return(s,s,d,s,s)" },
			{ LANG_LOAD, "php:compile__file__entry(s,s)" },
		},
		.ident = { 3, 0, -1 },
		.style = LANG_NAME_PHP,
		.alloc_size_arg = -1,
		.child_env = "USE_ZEND_DTRACE=1",
		.needs = "USE_ZEND_DTRACE=1",
	},
};

const struct lang_adapter *lang_adapter__find(const char *lang)
{
	size_t i;

	for (i = 0; i < sizeof(adapters) / sizeof(adapters[0]); i++) {
		if (!strcmp(adapters[i].lang, lang))
			return &adapters[i];
	}
	return NULL;
}

const char *lang_adapter__names(void)
{
	return "python, java, ruby, php";
}

int lang_adapter__select(const struct lang_adapter *a, unsigned int mask,
			 const struct lang_probe **out, int max)
{
	int i, n = 0;

	for (i = 0; i < LANG_MAX_PROBES && a->probes[i].text; i++) {
		if ((mask & (1u << a->probes[i].event)) && n < max)
			out[n++] = &a->probes[i];
	}
	return n;
}

void lang_method_name(const struct lang_adapter *a, const char *const parts[3], char *buf,
		      size_t size)
{
	const char *p0 = parts[0] ? parts[0] : "", *p1 = parts[1] ? parts[1] : "";
	size_t i, n;

	switch (a->style) {
	case LANG_NAME_FILE_FUNC:
		snprintf(buf, size, "%s:%s", p0, p1);
		break;
	case LANG_NAME_JAVA:
		n = (size_t)snprintf(buf, size, "%s.%s", p0, p1);
		/* java/lang/String -> java.lang.String, in the class part only */
		for (i = 0; i < strlen(p0) && i < size && i < n; i++) {
			if (buf[i] == '/')
				buf[i] = '.';
		}
		break;
	case LANG_NAME_RUBY:
		snprintf(buf, size, "%s#%s", p0, p1);
		break;
	case LANG_NAME_PHP:
		if (*p0)
			snprintf(buf, size, "%s::%s", p0, p1);
		else
			snprintf(buf, size, "%s", p1);
		break;
	}
}

bool lang_adapter__flag_present(const struct lang_adapter *a, const char *cmdline,
				size_t len)
{
	size_t n, i;

	if (!a->needs)
		return true;
	n = strlen(a->needs);
	/* NUL-separated argv or environ: search across the separators */
	for (i = 0; i + n <= len; i++) {
		if (!memcmp(cmdline + i, a->needs, n))
			return true;
	}
	return false;
}
