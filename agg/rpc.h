/* SPDX-License-Identifier: MIT */
/*
 * rpc.h - RPC calls paired with their replies and summed per procedure:
 * `calls -l libvirt`. A call is matched to its reply by (process, the
 * connection's object, program, serial) on either end, whatever the thread
 * (a reply is often read by another thread than the caller's); each pair
 * adds to its row (end, program, procedure): calls, errors, latency sum,
 * min, max and a histogram for percentiles. Pure.
 */
#ifndef USDTRACE_AGG_RPC_H
#define USDTRACE_AGG_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

enum rpc_end {
	RPC_CLIENT,	/* a call sent, its reply received */
	RPC_SERVER,	/* a call received, its reply sent */
	RPC_MONITOR,	/* a command sent to a managed process's monitor, its reply */
};

/* One message seen: a call going out or coming in, or a reply. */
struct rpc_msg {
	enum rpc_end end;
	bool reply;		/* a reply (else a call) */
	uint32_t pid;
	uint64_t obj;		/* the connection's object: serials count per connection */
	uint32_t prog, proc, serial;
	bool error;		/* a reply saying the call failed */
	uint64_t ts;		/* ns */
};

struct rpc_row {
	enum rpc_end end;
	uint32_t prog, proc;
	uint64_t calls, errors;
	uint64_t sum_ns, min_ns, max_ns;
	struct hist h;
};

struct rpc_open;	/* a call waiting for its reply */

struct rpc_table {
	struct rpc_row *rows;
	size_t nr, cap;
	struct rpc_open *open;	/* open-addressed by (pid, obj, prog, serial) */
	size_t nr_open, cap_open;
	uint64_t unanswered;	/* calls replaced before a reply (or the table full) */
	uint64_t orphans;	/* replies to no call seen */
};

/* @m into @t: a call is kept until its reply; a reply makes a pair. 0 or -ENOMEM. */
int rpc_table__msg(struct rpc_table *t, const struct rpc_msg *m);
/* Calls still waiting for a reply. */
size_t rpc_table__waiting(const struct rpc_table *t);
/* The rows by total time, largest first (a new array, or NULL). */
struct rpc_row **rpc_table__sorted(const struct rpc_table *t);
void rpc_table__free(struct rpc_table *t);

#endif /* USDTRACE_AGG_RPC_H */
