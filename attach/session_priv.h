/* SPDX-License-Identifier: MIT */
/*
 * session_priv.h - the inside of an attach session, shared by session.c
 * (loading, attaching, following objects, events) and session_read.c
 * (reading the kernel's counters, histograms and method tables). Nothing
 * outside attach/ includes it.
 */
#ifndef USDTRACE_SESSION_PRIV_H
#define USDTRACE_SESSION_PRIV_H

#include <time.h>

#include "session.h"
#include "symbols.h"
#include "follow.skel.h"
#include "usdt.skel.h"

/* An object seen in this session, attached or not. */
struct seen_obj {
	char *path;		/* as shown to users */
	char *open_path;	/* what we open and attach to */
	uint64_t dev;
	uint64_t ino;
	struct sdt_file *file;	/* NULL when not ELF or unreadable */
	struct elf_symtab *syms;	/* opened on first need */
};

/* Per user probe: where its path points, and how many sites it got. */
struct probe_state {
	uint64_t dev;		/* of the resolved PATH, 0 if none */
	uint64_t ino;
	char *resolved;		/* PATH resolved (system-wide), or NULL */
	int nr_sites;
};

struct attach_session {
	struct attach_opts opts;
	const struct probe_spec *probes;
	struct probe_state *pstate;
	int nr_probes;
	struct usdt_bpf *skel;
	struct ring_buffer *rb;
	struct site_info *sites;
	struct bpf_link **links;	/* a multi link sits at its first site */
	uint64_t *sem_offsets;
	size_t nr_sites;
	size_t cap_sites;
	uint32_t max_sites;	/* capacity of the site_specs map */
	bool multi;		/* programs loaded for uprobe_multi links */
	struct bpf_link *fork_link;	/* --follow */
	struct bpf_link *probe_link;	/* the uprobe_multi capability probe */
	struct follow_bpf *follow_skel;
	struct seen_obj *objs;
	size_t nr_objs;
	size_t cap_objs;
	struct timespec t0;
	attach_event_fn cb;
	void *cb_ctx;
	int handled;
	int poll_err;
	char errmsg[1024];
};

#endif /* USDTRACE_SESSION_PRIV_H */
