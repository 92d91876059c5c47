/* SPDX-License-Identifier: MIT */
/*
 * key.h - how a key the kernel built is read: the layout of its parts
 * (made from --by by attach/key_layout.c, the contract with bpf/keys.bpf.h)
 * and each part decoded to a value. Pure: no I/O; writer/keys.c prints the
 * values.
 */
#ifndef USDTRACE_AGG_KEY_H
#define USDTRACE_AGG_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <stdint.h>

#include "../bpf/usdtrace.h"
#include "site.h"

/* Where each --by part sits in a key (after its struct ut_key_head). */
struct key_layout {
	bool site;			/* a row per site, not per probe */
	int nr;
	struct ut_key_part parts[UT_MAX_KEYS];
	uint16_t key_size;		/* bytes, the head included */
};

enum key_val_kind {
	KEY_VAL_NULL,		/* could not be read */
	KEY_VAL_UNSIGNED,
	KEY_VAL_SIGNED,
	KEY_VAL_HEX,
	KEY_VAL_STR,		/* comm, a string argument */
};

/* One part of one key, decoded; @str points into the key. */
struct key_val {
	enum key_val_kind kind;
	uint64_t num;
	const char *str;
	size_t len;
	bool cut;		/* a string cut at the key's room */
};

/* Part @k of @key (of a hit at site @si: its FMT says how a number reads). */
void key_part__value(const struct key_layout *l, const struct site_info *si,
		     const uint8_t *key, int k, struct key_val *v);
/* The part's name as --by spells it: "pid", "arg1"; in @buf when made there. */
const char *key_part__name(const struct ut_key_part *pt, char *buf, size_t size);
/* The site id in @key's head. */
uint32_t key__site(const uint8_t *key);

#endif /* USDTRACE_AGG_KEY_H */
