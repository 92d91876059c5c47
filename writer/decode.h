/* SPDX-License-Identifier: MIT */
/*
 * decode.h - read the parts of a ring-buffer event (struct ut_event) that
 * are not plain fields: the string slots that follow args[], and the
 * command name as a C string. Shared by every formatter (text, JSON,
 * timeline) and the runtime adapters' method names; it formats nothing.
 */
#ifndef USDTRACE_DECODE_H
#define USDTRACE_DECODE_H

#include <stddef.h>

#include "../agg/site.h"

/*
 * The string of argument @arg of an event (FMT s or S), with its length;
 * NULL when that argument is not a string. Points into @ev.
 */
const char *event_str_arg(const struct ut_event *ev, const struct site_info *site, int arg,
			  size_t *len);

/*
 * The stack that follows @ev's string slots (--stack), and its length in
 * *@len; NULL when it has none. The session checked the record holds it.
 */
const struct ut_stack *event_stack(const struct ut_event *ev, size_t *len);

/* @ev's comm, NUL-terminated, into @buf of UT_COMM_LEN + 1 bytes. */
void event_comm(const struct ut_event *ev, char *buf);

#endif /* USDTRACE_DECODE_H */
