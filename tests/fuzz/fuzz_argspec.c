// SPDX-License-Identifier: MIT
/*
 * fuzz_argspec.c - libFuzzer target for the argument-spec parser.
 *
 * Input: one selector byte choosing the machine (x86-64, i386, aarch64,
 * riscv), then spec text. The bounded single-spec parser gets the bytes as
 * they are; the whole-string parser gets a NUL-terminated copy.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../sdt/sdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int machines[] = { EM_X86_64, EM_386, EM_AARCH64, 243 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdt_arg args[SDT_MAX_ARGS], one;
	int machine, bad, n, i;
	char *text;

	if (size < 1)
		return 0;
	machine = machines[data[0] % 4];
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	sdt_arg_spec__parse(text, size - 1, machine, &one);
	text[size - 1] = '\0';
	n = sdt_arg_specs__parse(text, machine, args, &bad);
	if (n > SDT_MAX_ARGS)
		abort();
	for (i = 0; i < n; i++) {
		if (args[i].size != 1 && args[i].size != 2 && args[i].size != 4 &&
		    args[i].size != 8)
			abort();
		/* a symbol lies inside the text it was parsed from */
		if (args[i].symbol_len && (args[i].symbol < text ||
					   args[i].symbol + args[i].symbol_len > text + size))
			abort();
	}
	free(text);
	return 0;
}
