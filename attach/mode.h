/* SPDX-License-Identifier: MIT */
/*
 * mode.h - one descriptor per attach mode (trace, count, latency, calls,
 * hist):
 * its BPF object (one .bpf.c each, built into a skeleton whose ELF bytes
 * the session loads), the program its sites run, the maps it sizes, and
 * the roles it gives each site. How its results are read are the mode
 * file's own attach_session__* readers (session.h). A new kind of BPF work
 * is one more mode_*.c and one entry in modes.c, not branches elsewhere.
 */
#ifndef USDTRACE_MODE_H
#define USDTRACE_MODE_H

#include <linux/types.h>
#include <stddef.h>

#include "../bpf/usdtrace.h"
#include "../sdt/sdt.h"
#include "session.h"

struct session_mode {
	const char *name;
	/* the compiled BPF object: its skeleton's __elf_bytes() */
	const void *(*elf_bytes)(size_t *size);
	const char *prog;	/* the program the mode's sites run */
	/* its sleepable twin for sites with string arguments, NULL: none */
	const char *prog_str;
	/* size the mode's own maps before load; NULL: as the object declares */
	int (*size_maps)(struct attach_session *s);
	/*
	 * The roles of a site of user probe @i (note @p) in @spec->flags and
	 * friends; NULL: none. -Exxx with the session's errmsg set.
	 */
	int (*site_roles)(struct attach_session *s, int i, const struct sdt_probe *p,
			  struct ut_site_spec *spec);
};

extern const struct session_mode session_mode_trace;
extern const struct session_mode session_mode_count;
extern const struct session_mode session_mode_latency;
extern const struct session_mode session_mode_calls;
extern const struct session_mode session_mode_hist;

/* The descriptor of @mode, NULL for an unknown one. */
const struct session_mode *session_mode__get(enum attach_mode mode);

#endif /* USDTRACE_MODE_H */
