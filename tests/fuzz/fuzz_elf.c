// SPDX-License-Identifier: MIT
/*
 * fuzz_elf.c - libFuzzer target for the ELF layer (sdt/elf.c): any bytes as
 * a file (a memfd), opened as usdtrace opens what a user names: an
 * executable, a relocatable object (its note relocations applied), an
 * archive (its members listed, each opened). What opens is consistent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../sdt/sdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_file(const char *path)
{
	struct sdt_file *f;
	size_t i;

	if (sdt_file__open(path, NULL, NULL, &f))
		return;
	for (i = 0; i < f->nr_probes; i++) {
		if (!f->probes[i].provider || !f->probes[i].name || !f->probes[i].args_text)
			abort();
	}
	sdt_file__free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], member[300];
	char **names;
	size_t nr, i;
	int fd = memfd_create("fuzz_elf", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	check_file(path);
	if (!sdt_archive__members(path, &names, &nr)) {
		for (i = 0; i < nr && i < 8; i++) {
			snprintf(member, sizeof(member), "%s(%s)", path, names[i]);
			check_file(member);
		}
		for (i = 0; i < nr; i++)
			free(names[i]);
		free(names);
	}
	close(fd);
	return 0;
}
