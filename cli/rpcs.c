// SPDX-License-Identifier: MIT
/*
 * rpcs.c - `usdtrace calls -l libvirt`: every RPC message of the traced
 * processes (clients and daemons alike: the probes are in libvirt.so.0)
 * streamed as it is queued or received, each call paired here with its
 * reply by (process, connection, program, serial) whatever the thread
 * that reads it (agg/rpc.h), one row per end and procedure, procedures
 * named from the daemon's own dispatch tables (lang-adapters/rpc_names.h).
 * QEMU monitor commands (QMP) are paired with their replies the same way,
 * one at a time per monitor, a row per command (lang-adapters/qmp.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agg/rpc.h"
#include "../lang-adapters/qmp.h"
#include "../lang-adapters/rpc_names.h"
#include "../util/vec.h"
#include "../writer/decode.h"
#include "../writer/rpc.h"
#include "lang_cmd.h"
#include "report.h"
#include "rpcs.h"

#define RPC_EVENTS	((1u << LANG_RPC_CALL_OUT) | (1u << LANG_RPC_REPLY_IN) | \
			 (1u << LANG_RPC_CALL_IN) | (1u << LANG_RPC_REPLY_OUT) | \
			 (1u << LANG_MON_SEND) | (1u << LANG_MON_REPLY))
#define MON_STR_LEN	256	/* bytes of a monitor message read: its command comes first */

struct rpcs_state {
	struct lang_cmd lc;		/* first: the runner hooks get this pointer */
	struct event_writer *w;
	long top;
	struct rpc_table rows;
	struct rpc_names names;
	char **commands;		/* monitor commands seen: a row's proc indexes them */
	size_t nr_commands, cap_commands;
	int err;
};

/* The index of monitor command @name (added when new), or -1 out of memory. */
static long command_index(struct rpcs_state *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nr_commands; i++) {
		if (!strcmp(rs->commands[i], name))
			return (long)i;
	}
	if (VEC_RESERVE(rs->commands, rs->cap_commands, rs->nr_commands + 1))
		return -1;
	rs->commands[rs->nr_commands] = strdup(name);
	return rs->commands[rs->nr_commands] ? (long)rs->nr_commands++ : -1;
}

/* A QEMU monitor command or reply: paired one at a time per monitor. */
static void on_monitor(struct rpcs_state *rs, const struct ut_event *ev,
		       const struct site_info *site, bool reply)
{
	struct rpc_msg m = { .end = RPC_MONITOR, .reply = reply, .pid = ev->pid,
			     .obj = ev->args[0], .ts = ev->ts };
	struct qmp_top q = {};
	const char *text = NULL;
	size_t len = 0;
	long idx;

	if (!(ev->faulted & 2))
		text = event_str_arg(ev, site, 1, &len);
	if (text)
		qmp_scan(text, len, &q);
	if (reply) {
		m.error = q.has_error;
	} else {
		idx = command_index(rs, q.execute[0] ? q.execute : "(unreadable)");
		if (idx < 0) {
			rs->err = -ENOMEM;
			return;
		}
		m.proc = (uint32_t)idx;
	}
	if (rpc_table__msg(&rs->rows, &m))
		rs->err = -ENOMEM;
}

/* An RPC message: a call or a reply, on its end, into the table. */
static void on_event(void *ctx, const struct ut_event *ev, const struct site_info *site)
{
	struct rpcs_state *rs = ctx;
	const struct lang_rpc *rpc = rs->lc.a->rpc;
	enum lang_event what;
	struct rpc_msg m;
	uint64_t type;

	if (ev->kind != UT_EV_PROBE || !site || site->probe_idx < 0 ||
	    site->probe_idx >= rs->lc.nr_sel)
		return;
	what = rs->lc.sel[site->probe_idx]->event;
	if (what == LANG_MON_SEND || what == LANG_MON_REPLY) {
		on_monitor(rs, ev, site, what == LANG_MON_REPLY);
		return;
	}
	type = ev->args[rpc->type_arg];
	m = (struct rpc_msg){
		.end = what == LANG_RPC_CALL_OUT || what == LANG_RPC_REPLY_IN ? RPC_CLIENT :
		       RPC_SERVER,
		.reply = what == LANG_RPC_REPLY_IN || what == LANG_RPC_REPLY_OUT,
		.pid = ev->pid, .obj = ev->args[rpc->obj_arg],
		.prog = (uint32_t)ev->args[rpc->prog_arg], .proc = (uint32_t)ev->args[rpc->proc_arg],
		.serial = (uint32_t)ev->args[rpc->serial_arg],
		.error = ev->args[rpc->status_arg] == rpc->status_error, .ts = ev->ts,
	};
	/* events (type 2) and streams (3) pass the same probes: calls and replies only */
	if (type != (m.reply ? rpc->type_reply : rpc->type_call))
		return;
	if (rpc_table__msg(&rs->rows, &m))
		rs->err = -ENOMEM;
}

static void on_tick(void *ctx, struct attach_session *s, uint64_t now, bool final)
{
	struct rpcs_state *rs = ctx;
	struct rpc_row **v = rpc_table__sorted(&rs->rows);
	size_t i, n = rs->rows.nr;
	uint64_t total = 0;
	char buf[64];

	(void)s;
	if (!v || rs->err) {
		usdtrace_err("calls: %s", strerror(ENOMEM));
		free(v);
		return;
	}
	if (rs->top > 0 && (size_t)rs->top < n)
		n = (size_t)rs->top;
	if (!rs->w->json) {
		if (!final)
			event_writer__interval(rs->w, now);
		rpc_rows__header(rs->w->out);
	}
	for (i = 0; i < rs->rows.nr; i++) {
		const char *proc = v[i]->end == RPC_MONITOR && v[i]->proc < rs->nr_commands ?
				   rs->commands[v[i]->proc] :
				   rpc_names__get(&rs->names, v[i]->prog, v[i]->proc, buf,
						  sizeof(buf));

		total += v[i]->calls;
		if (i >= n)
			continue;
		if (rs->w->json)
			rpc_row__write_json(rs->w->out, rs->lc.a->lang, v[i], proc, now, final);
		else
			rpc_row__write_text(rs->w->out, v[i], proc);
	}
	fflush(rs->w->out);
	free(v);
	if (!final)
		return;
	rs->w->events = total;
	if (rpc_table__waiting(&rs->rows) || rs->rows.unanswered)
		fprintf(stderr, "usdtrace: %s: %zu call%s without a reply when the run ended, "
			"%" PRIu64 " never answered\n", rs->lc.a->lang,
			rpc_table__waiting(&rs->rows),
			rpc_table__waiting(&rs->rows) == 1 ? "" : "s", rs->rows.unanswered);
}

/* The procedures' names from the first daemon of the adapter's there; said once if none. */
static void load_names(struct rpcs_state *rs)
{
	const struct lang_rpc *rpc = rs->lc.a->rpc;
	size_t i;

	if (rpc_names__init(&rs->names, rpc->progs, rpc->nr_progs, rpc->entry_size,
			    rpc->args_off, rpc->ret_off))
		return;
	for (i = 0; i < sizeof(rpc->daemons) / sizeof(rpc->daemons[0]) && rpc->daemons[i]; i++) {
		if (rpc_names__load(&rs->names, rpc->daemons[i]) > 0)
			return;
	}
	fprintf(stderr, "usdtrace: warning: %s: no daemon (%s) to name the procedures by: "
		"shown by number\n", rs->lc.a->lang, rpc->daemons[0]);
}

int rpcs_run(const char *name, struct cli_opts *o)
{
	struct event_writer w = {};
	struct rpcs_state *rs = calloc(1, sizeof(*rs));
	struct runner_hooks hooks = { .on_tick = on_tick, .on_event = on_event };
	int err, status;

	if (!rs) {
		usdtrace_err("%s: %s", name, strerror(ENOMEM));
		return 1;
	}
	if (o->slow_ns || o->raw || o->no_plan || o->serve || o->self || o->method) {
		usdtrace_err("%s: %s is not for an RPC runtime (-l %s)", name,
			     o->slow_ns ? "--min" : o->raw ? "--raw" : o->no_plan ? "--no-plan" :
			     o->serve ? "--serve" : o->self ? "--self" : "--method", o->lang->lang);
		free(rs);
		return 1;
	}
	rs->w = &w;
	rs->top = o->top;
	hooks.ctx = rs;
	if (!o->strlen_set)
		o->run.str_len = MON_STR_LEN;
	lang_cmd__init(&rs->lc, name, o);
	load_names(rs);
	err = lang_cmd__prepare(&rs->lc, RPC_EVENTS, ATTACH_TRACE);
	status = err ? 1 : lang_cmd__run(&rs->lc, &hooks, &w);
	lang_cmd__free(&rs->lc);
	rpc_table__free(&rs->rows);
	rpc_names__free(&rs->names);
	while (rs->nr_commands)
		free(rs->commands[--rs->nr_commands]);
	free(rs->commands);
	free(rs);
	return status;
}
