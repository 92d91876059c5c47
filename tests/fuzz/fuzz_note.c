// SPDX-License-Identifier: MIT
/*
 * fuzz_note.c - libFuzzer target for the note section walker and decoder.
 *
 * Input: one selector byte (bit 0: ELF class 32/64, bit 1: byte order,
 * bit 2: 8-byte note alignment), then the raw bytes of a .note.stapsdt
 * section. Every note that decodes has its argument string parsed for
 * every machine, so hostile strings reach the arg-spec parser too.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../sdt/sdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int machines[] = { EM_X86_64, EM_386, EM_AARCH64, 243 };

static void on_note(void *ctx, size_t index, const struct sdt_note *note, int err)
{
	struct sdt_arg args[SDT_MAX_ARGS];
	size_t i;
	int bad;

	(void)ctx;
	(void)index;
	if (err)
		return;
	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		sdt_arg_specs__parse(note->args, machines[i], args, &bad);
	/* the strings must be NUL-terminated inside the input */
	if (strlen(note->provider) + strlen(note->name) > SIZE_MAX / 2)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int cls, order;
	size_t align;
	uint8_t *copy;

	if (size < 1)
		return 0;
	cls = data[0] & 1 ? ELFCLASS64 : ELFCLASS32;
	order = data[0] & 2 ? ELFDATA2MSB : ELFDATA2LSB;
	align = data[0] & 4 ? 8 : 4;
	/* an exact-size heap copy makes any over-read visible to ASan */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	sdt_notes_walk(copy, size - 1, align, cls, order, on_note, NULL);
	free(copy);
	return 0;
}
