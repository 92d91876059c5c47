// SPDX-License-Identifier: MIT
/*
 * sampling.c - the glue profile and dump share (sampling.h).
 */
#include <errno.h>
#include <stdio.h>

#include "sampling.h"

int sampling_set_interp(void *ctx, pid_t pid, const struct ut_interp_proc *ip)
{
	struct attach_session **s = ctx;

	return *s ? attach_session__set_interp(*s, pid, ip) : -EAGAIN;
}

void sampling_info__take(struct sampling_info *si, struct event_writer *w,
			 const struct profile *p)
{
	si->lost_frames = p->lost[PROF_LOST_FRAMES];
	si->lost_late = p->lost[PROF_LOST_LATE];
	si->lost_stack = p->lost[PROF_LOST_STACK];
	si->native_only = p->native_only;
	si->cut = p->cut;
	si->jit_moved = p->jit_moved;
	w->events = p->samples;
}
