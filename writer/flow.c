// SPDX-License-Identifier: MIT
/*
 * flow.c - flow's call and return records (flow.h).
 */
#include <inttypes.h>
#include <string.h>

#include "flow.h"
#include "json.h"
#include "text.h"

void flow_line__write(FILE *out, bool json, uint64_t t0_ns, const struct flow_line *l)
{
	if (json) {
		fprintf(out, "{\"type\":\"%s\",\"ts\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"depth\":%d,\"method\":", l->call ? "call" : "return", l->ts, l->pid,
			l->tid, l->depth);
		json_write_str(out, l->method);
		if (!l->call && l->ns >= 0)
			fprintf(out, ",\"ns\":%" PRId64, l->ns);
		else if (!l->call)
			fputs(",\"entry_seen\":false", out);
		fputs("}\n", out);
		return;
	}
	fprintf(out, "%-12.6f %-7u %-7u %*s%s ", (double)(l->ts - t0_ns) / 1e9, l->pid, l->tid,
		2 * (l->depth < 100 ? l->depth : 100), "", l->call ? "->" : "<-");
	text_write_quoted(out, l->method, strlen(l->method));
	if (!l->call && l->ns >= 0)
		fprintf(out, " %.3f ms", (double)l->ns / 1e6);
	else if (!l->call)
		fputs(" (entry not seen)", out);
	fputc('\n', out);
}
