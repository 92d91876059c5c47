// SPDX-License-Identifier: MIT
/*
 * options.c - the one option table and parser of the command line
 * (options.h). getopt_long sees every option of every command, so an
 * option given to the wrong command is named as such, with the commands it
 * is for, instead of a bare usage text.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "../attach/key_layout.h"
#include "../util/units.h"
#include "report.h"

struct opt_def {
	const char *name;
	char short_name;	/* 0: long only */
	bool has_arg;
	/* check and store @arg; prints why and returns -EINVAL when bad */
	int (*set)(struct cli_opts *o, const char *arg);
	size_t flag;		/* no set(): offsetof the bool it turns on */
};

#define FLAG(field)	.flag = offsetof(struct cli_opts, field)

static int parse_number(const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Seconds, bare or with a unit (500ms, 2s, 1m), up to 10^9 s. */
static int parse_seconds(const char *arg, char opt, double *out)
{
	uint64_t ns;

	if (units_duration_ns(arg, 1e9, &ns) || ns > 1000000000ULL * 1000000000ULL) {
		usdtrace_err("-%c %s: not a positive duration (seconds, or with a unit: 500ms, "
			     "2s, 1m)", opt, arg);
		return -EINVAL;
	}
	*out = (double)ns / 1e9;
	return 0;
}

/* -v, and -vv for libbpf's own debugging too */
static int set_verbose(struct cli_opts *o, const char *arg)
{
	(void)arg;
	o->run.verbose++;
	return 0;
}

static int set_output(struct cli_opts *o, const char *arg)
{
	o->run.out_path = arg;
	return 0;
}

static int set_duration(struct cli_opts *o, const char *arg)
{
	return parse_seconds(arg, 'd', &o->run.duration);
}

static int set_interval(struct cli_opts *o, const char *arg)
{
	return parse_seconds(arg, 'i', &o->run.interval);
}

/* One more process to trace, once. */
static int add_pid(struct cli_opts *o, pid_t pid, const char *arg)
{
	int i;

	for (i = 0; i < o->run.nr_pids; i++) {
		if (o->run.pids[i] == pid)
			return 0;
	}
	if (o->run.nr_pids == RUNNER_MAX_PIDS) {
		usdtrace_err("-p %s: more than %d processes", arg, RUNNER_MAX_PIDS);
		return -E2BIG;
	}
	o->run.pids[o->run.nr_pids++] = pid;
	return 0;
}

/* -p PID[,PID...], repeatable: each process is traced. */
static int set_pid(struct cli_opts *o, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int err = copy ? 0 : -ENOMEM, n = 0;
	pid_t pid;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && !err;
	     tok = strtok_r(NULL, ",", &save), n++) {
		err = usdtrace_parse_pid(tok, &pid);
		if (!err)
			err = add_pid(o, pid, arg);
	}
	free(copy);
	if (err == -EINVAL || (!err && !n)) {
		usdtrace_err("-p %s: not a process ID", arg);
		return -EINVAL;
	}
	return err;
}

static int set_command(struct cli_opts *o, const char *arg)
{
	if (o->run.cmd) {
		usdtrace_err("-c given twice: one command per run ('%s', '%s')", o->run.cmd, arg);
		return -EINVAL;
	}
	o->run.cmd = arg;
	return 0;
}

static int set_comm(struct cli_opts *o, const char *arg)
{
	o->run.comm = arg;
	return 0;
}

/* MIN,MAX,STEP: MIN < MAX, STEP > 0, at most UT_HIST_MAX_STEPS buckets. */
static int set_linear(struct cli_opts *o, const char *arg)
{
	long long min, max, step;
	char tail;

	if (sscanf(arg, "%lld,%lld,%lld%c", &min, &max, &step, &tail) != 3 || min >= max ||
	    step <= 0 || ((unsigned long long)max - (unsigned long long)min + (unsigned long long)step
			  - 1) / (unsigned long long)step > UT_HIST_MAX_STEPS) {
		usdtrace_err("--linear %s: must be MIN,MAX,STEP with MIN < MAX, STEP > 0 and at "
			     "most %d buckets between", arg, UT_HIST_MAX_STEPS);
		return -EINVAL;
	}
	o->linear = true;
	o->lin_min = min;
	o->lin_max = max;
	o->lin_step = (uint64_t)step;
	return 0;
}

static int set_method(struct cli_opts *o, const char *arg)
{
	o->method = arg;
	return 0;
}

static int set_strlen(struct cli_opts *o, const char *arg)
{
	double v;

	if (parse_number(arg, UT_STR_MAX, &v) || v < 2 || v != (int)v) {
		usdtrace_err("--strlen %s: must be 2..%d", arg, UT_STR_MAX);
		return -EINVAL;
	}
	o->run.str_len = (uint32_t)v;
	o->strlen_set = true;
	return 0;
}

static int set_ring_size(struct cli_opts *o, const char *arg)
{
	uint64_t v;

	if (units_size(arg, &v) || v < 4096 || v > (1u << 30) || (v & (v - 1))) {
		usdtrace_err("--ring-size %s: must be a power of 2, 4k..1g", arg);
		return -EINVAL;
	}
	o->run.ring_size = (uint32_t)v;
	return 0;
}

static int set_timeline(struct cli_opts *o, const char *arg)
{
	o->run.timeline_path = arg;
	return 0;
}

/* HOST:PORT, checked by serve.c, the one reader of it, before anything attaches. */
static int set_serve(struct cli_opts *o, const char *arg)
{
	o->serve = arg;
	return 0;
}

/* A whole number 1..@max for option --@opt, into @out; says why not. */
static int parse_count(const char *opt, const char *arg, long max, uint32_t *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || end == arg || v < 1 || v > max) {
		usdtrace_err("--%s %s: must be 1..%ld", opt, arg, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int set_web_config(struct cli_opts *o, const char *arg)
{
	o->web_config = arg;
	return 0;
}

static int set_max_series(struct cli_opts *o, const char *arg)
{
	return parse_count("max-series", arg, 1 << 20, &o->max_series);
}

static int set_flamegraph(struct cli_opts *o, const char *arg)
{
	o->run.flamegraph_path = arg;
	return 0;
}

static int set_folded(struct cli_opts *o, const char *arg)
{
	o->run.folded_path = arg;
	return 0;
}

static int set_weight(struct cli_opts *o, const char *arg)
{
	if (strcmp(arg, "time") && strcmp(arg, "count")) {
		usdtrace_err("--weight %s: must be count or time", arg);
		return -EINVAL;
	}
	o->run.weight_time = !strcmp(arg, "time");
	return 0;
}

/* --by KEY[,KEY...], or stack. */
static int set_by(struct cli_opts *o, const char *arg)
{
	const char *twice;
	size_t n;

	if (!strcmp(arg, "stack")) {
		o->by = BY_STACK;
		return 0;
	}
	if (!key_layout__valid(arg)) {
		usdtrace_err("--by %s: must be probe, site, pid, tid, comm or argN, comma-separated, "
			     "or stack", arg);
		return -EINVAL;
	}
	n = key_layout__repeated(arg, &twice);
	if (n) {
		usdtrace_err("--by %s: %.*s twice", arg, (int)n, twice);
		return -EINVAL;
	}
	o->by_list = arg;
	o->by = BY_KEYS;
	return 0;
}

static int set_max_keys(struct cli_opts *o, const char *arg)
{
	return parse_count("max-keys", arg, 1 << 24, &o->max_keys);
}

static int set_key(struct cli_opts *o, const char *arg)
{
	char *end;
	long v = -1;

	if (!strncmp(arg, "arg", 3))
		v = strtol(arg + 3, &end, 10);
	if (v < 0 || v >= UT_MAX_ARGS || end == arg + 3 || *end) {
		usdtrace_err("--key %s: must be arg0..arg%d", arg, UT_MAX_ARGS - 1);
		return -EINVAL;
	}
	o->key_arg = (int)v;
	return 0;
}

/* "10ms", "1.5s", "250us", "800ns": a unit is required, zero is refused. */
static int set_min(struct cli_opts *o, const char *arg)
{
	if (units_duration_ns(arg, 0, &o->slow_ns)) {
		usdtrace_err("--min %s: must be a positive duration with a unit: ns, us, ms, s, m "
			     "or h (10ms)", arg);
		return -EINVAL;
	}
	return 0;
}

static int set_stack(struct cli_opts *o, const char *arg)
{
	(void)arg;
	if (!o->stack_mode)
		o->stack_mode = UT_STACK_DWARF;	/* right on binaries without frame pointers */
	return 0;
}

static int set_stack_mode(struct cli_opts *o, const char *arg)
{
	if (!strcmp(arg, "fp")) {
		o->stack_mode = UT_STACK_FP;
	} else if (!strcmp(arg, "dwarf")) {
		o->stack_mode = UT_STACK_DWARF;
	} else {
		usdtrace_err("--stack-mode %s: must be fp or dwarf", arg);
		return -EINVAL;
	}
	return 0;
}

static int set_stack_size(struct cli_opts *o, const char *arg)
{
	uint64_t v;

	if (units_size(arg, &v) || v < 64 || v > UT_STACK_MAX || v % 8) {
		usdtrace_err("--stack-size %s: must be a multiple of 8 from 64 to %d", arg,
			     UT_STACK_MAX);
		return -EINVAL;
	}
	o->stack_size = (uint32_t)v;
	return set_stack(o, NULL);
}

static int set_lang(struct cli_opts *o, const char *arg)
{
	o->lang = lang_adapter__find(arg);
	if (!o->lang) {
		usdtrace_err("-l %s: unknown language (one of %s)", arg, lang_adapter__names());
		return -EINVAL;
	}
	return 0;
}

static int set_top(struct cli_opts *o, const char *arg)
{
	char *end;

	o->top = strtol(arg, &end, 10);
	if (*end || end == arg || o->top <= 0) {
		usdtrace_err("-n %s: not a positive number", arg);
		return -EINVAL;
	}
	return 0;
}

/* -F HZ: samples a second per CPU; the kernel's perf_event_max_sample_rate bounds it. */
static int set_freq(struct cli_opts *o, const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || end == arg || v < 1 || v > 10000) {
		usdtrace_err("-F %s: must be a whole number of samples a second from 1 to 10000",
			     arg);
		return -EINVAL;
	}
	o->freq = (uint32_t)v;
	o->freq_set = true;
	return 0;
}

static int set_pprof(struct cli_opts *o, const char *arg)
{
	o->pprof_path = arg;
	return 0;
}

static int set_speedscope(struct cli_opts *o, const char *arg)
{
	o->speedscope_path = arg;
	return 0;
}

static const struct opt_def opt_defs[NR_CLI_OPTS] = {
	[OPT_JSON] = { "json", 0, false, NULL, FLAG(run.json) },
	[OPT_OUTPUT] = { "output", 'o', true, set_output },
	[OPT_DURATION] = { "duration", 'd', true, set_duration },
	[OPT_INTERVAL] = { "interval", 'i', true, set_interval },
	[OPT_PID] = { "pid", 'p', true, set_pid },
	[OPT_COMMAND] = { "command", 'c', true, set_command },
	[OPT_STRLEN] = { "strlen", 0, true, set_strlen },
	[OPT_RING_SIZE] = { "ring-size", 0, true, set_ring_size },
	[OPT_VERBOSE] = { "verbose", 'v', false, set_verbose },
	[OPT_NO_MULTI] = { "no-multi", 0, false, NULL, FLAG(run.no_multi) },
	[OPT_FOLLOW] = { "follow", 'f', false, NULL, FLAG(run.follow) },
	[OPT_TIMELINE] = { "timeline", 0, true, set_timeline },
	[OPT_FOLDED] = { "folded", 0, true, set_folded },
	[OPT_WEIGHT] = { "weight", 0, true, set_weight },
	[OPT_BY] = { "by", 0, true, set_by },
	[OPT_KEY] = { "key", 0, true, set_key },
	[OPT_LANG] = { "lang", 'l', true, set_lang },
	[OPT_SELF] = { "self", 0, false, NULL, FLAG(self) },
	[OPT_TOP] = { "top", 'n', true, set_top },
	[OPT_ALLOW_UNSAFE] = { "allow-unsafe", 0, false, NULL, FLAG(run.allow_unsafe) },
	[OPT_NO_FAULT_IN] = { "no-fault-in", 0, false, NULL, FLAG(run.no_fault_in) },
	[OPT_COMM] = { "comm", 0, true, set_comm },
	[OPT_LINEAR] = { "linear", 0, true, set_linear },
	[OPT_MAX_KEYS] = { "max-keys", 0, true, set_max_keys },
	[OPT_METHOD] = { "method", 'm', true, set_method },
	[OPT_MIN] = { "min", 0, true, set_min },
	[OPT_RAW] = { "raw", 0, false, NULL, FLAG(raw) },
	[OPT_NO_PLAN] = { "no-plan", 0, false, NULL, FLAG(no_plan) },
	[OPT_WEB_CONFIG] = { "web-config", 0, true, set_web_config },
	[OPT_OFF_CPU] = { "off-cpu", 0, false, NULL, FLAG(off_cpu) },
	[OPT_ON_CPU] = { "on-cpu", 0, false, NULL, FLAG(on_cpu) },
	[OPT_STACK] = { "stack", 0, false, set_stack },
	[OPT_STACK_MODE] = { "stack-mode", 0, true, set_stack_mode },
	[OPT_STACK_SIZE] = { "stack-size", 0, true, set_stack_size },
	[OPT_FLAMEGRAPH] = { "flamegraph", 0, true, set_flamegraph },
	[OPT_SERVE] = { "serve", 0, true, set_serve },
	[OPT_MAX_SERIES] = { "max-series", 0, true, set_max_series },
	[OPT_FREQ] = { "frequency", 'F', true, set_freq },
	[OPT_PPROF] = { "pprof", 0, true, set_pprof },
	[OPT_SPEEDSCOPE] = { "speedscope", 0, true, set_speedscope },
};

#define OPT_HELP	NR_CLI_OPTS
#define LONG_VAL	256	/* getopt_long's val of option id k is LONG_VAL + k */

void cli_opts__init(struct cli_opts *o, const struct cli_command *cmd)
{
	memset(o, 0, sizeof(*o));
	o->run.name = cmd->name;
	o->run.str_len = cmd->str_len ? cmd->str_len : UT_STR_DEFAULT;
	o->run.interval = cmd->interval;
	o->key_arg = -1;
	o->by = BY_PROBE;
	o->max_keys = COUNT_MAX_KEYS_DEFAULT;
	o->stack_size = UT_STACK_DEFAULT;
	o->max_series = 10000;
	o->freq = 99;
}

/* "-x" or "--name" as the user spelled option @k. */
static void spelling(int k, char *buf, size_t size)
{
	if (opt_defs[k].short_name)
		snprintf(buf, size, "-%c", opt_defs[k].short_name);
	else
		snprintf(buf, size, "--%s", opt_defs[k].name);
}

/* "--timeline is for trace, latency and flow" */
static void refuse(const struct cli_command *cmd, int k)
{
	char name[32], list[256] = "";
	size_t len = 0;
	int i, n = 0, total = 0;

	for (i = 0; cli_commands[i]; i++)
		total += !!(cli_commands[i]->opts & OPT(k));
	for (i = 0; cli_commands[i]; i++) {
		if (!(cli_commands[i]->opts & OPT(k)))
			continue;
		n++;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					n == 1 ? "" : n == total ? " and " : ", ",
					cli_commands[i]->name);
		if (len >= sizeof(list))
			break;
	}
	spelling(k, name, sizeof(name));
	usdtrace_err("%s: %s is for %s (see usdtrace %s --help)", cmd->name, name, list,
		     cmd->name);
}

/* Does @usage name option @k by its long name (--name)? */
static bool usage_names(const char *usage, int k)
{
	char buf[40];
	const char *p;

	snprintf(buf, sizeof(buf), "--%s", opt_defs[k].name);
	for (p = strstr(usage, buf); p; p = strstr(p + 1, buf)) {
		char c = p[strlen(buf)];

		if (c != '-' && (c < 'a' || c > 'z'))
			return true;
	}
	return false;
}

void cli_command__help(FILE *out, const struct cli_command *cmd)
{
	int k, n = 0, col = 0, len;
	char item[40];

	fputs(cmd->usage, out);
	/* from the option table: what it takes that its text does not name
	 * by its long name (a short one may be explained above) */
	for (k = 0; k < NR_CLI_OPTS; k++) {
		if (!(cmd->opts & OPT(k)) || usage_names(cmd->usage, k))
			continue;
		if (opt_defs[k].short_name)
			len = snprintf(item, sizeof(item), "-%c/--%s", opt_defs[k].short_name,
				       opt_defs[k].name);
		else
			len = snprintf(item, sizeof(item), "--%s", opt_defs[k].name);
		if (!n++)
			col = fprintf(out, "\nAlso takes (man usdtrace, OPTIONS):");
		else
			col += fprintf(out, ",");
		if (col + 1 + len > 78)
			col = fprintf(out, "\n ");
		col += fprintf(out, " %s", item);
	}
	if (n)
		fputc('\n', out);
}

int cli_opts__parse(struct cli_opts *o, const struct cli_command *cmd, int argc, char **argv)
{
	struct option longopts[NR_CLI_OPTS + 2] = {};
	char shortopts[2 * NR_CLI_OPTS + 4] = ":h", *sp = shortopts + 2;
	int k, c;

	for (k = 0; k < NR_CLI_OPTS; k++) {
		longopts[k].name = opt_defs[k].name;
		longopts[k].has_arg = opt_defs[k].has_arg ? required_argument : no_argument;
		longopts[k].val = LONG_VAL + k;
		if (opt_defs[k].short_name) {
			*sp++ = opt_defs[k].short_name;
			if (opt_defs[k].has_arg)
				*sp++ = ':';
		}
	}
	longopts[k].name = "help";
	longopts[k].val = 'h';
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			cli_command__help(stdout, cmd);
			return 1;
		}
		if (c == '?' || c == ':') {
			if (optopt && optopt < LONG_VAL)
				usdtrace_err("%s: -%c: %s (see usdtrace %s --help)", cmd->name,
					     optopt, c == ':' ? "needs a value" : "no such option",
					     cmd->name);
			else
				usdtrace_err("%s: %s: %s (see usdtrace %s --help)", cmd->name,
					     argv[optind - 1], c == ':' ? "needs a value" :
					     "no such option", cmd->name);
			return -EINVAL;
		}
		for (k = 0; c < LONG_VAL && k < NR_CLI_OPTS; k++) {
			if (opt_defs[k].short_name == c)
				break;
		}
		if (c >= LONG_VAL)
			k = c - LONG_VAL;
		if (!(cmd->opts & OPT(k))) {
			refuse(cmd, k);
			return -EINVAL;
		}
		if (!opt_defs[k].set)
			*(bool *)((char *)o + opt_defs[k].flag) = true;
		else if (opt_defs[k].set(o, optarg))
			return -EINVAL;
	}
	if (o->web_config && !o->serve) {
		usdtrace_err("%s: --web-config %s: is for --serve (its TLS and users)", cmd->name,
			     o->web_config);
		return -EINVAL;
	}
	o->args = argv + optind;
	o->nr_args = argc - optind;
	/* a server runtime (-l postgresql) may be named by its binary */
	if (cmd->no_args && o->nr_args > (o->lang && o->lang->forks ? 1 : 0)) {
		usdtrace_err("%s: unexpected argument '%s'", cmd->name, o->args[o->nr_args - 1]);
		return -EINVAL;
	}
	return 0;
}
