/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * event.bpf.h - one hit as a struct ut_event with its string slots, built
 * into a buffer the caller owns (trace's per-CPU scratch, latency's record
 * of an open BEGIN). No value is shown that was not read: an argument
 * whose memory faulted is flagged in ev->faulted, a string cut at the slot
 * size in ev->truncated.
 */
#ifndef USDTRACE_EVENT_BPF_H
#define USDTRACE_EVENT_BPF_H

#include "common.bpf.h"

/* Bytes of string slots an event may carry after its struct. */
#define EV_STRS_MAX	(UT_MAX_ARGS * UT_STR_MAX)

/*
 * Fill @ev (the hit of site @site, at @now) and the string slots at @strs,
 * @room bytes of them (a constant the verifier knows); returns the event's
 * size, struct and slots. @comm: also the command name (a kept BEGIN needs
 * none: its END's is shown).
 */
static __always_inline __u64 event_build_comm(struct pt_regs *ctx,
					      const struct ut_site_spec *spec, __u32 site,
					      __u64 now, struct ut_event *ev, char *strs,
					      __u32 room, bool sleepable, bool comm)
{
	__u64 id = bpf_get_current_pid_tgid(), off;
	__u16 nstr = 0;
	bool fault;
	int i;

	ev->ts = now;
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->site_id = site;
	ev->kind = UT_EV_PROBE;
	ev->str_len = cfg.str_len;
	ev->faulted = 0;
	ev->truncated = 0;
	ev->stack_len = 0;
	ev->pad = 0;
	if (comm)
		bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	else
		ev->comm[0] = '\0';

	for (i = 0; i < UT_MAX_ARGS; i++) {
		if (i >= spec->nr_args)
			break;
		ev->args[i] = fetch_arg(ctx, &spec->args[i], &fault);
		if (fault)
			ev->faulted |= 1 << i;
		if (spec->args[i].flags & UT_ARG_STR)
			nstr = spec->args[i].slot + 1;
	}
	/*
	 * Strings second: a string's length may be a later argument. Each
	 * string's slot comes from its spec, so no count runs through the
	 * loop and the verifier can prune its iterations.
	 */
	for (i = 0; i < UT_MAX_ARGS; i++) {
		const struct ut_arg_spec *a = &spec->args[i];
		enum str_read r;

		if (i >= spec->nr_args)
			break;
		if (!(a->flags & UT_ARG_STR))
			continue;
		off = (__u64)a->slot * cfg.str_len;
		if (off + cfg.str_len > room || cfg.str_len > UT_STR_MAX)
			break;
		if (ev->faulted & (1 << i)) {
			strs[off] = '\0';	/* no pointer to read */
			continue;
		}
		r = fetch_str(strs + off, a, ev->args[i], ev->args, sleepable);
		if (r == STR_FAULT)
			ev->faulted |= 1 << i;
		else if (r == STR_CUT)
			ev->truncated |= 1 << i;
	}
	ev->nr_strs = nstr;
	return sizeof(*ev) + (__u64)nstr * cfg.str_len;
}

static __always_inline __u64 event_build(struct pt_regs *ctx, const struct ut_site_spec *spec,
					 __u32 site, __u64 now, struct ut_event *ev, char *strs,
					 __u32 room, bool sleepable)
{
	return event_build_comm(ctx, spec, site, now, ev, strs, room, sleepable, true);
}

#endif /* USDTRACE_EVENT_BPF_H */
