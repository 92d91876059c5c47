// SPDX-License-Identifier: MIT
/*
 * decode.c - the string slots and comm of a ring-buffer event (decode.h).
 */
#include <string.h>

#include "decode.h"

const char *event_str_arg(const struct ut_event *ev, const struct site_info *site, int arg,
			  size_t *len)
{
	const char *strs = (const char *)(ev + 1), *s;
	int a, slot = 0;

	for (a = 0; a < site->nr_args && a < arg; a++)
		slot += site->fmt[a] == 's' || site->fmt[a] == 'S';
	if (arg < 0 || arg >= site->nr_args || (site->fmt[arg] != 's' && site->fmt[arg] != 'S') ||
	    slot >= ev->nr_strs)
		return NULL;
	s = strs + (size_t)slot * ev->str_len;
	*len = strnlen(s, ev->str_len);
	return s;
}

void event_comm(const struct ut_event *ev, char *buf)
{
	memcpy(buf, ev->comm, UT_COMM_LEN);
	buf[UT_COMM_LEN] = '\0';
}

const struct ut_stack *event_stack(const struct ut_event *ev, size_t *len)
{
	if (!ev->stack_len)
		return NULL;
	*len = ev->stack_len;
	return (const void *)((const char *)ev + sizeof(*ev) +
			      (size_t)ev->nr_strs * ev->str_len);
}
