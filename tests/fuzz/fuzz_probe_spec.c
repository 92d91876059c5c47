// SPDX-License-Identifier: MIT
/*
 * fuzz_probe_spec.c - libFuzzer target for the probe spec parser, which
 * every command line goes through (attach/probe_spec.h): any bytes as a
 * probe; what parses must be consistent (a USDT probe has a provider and a
 * name, a uprobe a symbol, FMT within its bounds), its label must fit and
 * be terminated, and it must match its own provider:name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../attach/probe_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), label[64];
	struct probe_spec ps;
	const char *why = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (probe_spec__parse(text, &ps, &why)) {
		if (!why || !*why)
			abort();	/* every refusal says why */
		free(text);
		return 0;
	}
	if (ps.nr_fmt < 0 || ps.nr_fmt > PROBE_MAX_FMT)
		abort();
	if (ps.type == PROBE_USDT && (!ps.provider || !ps.name || !*ps.provider || !*ps.name))
		abort();
	if (ps.type != PROBE_USDT && (!ps.symbol || !*ps.symbol || !ps.path))
		abort();
	probe_spec__label(&ps, label, sizeof(label));
	if (strnlen(label, sizeof(label)) == sizeof(label))
		abort();
	if (ps.type == PROBE_USDT && !strpbrk(ps.provider, "*?[") && !strpbrk(ps.name, "*?[") &&
	    !probe_spec__matches(&ps, ps.provider, ps.name))
		abort();
	probe_spec__free(&ps);
	free(text);
	return 0;
}
