// SPDX-License-Identifier: MIT
/*
 * java.c - the HotSpot (OpenJDK 17) adapter: probes in libjvm.so, which the
 * java launcher dlopen()s, so they are attached when it is mapped.
 *
 * method__entry/return(tid, class, class_len, method, method_len, sig,
 * sig_len) and object__alloc(tid, class, class_len, size) fire only with
 * -XX:+ExtendedDTraceProbes; names are pointer + length (FMT S).
 * gc__begin(full)/gc__end, thread__start/stop(name, name_len, java_tid,
 * native_tid, daemon), class__loaded(name, name_len, loader, shared).
 */
#include "lang.h"

const struct lang_adapter lang_java = {
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
	.quirk = "HotSpot fires its method and allocation probes only when started with "
		 "-XX:+ExtendedDTraceProbes",
	.gap_probes = { "hotspot:method__entry", "hotspot:method__return" },
	.system_binary = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
};
