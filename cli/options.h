/* SPDX-License-Identifier: MIT */
/*
 * options.h - every option of every usdtrace command, in one table, parsed
 * by one parser. A command says which options it takes (a mask of
 * enum cli_opt, see commands.h); an option another command takes is
 * refused by naming the commands it is for. Values are checked here, once,
 * and their defaults are set in one place (cli_opts__init).
 */
#ifndef USDTRACE_OPTIONS_H
#define USDTRACE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include <stdio.h>

#include "../lang-adapters/lang.h"
#include "runner.h"

enum cli_opt {
	OPT_JSON, OPT_OUTPUT, OPT_DURATION, OPT_INTERVAL, OPT_PID, OPT_COMMAND, OPT_STRLEN,
	OPT_RING_SIZE, OPT_VERBOSE, OPT_NO_MULTI, OPT_FOLLOW, OPT_TIMELINE, OPT_FOLDED,
	OPT_WEIGHT, OPT_BY, OPT_KEY, OPT_LANG, OPT_SELF, OPT_TOP, OPT_ALLOW_UNSAFE,
	OPT_NO_FAULT_IN, OPT_COMM, OPT_LINEAR, OPT_MAX_KEYS, OPT_METHOD, OPT_MIN, OPT_RAW,
	OPT_STACK, OPT_STACK_MODE, OPT_STACK_SIZE, OPT_FLAMEGRAPH, OPT_SERVE, OPT_MAX_SERIES,
	OPT_FREQ, OPT_PPROF, OPT_SPEEDSCOPE, OPT_NO_PLAN, OPT_WEB_CONFIG, OPT_OFF_CPU, OPT_ON_CPU,
	NR_CLI_OPTS,
};

#define OPT(o)		(1ull << (o))
/* what every command that attaches takes (the runner's options) */
#define OPTS_RUN	(OPT(OPT_JSON) | OPT(OPT_OUTPUT) | OPT(OPT_DURATION) | OPT(OPT_PID) | \
			 OPT(OPT_COMMAND) | OPT(OPT_STRLEN) | OPT(OPT_RING_SIZE) | \
			 OPT(OPT_VERBOSE) | OPT(OPT_NO_MULTI) | OPT(OPT_FOLLOW) | \
			 OPT(OPT_ALLOW_UNSAFE) | OPT(OPT_NO_FAULT_IN) | OPT(OPT_COMM))

/* count --by */
enum count_by {
	BY_PROBE,		/* the default: per probe */
	BY_KEYS,		/* a list of keys (site alone: the per-site array) */
	BY_STACK,		/* the user stack: counted after unwinding */
};

#define COUNT_MAX_KEYS_DEFAULT	10240

struct cli_command;

struct cli_opts {
	struct runner_opts run;		/* the runner's options; probes filled later */
	enum count_by by;		/* count --by */
	const char *by_list;		/* its words, for BY_KEYS; NULL: probe */
	uint32_t max_keys;		/* count --max-keys */
	int key_arg;			/* latency --key argN, -1: none */
	uint64_t slow_ns;		/* latency/calls --min DURATION, 0: none */
	bool raw;			/* calls -l postgresql --raw: texts as sent */
	bool no_plan;			/* calls -l postgresql --no-plan: planning not timed */
	bool strlen_set;		/* --strlen was given */
	uint16_t stack_mode;		/* --stack: UT_STACK_FP or _DWARF, 0: none */
	uint32_t stack_size;		/* --stack-size: bytes of stack copied */
	const char *serve;		/* --serve HOST:PORT: Prometheus metrics */
	const char *web_config;		/* --web-config FILE: its TLS and users */
	bool off_cpu;			/* profile --off-cpu: where threads block */
	bool on_cpu;			/* profile --on-cpu: samples too (with --off-cpu: wall time) */
	uint32_t max_series;		/* --max-series: series served, then "other" */
	const struct lang_adapter *lang; /* -l LANG */
	bool self;			/* calls --self */
	long top;			/* calls -n, 0: all */
	const char *method;		/* calls/flow --method GLOB */
	uint32_t freq;			/* profile -F HZ */
	bool freq_set;			/* ... given */
	const char *pprof_path;		/* profile --pprof FILE */
	const char *speedscope_path;	/* profile --speedscope FILE */
	bool linear;			/* hist --linear MIN,MAX,STEP */
	int64_t lin_min;
	int64_t lin_max;
	uint64_t lin_step;
	char **args;			/* the positional arguments (argv's) */
	int nr_args;
};

/* The defaults, including the command's own (commands.h). */
void cli_opts__init(struct cli_opts *o, const struct cli_command *cmd);
/*
 * Parse argv (argv[0] is the command's name) for @cmd. Returns 0, 1 after
 * printing the help (exit 0), or -EINVAL after printing why (exit 1).
 */
int cli_opts__parse(struct cli_opts *o, const struct cli_command *cmd, int argc, char **argv);
/* @cmd's help: its text, then every option it takes that the text does not name. */
void cli_command__help(FILE *out, const struct cli_command *cmd);

#endif /* USDTRACE_OPTIONS_H */
