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

/* Write the metrics, as they are now, to @out. 0 or -Exxx. */
typedef int (*serve_render_fn)(void *ctx, FILE *out);

/* Listen on @hostport; says why and returns -Exxx when it cannot. */
int serve__start(const char *hostport, serve_render_fn render, void *ctx, struct serve **out);
/* Attached: /metrics and /healthz answer from now (503 before). */
void serve__ready(struct serve *sv);
/* Answer what clients sent; never blocks. */
void serve__pump(struct serve *sv);
/* Accepts NULL. */
void serve__stop(struct serve *sv);

/*
 * The families every command serves: dropped, filtered, sites attached,
 * and the series folded into "other" past --max-series (@folded).
 */
void serve_common_families(FILE *out, struct attach_session *s, uint64_t folded);

#endif /* USDTRACE_SERVE_H */
