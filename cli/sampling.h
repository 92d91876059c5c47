/* SPDX-License-Identifier: MIT */
/*
 * sampling.h - what the commands that sample threads (profile, dump)
 * share: the sampler's callbacks into the session, and the summary's
 * figures taken from the profile.
 */
#ifndef USDTRACE_CLI_SAMPLING_H
#define USDTRACE_CLI_SAMPLING_H

#include <sys/types.h>

#include "../agg/profile.h"
#include "../attach/session.h"
#include "../writer/events.h"

/*
 * sampler_opts.set_interp, its ctx the command's `struct attach_session *`
 * (NULL until attached: then -EAGAIN, and the sampler asks again later).
 */
int sampling_set_interp(void *ctx, pid_t pid, const struct ut_interp_proc *ip);

/* The summary's samples and losses, by cause, from @p. */
void sampling_info__take(struct sampling_info *si, struct event_writer *w,
			 const struct profile *p);

#endif /* USDTRACE_CLI_SAMPLING_H */
