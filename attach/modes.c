// SPDX-License-Identifier: MIT
/*
 * modes.c - the table of attach modes (see mode.h).
 */
#include "mode.h"

static const struct session_mode *const modes[] = {
	[ATTACH_TRACE] = &session_mode_trace,
	[ATTACH_COUNT] = &session_mode_count,
	[ATTACH_LATENCY] = &session_mode_latency,
	[ATTACH_CALLS] = &session_mode_calls,
	[ATTACH_HIST] = &session_mode_hist,
	[ATTACH_PROFILE] = &session_mode_profile,
	[ATTACH_STMTS] = &session_mode_stmts,
};

const struct session_mode *session_mode__get(enum attach_mode mode)
{
	if ((unsigned int)mode >= sizeof(modes) / sizeof(modes[0]))
		return NULL;
	return modes[mode];
}
