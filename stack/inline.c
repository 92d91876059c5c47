// SPDX-License-Identifier: MIT
/*
 * inline.c - the calls inlined at an address (inline.h): the DWARF scopes
 * containing it, innermost first, up to the function they were inlined
 * into (addr2line -i walks them the same way); each
 * DW_TAG_inlined_subroutine names its function (through its abstract
 * origin) and the file and line of its call.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>

#include "inline.h"

static const char *attr_string(Dwarf_Die *die, unsigned int name)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, name, &attr) ? dwarf_formstring(&attr) : NULL;
}

/* The linkage name (a C++ function's demangles whole), else the plain one. */
static const char *scope_name(Dwarf_Die *die)
{
	const char *name = attr_string(die, DW_AT_linkage_name);

	if (!name)
		name = attr_string(die, DW_AT_MIPS_linkage_name);
	return name ? name : attr_string(die, DW_AT_name);
}

static const char *call_file(Dwarf_Die *cu, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Files *files;
	Dwarf_Word idx;
	size_t nr;

	if (!dwarf_attr(die, DW_AT_call_file, &attr) || dwarf_formudata(&attr, &idx))
		return NULL;
	if (dwarf_getsrcfiles(cu, &files, &nr) || idx >= nr)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static int call_line(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	Dwarf_Word line;

	if (!dwarf_attr(die, DW_AT_call_line, &attr) || dwarf_formudata(&attr, &line))
		return 0;
	return line <= 0x7fffffff ? (int)line : 0;
}

int inline_calls(Dwfl_Module *mod, Dwarf_Addr addr, struct inline_call *out, int max)
{
	Dwarf_Die *cu, *scopes = NULL;
	Dwarf_Addr bias = 0;
	int n, i, k = 0;

	cu = dwfl_module_addrdie(mod, addr, &bias);
	if (!cu)
		return 0;
	/*
	 * The innermost scope at the address, then its parents as the
	 * compiler nested them: dwarf_getscopes() alone would go on from an
	 * inlined call into its function's abstract definition instead.
	 */
	n = dwarf_getscopes(cu, addr - bias, &scopes);
	if (n > 0) {
		Dwarf_Die inner = scopes[0];

		free(scopes);
		scopes = NULL;
		n = dwarf_getscopes_die(&inner, &scopes);
	}
	for (i = 0; i < n && k < max; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram)
			break;		/* the function it was all inlined into */
		if (tag != DW_TAG_inlined_subroutine)
			continue;	/* a lexical block */
		out[k].name = scope_name(&scopes[i]);
		out[k].call_file = call_file(cu, &scopes[i]);
		out[k].call_line = call_line(&scopes[i]);
		k++;
	}
	free(scopes);
	return k;
}
