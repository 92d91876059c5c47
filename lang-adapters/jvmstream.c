// SPDX-License-Identifier: MIT
/*
 * jvmstream.c - what HotSpot writes compressed and the frame reader
 * decodes (jvm.h): a method's line number table, an nmethod's scope
 * descriptors (CompressedStream's UNSIGNED5 ints), and class names as Java
 * writes them. Pure: bytes in, numbers out; unit-tested (test_jvm) and
 * fuzzed (fuzz_jvm).
 */
#include <errno.h>
#include <stdbool.h>

#include "jvm.h"

#define BCI_MAX		65535	/* a method's bytecodes are at most 64 KiB */

/* One UNSIGNED5 int (HotSpot's CompressedStream: base-64 digits, a byte of 192 and up continues). */
static bool unsigned5(const uint8_t *t, size_t len, size_t *i, uint32_t *out)
{
	uint32_t v = 0, shift = 0;
	uint8_t b;

	do {
		if (*i >= len || shift >= 30)
			return false;
		b = t[(*i)++];
		v += (uint32_t)b << shift;
		shift += 6;
	} while (b >= 192);
	*out = v;
	return true;
}

/* ... zigzag signed */
static bool signed5(const uint8_t *t, size_t len, size_t *i, int *out)
{
	uint32_t v;

	if (!unsigned5(t, len, i, &v))
		return false;
	*out = (int)(v >> 1) ^ -(int)(v & 1);
	return true;
}

int jvm_scope_at(const uint8_t *data, size_t len, uint32_t off, uint32_t *sender,
		 uint32_t *method_index, int *bci)
{
	size_t i = off;
	uint32_t b;

	/* ScopeDesc::decode_body: sender offset, method (a metadata index), bci + 1 */
	if (!off || !unsigned5(data, len, &i, sender) || !unsigned5(data, len, &i, method_index) ||
	    !unsigned5(data, len, &i, &b) || (*sender && *sender >= off) || b > BCI_MAX + 1)
		return -EINVAL;	/* a sender is written before its callee: the chain ends */
	*bci = (int)b - 1;
	return 0;
}

int jvm_line_of(const uint8_t *t, size_t len, int bci)
{
	int64_t cur_bci = 0, cur_line = 0, best_bci = 0, best_line = 0;
	int d[2];
	size_t i = 0;

	/* pairs (bci delta, line delta): one byte (5 bits, 3 bits), or 0xFF and
	 * two signed ints; a 0 byte ends it. Not sorted by bci: the exact bci,
	 * else the closest below (Method::line_number_from_bci) */
	while (i < len && t[i]) {
		if (t[i] != 0xFF) {
			d[0] = t[i] >> 3;
			d[1] = t[i] & 7;
			i++;
		} else {
			i++;
			if (!signed5(t, len, &i, &d[0]) || !signed5(t, len, &i, &d[1]))
				return 0;
		}
		cur_bci += d[0];
		cur_line += d[1];
		if (cur_bci < 0 || cur_bci > BCI_MAX || cur_line < 0 || cur_line > INT32_MAX)
			return 0;	/* not a table a method has */
		if (cur_bci == bci)
			return (int)cur_line;
		if (cur_bci < bci && cur_bci >= best_bci) {
			best_bci = cur_bci;
			best_line = cur_line;
		}
	}
	return (int)best_line;
}

void jvm_dotted(char *name)
{
	for (; *name; name++) {
		if (*name == '/')
			*name = '.';
	}
}
