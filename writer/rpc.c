// SPDX-License-Identifier: MIT
/*
 * rpc.c - RPC rows written (rpc.h).
 */
#include <inttypes.h>

#include "json.h"
#include "rpc.h"

static const char *end_name(const struct rpc_row *r)
{
	return r->end == RPC_CLIENT ? "client" : r->end == RPC_SERVER ? "server" : "qemu";
}

static uint64_t p99(const struct rpc_row *r)
{
	return hist_percentile(&r->h, 0.99, r->min_ns, r->max_ns);
}

void rpc_rows__header(FILE *out)
{
	fprintf(out, "%10s %8s %12s %10s %10s %10s  %-6s  %s\n", "CALLS", "ERRORS", "TOTAL_MS",
		"MEAN_MS", "MAX_MS", "P99_MS", "END", "PROCEDURE");
}

void rpc_row__write_text(FILE *out, const struct rpc_row *r, const char *proc)
{
	fprintf(out, "%10" PRIu64 " %8" PRIu64 " %12.3f %10.3f %10.3f %10.3f  %-6s  %s\n",
		r->calls, r->errors, (double)r->sum_ns / 1e6,
		(double)(r->calls ? r->sum_ns / r->calls : 0) / 1e6, (double)r->max_ns / 1e6,
		(double)p99(r) / 1e6, end_name(r), proc);
}

void rpc_row__write_json(FILE *out, const char *lang, const struct rpc_row *r, const char *proc,
			 uint64_t now, bool final)
{
	fprintf(out, "{\"type\":\"rpc\",\"lang\":\"%s\",\"end\":\"%s\",\"program\":%" PRIu32
		",\"proc\":%" PRIu32 ",\"procedure\":", lang, end_name(r), r->prog, r->proc);
	json_write_str(out, proc);
	fprintf(out, ",\"calls\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"total_ns\":%" PRIu64
		",\"mean_ns\":%" PRIu64 ",\"min_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64
		",\"p99_ns\":%" PRIu64, r->calls, r->errors, r->sum_ns,
		r->calls ? r->sum_ns / r->calls : 0, r->min_ns, r->max_ns, p99(r));
	if (!final)
		fprintf(out, ",\"interval\":true,\"ts\":%" PRIu64, now);
	fputs("}\n", out);
}
