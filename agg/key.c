// SPDX-License-Identifier: MIT
/*
 * key.c - a kernel key's parts decoded by its layout (key.h).
 */
#include <stdio.h>
#include <string.h>

#include "key.h"

_Static_assert(sizeof(struct ut_key_head) == UT_KEY_HEAD, "the key head is UT_KEY_HEAD bytes");
_Static_assert(UT_MAX_KEYS <= 8, "fault and cut flags are a byte each");

uint32_t key__site(const uint8_t *key)
{
	struct ut_key_head h;

	memcpy(&h, key, sizeof(h));
	return h.site_id;
}

const char *key_part__name(const struct ut_key_part *pt, char *buf, size_t size)
{
	switch (pt->kind) {
	case UT_KEY_PID:
		return "pid";
	case UT_KEY_TID:
		return "tid";
	case UT_KEY_COMM:
		return "comm";
	case UT_KEY_USTACK:
		return "stack";
	default:
		snprintf(buf, size, "arg%d", pt->arg);
		return buf;
	}
}

void key_part__value(const struct key_layout *l, const struct site_info *si,
		     const uint8_t *key, int k, struct key_val *v)
{
	const struct ut_key_part *pt = &l->parts[k];
	const uint8_t *p = key + pt->off;
	struct ut_key_head h;
	uint32_t n32;
	char f;

	memcpy(&h, key, sizeof(h));
	memset(v, 0, sizeof(*v));
	if (h.faults & (1u << k))
		return;		/* KEY_VAL_NULL */
	switch (pt->kind) {
	case UT_KEY_PID:
	case UT_KEY_TID:
	case UT_KEY_USTACK:
		memcpy(&n32, p, sizeof(n32));
		v->kind = KEY_VAL_UNSIGNED;
		v->num = n32;
		return;
	case UT_KEY_ARG:
		memcpy(&v->num, p, sizeof(v->num));
		f = pt->arg < si->nr_args ? si->fmt[pt->arg] : 'u';
		v->kind = f == 'x' ? KEY_VAL_HEX : f == 'd' ? KEY_VAL_SIGNED : KEY_VAL_UNSIGNED;
		return;
	default:	/* comm, strings: NUL-padded in their room */
		v->kind = KEY_VAL_STR;
		v->str = (const char *)p;
		v->len = strnlen(v->str, pt->size);
		v->cut = h.cuts & (1u << k);
	}
}
