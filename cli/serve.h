/* SPDX-License-Identifier: MIT */
/*
 * serve.h - `--serve HOST:PORT`: Prometheus metrics over HTTP
 * (libmicrohttpd, pumped from the runner's loop; serve.c).
 */
#ifndef USDTRACE_SERVE_H
#define USDTRACE_SERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../attach/session.h"

struct serve;

/* Write the metrics of session @s, as they are now, to @out. 0 or -Exxx. */
typedef int (*serve_render_fn)(void *ctx, struct attach_session *s, FILE *out);

struct serve_opts {
	const char *addr;		/* --serve HOST:PORT */
	const char *web_config;		/* --web-config FILE (TLS, basic auth), or NULL */
};

/*
 * Listen on @so->addr, with the TLS and users of @so->web_config; says
 * why (one line) and returns -Exxx when it cannot.
 */
int serve__start(const struct serve_opts *so, serve_render_fn render, void *ctx,
		 struct serve **out);
/*
 * Answer what clients sent, from session @s (attached: /metrics and
 * /healthz answer from the first pump on); never blocks. Accepts NULL.
 */
void serve__pump(struct serve *sv, struct attach_session *s);
/* What to wait on beside the ring buffer: readable when a client wants an answer (-1: none). */
int serve__fd(const struct serve *sv);
/* Accepts NULL. */
void serve__stop(struct serve *sv);

/*
 * The families every command serves (writer/metrics.h), read from @s:
 * dropped, filtered, sites attached, and the series folded into "other"
 * past --max-series (@folded).
 */
void serve_common_families(FILE *out, struct attach_session *s, uint64_t folded);

#endif /* USDTRACE_SERVE_H */
