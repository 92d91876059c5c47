/* SPDX-License-Identifier: MIT */
/*
 * rpc.h - `calls -l libvirt`'s rows (agg/rpc.h) as text and JSON Lines:
 * per end and procedure, calls, errors and their latency.
 */
#ifndef USDTRACE_WRITER_RPC_H
#define USDTRACE_WRITER_RPC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../agg/rpc.h"

void rpc_rows__header(FILE *out);
void rpc_row__write_text(FILE *out, const struct rpc_row *r, const char *proc);
void rpc_row__write_json(FILE *out, const char *lang, const struct rpc_row *r, const char *proc,
			 uint64_t now, bool final);

#endif /* USDTRACE_WRITER_RPC_H */
