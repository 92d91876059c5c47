// SPDX-License-Identifier: MIT
/*
 * test_symindex.c - the symbol index of big objects (stack/symcache.c)
 * against libdwfl's own walk of the symbol table, on the objects it is
 * for: libjvm.so (58,000 symbols, C++), libc and libruby (whose frames
 * profile merges at rb_vm_exec: a name changed there breaks it). Every sampled address
 * of a sized function (its start, middle and last byte) must get the same
 * name and offset both ways.
 */
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>

#include "../../stack/symcache.h"
#include "test.h"

#define EVERY	37	/* every 37th function symbol sampled (libdwfl's walk is slow)... */
#define SAMPLED	1500	/* ... or more, to sample this many of a smaller object */

static const Dwfl_Callbacks cbs = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

static void compare(struct test_stats *st, const char *path)
{
	struct symcache *ix = NULL, *walk = NULL;
	int n, i, sampled = 0, differ = 0, k;
	char first[512] = "";
	Dwfl_Module *mod;
	Dwarf_Addr start;
	Dwfl *dwfl;

	dwfl = dwfl_begin(&cbs);
	mod = dwfl ? dwfl_report_offline(dwfl, path, path, -1) : NULL;
	dwfl_report_end(dwfl, NULL, NULL);
	if (!mod || symcache__new(NULL, NULL, &ix) || symcache__new(NULL, NULL, &walk)) {
		CHECK(st, false, "symbol index: the object read", "%s", path);
		goto out;
	}
	symcache__use_index(walk, false);
	dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	n = dwfl_module_getsymtab(mod);
	for (i = 1; i < n; i += n / SAMPLED + 1 < EVERY ? n / SAMPLED + 1 : EVERY) {
		GElf_Addr addr;
		GElf_Sym sym;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);

		if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_size ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		for (k = 0; k < 3; k++) {
			GElf_Addr look = addr + (k == 0 ? 0 : k == 1 ? sym.st_size / 2 : sym.st_size - 1);
			const struct sym_memo *a = symcache__get(ix, mod, path, look - start, look);
			const struct sym_memo *b = symcache__get(walk, mod, path, look - start, look);

			sampled++;
			if (a && b && (a->sym == b->sym || (a->sym && b->sym &&
							    !strcmp(a->sym, b->sym))) &&
			    a->sym_off == b->sym_off)
				continue;
			if (!differ++)
				snprintf(first, sizeof(first), "%#lx: index %s+%lu, libdwfl %s+%lu",
					 (unsigned long)look, a && a->sym ? a->sym : "-",
					 a ? (unsigned long)a->sym_off : 0UL,
					 b && b->sym ? b->sym : "-", b ? (unsigned long)b->sym_off : 0UL);
		}
	}
	CHECK(st, sampled > 300 && !differ, path, "%d of %d addresses differ; first %s", differ,
	      sampled, first);
out:
	symcache__free(ix);
	symcache__free(walk);
	dwfl_end(dwfl);
}

int main(void)
{
	struct test_stats st = {};

	compare(&st, "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so");
	compare(&st, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	compare(&st, "/usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1");
	return st.failed ? 1 : 0;
}
