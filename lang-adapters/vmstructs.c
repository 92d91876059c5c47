// SPDX-License-Identifier: MIT
/*
 * vmstructs.c - HotSpot's self-description, read from a live JVM (jvm.h).
 *
 * libjvm.so exports gHotSpotVMStructs (every field the serviceability
 * agent reads: type, field, offset or a static's address), gHotSpotVMTypes
 * (each type's size) and gHotSpotVMIntConstants, and beside them the
 * layout of those tables' own entries (gHotSpotVMStructEntryFieldNameOffset,
 * ...ArrayStride): the JVM fills them at start, so they are read from the
 * process, not the file. Each table ends with an entry whose name is NULL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jvm.h"
#include "procmem.h"

#define NAME_MAX_LEN	80	/* the longest type or field name compared */
#define ENTRIES_MAX	8192	/* a table longer than this is not believed */

enum {
	S_STRUCTS, S_TYPES, S_INTS,
	S_ST_TYPE, S_ST_FIELD, S_ST_STATIC, S_ST_OFFSET, S_ST_ADDRESS, S_ST_STRIDE,
	S_TY_NAME, S_TY_SIZE, S_TY_STRIDE,
	S_IN_NAME, S_IN_VALUE, S_IN_STRIDE,
	NR_SYMS,
};

static const char *const sym_names[NR_SYMS] = {
	"gHotSpotVMStructs", "gHotSpotVMTypes", "gHotSpotVMIntConstants",
	"gHotSpotVMStructEntryTypeNameOffset", "gHotSpotVMStructEntryFieldNameOffset",
	"gHotSpotVMStructEntryIsStaticOffset", "gHotSpotVMStructEntryOffsetOffset",
	"gHotSpotVMStructEntryAddressOffset", "gHotSpotVMStructEntryArrayStride",
	"gHotSpotVMTypeEntryTypeNameOffset", "gHotSpotVMTypeEntrySizeOffset",
	"gHotSpotVMTypeEntryArrayStride",
	"gHotSpotVMIntConstantEntryNameOffset", "gHotSpotVMIntConstantEntryValueOffset",
	"gHotSpotVMIntConstantEntryArrayStride",
};

/* A NUL-terminated name of the process at @addr, cut at @len - 1 bytes. */
static int read_name(pid_t pid, uint64_t addr, char *buf, size_t len)
{
	size_t n = proc_read_upto(pid, addr, buf, len - 1, 8);

	if (!n)
		return -EFAULT;
	buf[n] = '\0';
	return 0;
}

static int read_u64(pid_t pid, uint64_t addr, uint64_t *v)
{
	return proc_read(pid, addr, v, sizeof(*v));
}

/* The wants naming @type and @field (NULL: a type's size, "": a constant) filled with @value. */
static void match(struct vm_want *w, size_t n, const char *type, const char *field,
		  uint64_t value, bool is_static)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (w[i].found || strcmp(w[i].type, type))
			continue;
		if (field ? !w[i].field || strcmp(w[i].field, field) : w[i].field != NULL)
			continue;
		if (w[i].addr && is_static)
			*w[i].addr = value;
		else if (w[i].off && !is_static && value <= UINT32_MAX)
			*w[i].off = (uint32_t)value;
		else
			continue;
		w[i].found = true;
	}
}

struct table {
	int kind;		/* S_STRUCTS, S_TYPES, S_INTS */
	uint64_t base, stride;
	uint64_t name_off;	/* the type's (a constant's) name */
	uint64_t field_off;	/* structs: the field's name */
	uint64_t static_off;	/* structs: isStatic (int32) */
	uint64_t value_off;	/* structs: offset; types: size; constants: value */
	uint64_t address_off;	/* structs: a static's address */
};

/* One structs entry at @e matched: a field's offset, or a static's address. */
static void struct_entry(pid_t pid, const struct table *t, uint64_t e, const char *type,
			 struct vm_want *w, size_t n)
{
	char field[NAME_MAX_LEN];
	int32_t is_static;
	uint64_t p, value;

	if (read_u64(pid, e + t->field_off, &p) || !p ||
	    read_name(pid, p, field, sizeof(field)) ||
	    proc_read(pid, e + t->static_off, &is_static, sizeof(is_static)) ||
	    read_u64(pid, e + (is_static ? t->address_off : t->value_off), &value))
		return;
	match(w, n, type, field, value, is_static != 0);
}

static int walk(pid_t pid, const struct table *t, struct vm_want *w, size_t n)
{
	char type[NAME_MAX_LEN];
	uint64_t i, e, p, value;
	int32_t ival;

	if (!t->base || !t->stride || t->stride > 256)
		return -EINVAL;
	for (i = 0; i < ENTRIES_MAX; i++) {
		e = t->base + i * t->stride;
		if (read_u64(pid, e + t->name_off, &p))
			return -EFAULT;
		if (!p)
			return 0;
		if (read_name(pid, p, type, sizeof(type)))
			continue;
		if (t->kind == S_STRUCTS) {
			struct_entry(pid, t, e, type, w, n);
		} else if (t->kind == S_TYPES) {
			if (!read_u64(pid, e + t->value_off, &value))
				match(w, n, type, NULL, value, false);
		} else if (!proc_read(pid, e + t->value_off, &ival, sizeof(ival))) {
			match(w, n, type, "", (uint64_t)(uint32_t)ival, false);
		}
	}
	return -E2BIG;
}

int vmstructs_read(pid_t pid, const char *path, uint64_t base, struct vm_want *w, size_t n,
		   const char **missing)
{
	struct elf_want syms[NR_SYMS];
	uint64_t v[NR_SYMS];
	struct elf_facts facts;
	struct table tabs[3];
	size_t i;
	int err;

	*missing = NULL;
	memset(syms, 0, sizeof(syms));
	for (i = 0; i < NR_SYMS; i++)
		syms[i].name = sym_names[i];
	err = elf_lookup(path, base, syms, NR_SYMS, &facts);
	if (err)
		return err;
	for (i = 0; i < NR_SYMS; i++) {
		err = read_u64(pid, syms[i].addr, &v[i]);
		if (err)
			return err;
	}
	tabs[0] = (struct table){ S_STRUCTS, v[S_STRUCTS], v[S_ST_STRIDE], v[S_ST_TYPE],
				  v[S_ST_FIELD], v[S_ST_STATIC], v[S_ST_OFFSET],
				  v[S_ST_ADDRESS] };
	tabs[1] = (struct table){ S_TYPES, v[S_TYPES], v[S_TY_STRIDE], v[S_TY_NAME], 0, 0,
				  v[S_TY_SIZE], 0 };
	tabs[2] = (struct table){ S_INTS, v[S_INTS], v[S_IN_STRIDE], v[S_IN_NAME], 0, 0,
				  v[S_IN_VALUE], 0 };
	for (i = 0; i < 3; i++) {
		err = walk(pid, &tabs[i], w, n);
		if (err)
			return err;
	}
	for (i = 0; i < n; i++) {
		if (!w[i].found) {
			*missing = w[i].field && *w[i].field ? w[i].field : w[i].type;
			return -ENOENT;
		}
	}
	return 0;
}
