// SPDX-License-Identifier: MIT
/*
 * messenger.c - how the parts of an attach session report: the error message
 * that goes with a -Exxx return (attach_session__errmsg), warnings and -v
 * notes through the caller's callbacks, and the one way to say the traced
 * process exited in the middle of attaching. Library code never prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "objects.h"
#include "session_priv.h"

int session_err(struct attach_session *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

/* Format a message for the caller's callback @say (NULL: stay quiet). */
static void session_say(struct attach_session *s, attach_warn_fn say, const char *fmt,
			va_list ap)
{
	char msg[1024];

	if (!say)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	say(s->opts.ctx, msg);
}

/* -v: what the session chose, through the info callback. */
void session_info(struct attach_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	session_say(s, s->opts.info, fmt, ap);
	va_end(ap);
}

void session_warn(struct attach_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	session_say(s, s->opts.warn, fmt, ap);
	va_end(ap);
}

double session_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * A traced process that exits in the middle of attaching makes its /proc
 * files vanish: say that, not which file was missing.
 */
bool session_target_exited(const struct attach_session *s)
{
	return s->pid && !pid_alive(s->pid);
}

int session_exited(struct attach_session *s)
{
	return session_err(s, -ESRCH, "PID %d: exited while attaching", (int)s->pid);
}
