/* SPDX-License-Identifier: MIT */
/*
 * key_layout.h - count --by / hist --by KEY,...: the layout of the key the
 * kernel fills (bpf/keys.bpf.h), made from the --by words and the probes'
 * FMTs: fixed-size parts first (numbers 8-aligned), strings last, sharing
 * the room left. The contract between attach/ and BPF; pure, unit-tested.
 */
#ifndef USDTRACE_KEY_LAYOUT_H
#define USDTRACE_KEY_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../agg/key.h"
#include "probe_spec.h"
#include "session.h"

/* Is @list (probe,site,pid,tid,comm,argN) made of known words? */
bool key_layout__valid(const char *list);
/* A key @list names twice: its length, *@word where it is; 0 when none. */
size_t key_layout__repeated(const char *list, const char **word);
/*
 * The layout of @list for @probes; strings (FMT s or S) share the key's
 * bytes, at most @str_len each. 0, or -EINVAL with the reason in @err.
 */
int key_layout__make(const char *list, const struct probe_spec *probes, int nr_probes,
		     uint32_t str_len, struct key_layout *out, char *err, size_t size);

/*
 * count --by stack --stack-mode fp: one more part, the user stack (its id
 * in user_stacks, then the word at sp: struct ut_stack), after the rest.
 * -E2BIG when the layout has no room.
 */
int key_layout__add_stack(struct key_layout *l);
/* The layout @l (which must outlive the session) and --max-keys into @ao. */
void key_layout__apply(const struct key_layout *l, uint32_t max_keys, struct attach_opts *ao);

#endif /* USDTRACE_KEY_LAYOUT_H */
