// SPDX-License-Identifier: MIT
/*
 * probe_spec.c - parse probe descriptions (see probe_spec.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../expr/expr.h"
#include "../sdt/sdt.h"
#include "probe_spec.h"

/* Split "(s,d,-)" off the end of @buf into spec->fmt. */
static int parse_fmt(char *buf, struct probe_spec *spec, const char **why)
{
	char *open = strchr(buf, '('), *p, *tok, *save = NULL;
	size_t len = strlen(buf);

	if (!open)
		return 0;
	if (buf[len - 1] != ')') {
		*why = "FMT list must end with ')'";
		return -EINVAL;
	}
	buf[len - 1] = '\0';
	*open = '\0';
	p = open + 1;
	for (tok = strtok_r(p, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (strlen(tok) != 1 || !strchr("sSdux-", tok[0])) {
			*why = "FMT must be a list of s, S, d, u, x or -";
			return -EINVAL;
		}
		if (spec->nr_fmt == PROBE_MAX_FMT) {
			*why = "more than 12 FMT entries";
			return -EINVAL;
		}
		spec->fmt[spec->nr_fmt++] = tok[0];
	}
	if (!spec->nr_fmt) {
		*why = "empty FMT list";
		return -EINVAL;
	}
	return 0;
}

static int parse_symbol(char *s, struct probe_spec *spec, const char **why)
{
	char *plus = strchr(s, '+'), *end;

	if (plus) {
		*plus = '\0';
		spec->sym_off = strtoull(plus + 1, &end, 0);
		if (!plus[1] || *end) {
			*why = "bad +OFFSET after the symbol";
			return -EINVAL;
		}
	}
	if (!*s) {
		*why = "empty symbol";
		return -EINVAL;
	}
	spec->symbol = s;
	return 0;
}

/* "PATH:SYMBOL": the symbol is after the last ':'. */
static int parse_uprobe(char *rest, struct probe_spec *spec, const char **why)
{
	char *colon = strrchr(rest, ':');

	if (!colon || colon == rest) {
		*why = "expected uprobe:PATH:SYMBOL";
		return -EINVAL;
	}
	*colon = '\0';
	spec->path = rest;
	if (spec->type == PROBE_URETPROBE && strchr(colon + 1, '+')) {
		*why = "uretprobe takes no +OFFSET";
		return -EINVAL;
	}
	return parse_symbol(colon + 1, spec, why);
}

/* "[PATH:]PROVIDER:NAME": the last two ':'-separated fields. */
static int parse_usdt(char *rest, struct probe_spec *spec, const char **why)
{
	char *name = strrchr(rest, ':'), *prov;

	if (!name) {
		*why = "expected PROVIDER:NAME";
		return -EINVAL;
	}
	*name++ = '\0';
	prov = strrchr(rest, ':');
	if (prov) {
		*prov++ = '\0';
		spec->path = rest;
		if (!*rest) {
			*why = "empty PATH";
			return -EINVAL;
		}
	} else {
		prov = rest;
	}
	if (!*prov || !*name) {
		*why = "empty PROVIDER or NAME";
		return -EINVAL;
	}
	if (prov[strcspn(prov, " \t<>=&|()")] || name[strcspn(name, " \t<>=&|()")]) {
		*why = "a probe's name has no blanks or operators: a predicate goes between "
		       "slashes, PROBE /EXPR/";
		return -EINVAL;
	}
	spec->provider = prov;
	spec->name = name;
	return 0;
}

/* bpftrace's kernel probe types, which usdtrace does not take. */
static bool kernel_probe(const char *text)
{
	static const char *const kinds[] = {
		"kprobe:", "kretprobe:", "k:", "kr:", "tracepoint:", "t:", "rawtracepoint:",
		"rt:", "fentry:", "fexit:", "kfunc:", "kretfunc:", "software:", "hardware:",
		"profile:", "interval:", "iter:", "watchpoint:",
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strncmp(text, kinds[i], strlen(kinds[i])))
			return true;
	}
	return false;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '*' || c == '?';
}

/*
 * Is the '/' at @i of @buf (which ends with '/') the start of a predicate
 * written right after the probe's name ("app:req/arg0>5/", for argument
 * lists that split at blanks, as systemd's do)? Yes when the text since
 * the last ':' before it is a name: not a FILE path's directory.
 */
static bool pred_after_name(const char *buf, size_t i, size_t len)
{
	size_t j = i;

	if (buf[len - 1] != '/' || i == len - 1 || !name_char(buf[i - 1]))
		return false;
	while (j > 0 && buf[j - 1] != ':') {
		if (!name_char(buf[j - 1]) && buf[j - 1] != '.' && buf[j - 1] != '-')
			return false;
		j--;
	}
	return j > 0;
}

/*
 * A trailing /EXPR/ after a blank, a ')' or the probe's name: parsed into
 * spec->pred and cut off spec->buf (with the blanks before it). A '/'
 * after a blank starts a predicate even without its closing '/', which is
 * then reported.
 */
static int split_predicate(struct probe_spec *spec, const char **why)
{
	char *buf = spec->buf, *start = NULL, *end;
	struct expr_error err;
	size_t len = strlen(buf), i;
	int ret;

	for (i = 1; i < len; i++) {
		if (buf[i] == '/' && (buf[i - 1] == ' ' || buf[i - 1] == '\t' || buf[i - 1] == ')' ||
				      pred_after_name(buf, i, len))) {
			start = buf + i;
			break;
		}
	}
	if (!start)
		return 0;
	spec->pred_text = spec->text + (start - buf);
	ret = expr__parse(start, (size_t)(buf + len - start), &spec->pred, &err);
	if (ret) {
		snprintf(spec->errbuf, sizeof(spec->errbuf), "column %d: %s", err.column,
			 err.msg);
		*why = spec->errbuf;
		return ret;
	}
	for (end = start; end > buf && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	return 0;
}

int probe_spec__parse(const char *text, struct probe_spec *spec, const char **why)
{
	char *rest;
	int err;

	memset(spec, 0, sizeof(*spec));
	spec->text = text;
	*why = "invalid probe";
	if (!*text) {
		*why = "empty probe";
		return -EINVAL;
	}
	spec->buf = strdup(text);
	if (!spec->buf) {
		*why = "out of memory";
		return -ENOMEM;
	}
	err = split_predicate(spec, why);
	if (!err)
		err = parse_fmt(spec->buf, spec, why);
	if (err)
		goto out_free;
	rest = spec->buf;
	if (kernel_probe(rest)) {
		*why = "not a user-space probe: usdtrace traces USDT probes "
		       "([PATH:]PROVIDER:NAME) and uprobes (uprobe:PATH:SYMBOL); "
		       "usdtrace profile samples the CPUs";
		err = -EINVAL;
	} else if (!strncmp(rest, "uprobe:", 7)) {
		spec->type = PROBE_UPROBE;
		err = parse_uprobe(rest + 7, spec, why);
	} else if (!strncmp(rest, "uretprobe:", 10)) {
		spec->type = PROBE_URETPROBE;
		err = parse_uprobe(rest + 10, spec, why);
	} else {
		if (!strncmp(rest, "usdt:", 5))
			rest += 5;
		spec->type = PROBE_USDT;
		err = parse_usdt(rest, spec, why);
	}
	if (!err && spec->type == PROBE_URETPROBE && spec->nr_fmt > 1) {
		*why = "uretprobe has one value (retval)";
		err = -EINVAL;
	}
	if (!err && spec->type == PROBE_UPROBE && spec->nr_fmt > 6) {
		*why = "uprobe arguments are arg0..arg5";
		err = -EINVAL;
	}
	if (!err)
		return 0;
out_free:
	probe_spec__free(spec);
	return err;
}

void probe_spec__free(struct probe_spec *spec)
{
	if (!spec)
		return;
	free(spec->buf);
	spec->buf = NULL;
	expr__free(spec->pred);
	spec->pred = NULL;
}

bool probe_spec__matches(const struct probe_spec *spec, const char *provider,
			 const char *name)
{
	return spec->type == PROBE_USDT && sdt_glob_match(spec->provider, provider) &&
	       sdt_glob_match(spec->name, name);
}

void probe_spec__label(const struct probe_spec *spec, char *buf, size_t size)
{
	const char *kind = spec->type == PROBE_URETPROBE ? "uretprobe" : "uprobe";

	if (spec->type == PROBE_USDT)
		snprintf(buf, size, "%s:%s", spec->provider ? spec->provider : "*",
			 spec->name ? spec->name : "*");
	else if (spec->sym_off)
		snprintf(buf, size, "%s:%s+0x%" PRIx64, kind, spec->symbol ? spec->symbol : "?",
			 spec->sym_off);
	else
		snprintf(buf, size, "%s:%s", kind, spec->symbol ? spec->symbol : "?");
}
