// SPDX-License-Identifier: MIT
/*
 * test_rpc.c - `calls -l libvirt`'s pure parts: calls paired with replies
 * by (process, connection, program, serial) against a plain model of the
 * same, through thousands of open calls, replies out of order, serials
 * reused, replies to nothing (agg/rpc.c); procedure names from a daemon's
 * dispatch-array relocations (lang-adapters/rpc_names.c).
 */
#include <stdlib.h>
#include <string.h>

#include "../../agg/rpc.h"
#include "../../lang-adapters/qmp.h"
#include "../../lang-adapters/rpc_names.h"
#include "test.h"

#define N	5000

static void test_pairs(struct test_stats *st)
{
	static uint64_t sent[N];	/* the model: when call i went out, 0: answered */
	struct rpc_table t = {};
	uint64_t want_sum = 0, want_calls = 0, ts = 1000;
	uint32_t i, k, order[N];
	struct rpc_row **v;
	int err = 0;

	/* every call out first, then the replies in a shuffled order */
	for (i = 0; i < N; i++) {
		struct rpc_msg m = { .end = RPC_CLIENT, .pid = 7, .obj = 0x1000 + (i % 3) * 64,
				     .prog = 0x20008086, .proc = 1 + i % 4, .serial = i / 3,
				     .ts = ts += 10 };

		sent[i] = m.ts;
		err |= rpc_table__msg(&t, &m);
		order[i] = i;
	}
	srand(42);
	for (i = N - 1; i > 0; i--) {
		k = (uint32_t)rand() % (i + 1);
		uint32_t x = order[i];

		order[i] = order[k];
		order[k] = x;
	}
	CHECK(st, !err && rpc_table__waiting(&t) == N, "rpc: every call waits for its reply",
	      "%zu", rpc_table__waiting(&t));
	for (k = 0; k < N; k++) {
		i = order[k];
		struct rpc_msg m = { .end = RPC_CLIENT, .reply = true, .pid = 7,
				     .obj = 0x1000 + (i % 3) * 64, .prog = 0x20008086,
				     .proc = 1 + i % 4, .serial = i / 3, .error = i % 5 == 0,
				     .ts = ts += 10 };

		err |= rpc_table__msg(&t, &m);
		want_sum += m.ts - sent[i];
		want_calls++;
	}
	v = rpc_table__sorted(&t);
	uint64_t got_sum = 0, got_calls = 0, errors = 0;

	for (i = 0; v && i < t.nr; i++) {
		got_sum += v[i]->sum_ns;
		got_calls += v[i]->calls;
		errors += v[i]->errors;
	}
	CHECK(st, !err && v && t.nr == 4 && got_calls == want_calls && got_sum == want_sum &&
	      errors == N / 5 && !rpc_table__waiting(&t) && !t.orphans && !t.unanswered,
	      "rpc: each reply found its call, out of order, across connections",
	      "rows %zu calls %llu/%llu sum %llu/%llu errors %llu waiting %zu", t.nr,
	      (unsigned long long)got_calls, (unsigned long long)want_calls,
	      (unsigned long long)got_sum, (unsigned long long)want_sum,
	      (unsigned long long)errors, rpc_table__waiting(&t));
	free(v);
	{
		struct rpc_msg call = { .end = RPC_SERVER, .pid = 9, .obj = 1, .prog = 1, .proc = 2,
					.serial = 5, .ts = 100 };
		struct rpc_msg reply = call;

		reply.reply = true;
		reply.ts = 150;
		rpc_table__msg(&t, &reply);		/* to nothing */
		rpc_table__msg(&t, &call);
		call.ts = 120;
		rpc_table__msg(&t, &call);		/* the serial again: the first unanswered */
		rpc_table__msg(&t, &reply);
		rpc_table__msg(&t, &reply);		/* twice: the second to nothing */
		CHECK(st, t.orphans == 2 && t.unanswered == 1 && !rpc_table__waiting(&t),
		      "rpc: a reply to nothing, a serial reused, counted, never paired wrong",
		      "orphans %llu unanswered %llu", (unsigned long long)t.orphans,
		      (unsigned long long)t.unanswered);
		v = rpc_table__sorted(&t);
		for (i = 0; v && i < t.nr && v[i]->end != RPC_SERVER; i++)
			;
		CHECK(st, v && i < t.nr && v[i]->calls == 1 && v[i]->sum_ns == 30,
		      "rpc: the server's pair timed from the later call", "%zu", t.nr);
		free(v);
	}
	rpc_table__free(&t);
}

static void test_names(struct test_stats *st)
{
	static const struct rpc_program progs[] = {
		{ 0x20008086, "xdr_remote_", "REMOTE_PROC_", "connect_open" },
		{ 0x20008087, "xdr_qemu_", "QEMU_PROC_", "domain_monitor_command" },
	};
	struct rpc_names n;
	char buf[64];
	size_t named;

	/* an array at 0x7f230: entry i at + 48 i, arguments' filter at 16, reply's at 32 */
	rpc_names__init(&n, progs, 2, 48, 16, 32);
	rpc_names__reloc(&n, 0x7f230 + 48 * 60 + 16, "xdr_remote_connect_supports_feature_args");
	rpc_names__reloc(&n, 0x7f230 + 48 * 60 + 32, "xdr_remote_connect_supports_feature_ret");
	rpc_names__reloc(&n, 0x7f230 + 48 * 1 + 16, "xdr_remote_connect_open_args");
	rpc_names__reloc(&n, 0x7f230 + 48 * 273 + 32, "xdr_remote_connect_list_all_domains_ret");
	rpc_names__reloc(&n, 0x7edf0, "xdr_remote_domain_event_lifecycle_msg");	/* an event's */
	rpc_names__reloc(&n, 0x7f231 + 48 * 5 + 16, "xdr_remote_misaligned_args");	/* not the array's */
	rpc_names__reloc(&n, 0x90000 + 48 + 16, "xdr_qemu_domain_monitor_command_args");
	rpc_names__reloc(&n, 0x90000 + 48 * 3 + 32, "xdr_qemu_domain_attach_ret");
	named = rpc_names__resolve(&n);
	CHECK(st, named == 5 &&
	      !strcmp(rpc_names__get(&n, 0x20008086, 60, buf, sizeof(buf)),
		      "REMOTE_PROC_CONNECT_SUPPORTS_FEATURE") &&
	      !strcmp(rpc_names__get(&n, 0x20008086, 1, buf, sizeof(buf)),
		      "REMOTE_PROC_CONNECT_OPEN") &&
	      !strcmp(rpc_names__get(&n, 0x20008086, 273, buf, sizeof(buf)),
		      "REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS") &&
	      !strcmp(rpc_names__get(&n, 0x20008087, 3, buf, sizeof(buf)),
		      "QEMU_PROC_DOMAIN_ATTACH"),
	      "rpc names: each array placed by its anchor, entries by their offset",
	      "%zu named", named);
	CHECK(st, !strcmp(rpc_names__get(&n, 0x20008086, 2, buf, sizeof(buf)), "REMOTE_PROC_2") &&
	      !strcmp(rpc_names__get(&n, 0x20008089, 7, buf, sizeof(buf)), "0x20008089:7") &&
	      !strcmp(rpc_names__get(&n, 0x20008086, 5, buf, sizeof(buf)), "REMOTE_PROC_5"),
	      "rpc names: an unnamed procedure keeps its number, an unknown program too",
	      "%s", buf);
	rpc_names__free(&n);
	rpc_names__init(&n, progs, 2, 48, 16, 32);
	rpc_names__reloc(&n, 0x1000, "xdr_remote_domain_get_state_args");
	CHECK(st, rpc_names__resolve(&n) == 0 &&
	      !strcmp(rpc_names__get(&n, 0x20008086, 1, buf, sizeof(buf)), "REMOTE_PROC_1"),
	      "rpc names: no anchor, no names (never a guess)", "%s", buf);
	rpc_names__free(&n);
}

static void test_qmp(struct test_stats *st)
{
	static const char cmd[] = "{\"execute\":\"query-status\",\"id\":\"libvirt-12\"}\r\n";
	static const char reply[] = "{\"return\": {\"status\": \"running\", \"x\": [1, "
				    "{\"id\": \"inner\"}]}, \"id\": \"libvirt-12\"}";
	static const char err[] = "{\"error\": {\"class\": \"GenericError\", \"desc\": "
				  "\"a \\\"quoted\\\" } brace\"}, \"id\": \"libvirt-3\"}";
	struct qmp_top q;

	CHECK(st, !qmp_scan(cmd, sizeof(cmd) - 1, &q) && !strcmp(q.execute, "query-status") &&
	      !strcmp(q.id, "libvirt-12") && !q.has_return && !q.has_error,
	      "qmp: a command's name and id", "%s %s", q.execute, q.id);
	CHECK(st, !qmp_scan(reply, sizeof(reply) - 1, &q) && q.has_return && !q.has_error &&
	      !strcmp(q.id, "libvirt-12") && !q.execute[0],
	      "qmp: a reply's id after its value, not an inner one", "%s", q.id);
	CHECK(st, !qmp_scan(err, sizeof(err) - 1, &q) && q.has_error && !strcmp(q.id, "libvirt-3"),
	      "qmp: an error, with quotes and braces inside its strings", "%s", q.id);
	CHECK(st, !qmp_scan(reply, 40, &q) && q.has_return && !q.id[0],
	      "qmp: a reply cut short: what came before the cut", "%d", q.has_return);
	CHECK(st, qmp_scan("[1]", 3, &q) == -22 && qmp_scan("", 0, &q) == -22,
	      "qmp: no object, refused", "%s", q.execute);
}

int main(void)
{
	struct test_stats st = {};

	test_pairs(&st);
	test_names(&st);
	test_qmp(&st);
	return st.failed ? 1 : 0;
}
