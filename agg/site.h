/* SPDX-License-Identifier: MIT */
/*
 * site.h - what the results layer knows of a probe site: the label its
 * rows carry, the object and offset a per-site row names, the formats its
 * arguments are shown in. Made by attach/ for each site it attaches (and
 * owned there: the strings live as long as the session); copied into rows
 * by value, so rows outlive the session's table when it grows.
 */
#ifndef USDTRACE_AGG_SITE_H
#define USDTRACE_AGG_SITE_H

#include <linux/types.h>
#include <stdint.h>

#include "../bpf/usdtrace.h"

struct site_info {
	int probe_idx;		/* index into the probes given, -1: the ld.so hook */
	const char *label;	/* "provider:name", "uprobe:sym" */
	const char *object;	/* path of the object, as shown to users */
	uint64_t offset;	/* file offset of the site in the object */
	int nr_args;
	char fmt[UT_MAX_ARGS];	/* per arg: d u x s, or - (hidden) */
};

#endif /* USDTRACE_AGG_SITE_H */
