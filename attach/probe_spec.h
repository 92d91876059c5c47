/* SPDX-License-Identifier: MIT */
/*
 * probe_spec.h - parse the probes a user names on the command line:
 *
 *   [usdt:][PATH:]PROVIDER:NAME[(FMT,...)]   globs * and ? in PROVIDER, NAME
 *   uprobe:PATH:SYMBOL[+OFFSET][(FMT,...)]   args arg0..arg5
 *   uretprobe:PATH:SYMBOL[(FMT)]             retval
 *
 * FMT per argument: s (user string), S (string whose length is the next
 * argument, as HotSpot passes them), d (signed), u (unsigned), x (hex),
 * - (skip). Any of them may end with a predicate, after a blank or the
 * FMT's ')': 'sample:str(s,d) /arg1 > 3/' (expr/expr.h). Pure code,
 * unit-tested.
 */
#ifndef USDTRACE_PROBE_SPEC_H
#define USDTRACE_PROBE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_MAX_FMT 12

struct expr;

enum probe_type {
	PROBE_USDT,
	PROBE_UPROBE,
	PROBE_URETPROBE,
};

struct probe_spec {
	enum probe_type type;
	const char *text;	/* as the user wrote it (not owned) */
	char *path;		/* NULL when omitted; all strings point into buf */
	char *provider;		/* USDT */
	char *name;		/* USDT */
	char *symbol;		/* uprobes */
	uint64_t sym_off;
	int nr_fmt;		/* 0: default formats */
	char fmt[PROBE_MAX_FMT];
	char *buf;		/* owns every string above */
	struct expr *pred;	/* the predicate, or NULL; owned */
	const char *pred_text;	/* "/.../" within text, or NULL */
	char errbuf[192];	/* a predicate's error, for @why */
};

/*
 * Parse @text into @spec. Returns 0 or -EINVAL with a reason in @why
 * (a static string, or spec->errbuf) for the "usdtrace: PROBE: why" message.
 */
int probe_spec__parse(const char *text, struct probe_spec *spec, const char **why);
void probe_spec__free(struct probe_spec *spec);

/*
 * The probe's name as output shows it: "provider:name" for USDT,
 * "uprobe:symbol" ("+0xOFF" when given) or "uretprobe:symbol".
 */
void probe_spec__label(const struct probe_spec *spec, char *buf, size_t size);

/* "provider:name" matches the spec's globs. */
bool probe_spec__matches(const struct probe_spec *spec, const char *provider,
			 const char *name);

#endif /* USDTRACE_PROBE_SPEC_H */
