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

/* Listen on @hostport; says why and returns -Exxx when it cannot. */
int serve__start(const char *hostport, serve_render_fn render, void *ctx, struct serve **out);
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
 * The families every command serves: dropped, filtered, sites attached,
 * and the series folded into "other" past --max-series (@folded).
 */
void serve_common_families(FILE *out, struct attach_session *s, uint64_t folded);

/* One row of calls' figures: a method (or a query) of a runtime. */
struct serve_call {
	const char *method;
	uint64_t count;
	uint64_t total_ns;	/* of the timed calls */
	uint64_t untimed;	/* calls counted without an entry: not in total_ns */
};

/*
 * calls' families, labelled lang and method: usdtrace_calls_total,
 * usdtrace_call_seconds_total, usdtrace_calls_untimed_total. @rows past
 * @max_series are summed into method "other"; returns how many.
 */
uint64_t serve_calls_families(FILE *out, const char *lang, const struct serve_call *rows,
			      size_t nr, uint32_t max_series);

/* One counter family of one sample, labelled lang: "# HELP", "# TYPE", value. */
void serve_lang_counter(FILE *out, const char *name, const char *help, const char *lang,
			uint64_t value);
/* ... a time in nanoseconds, served in seconds. */
void serve_lang_seconds(FILE *out, const char *name, const char *help, const char *lang,
			uint64_t ns);

#endif /* USDTRACE_SERVE_H */
