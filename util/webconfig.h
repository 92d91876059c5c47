/* SPDX-License-Identifier: MIT */
/*
 * webconfig.h - the web configuration file of --serve, in the format of
 * Prometheus' exporter-toolkit (node_exporter's --web.config.file):
 *
 *   tls_server_config:
 *     cert_file: /etc/usdtrace/cert.pem
 *     key_file: /etc/usdtrace/key.pem
 *   basic_auth_users:
 *     prometheus: $2y$10$...          (a bcrypt hash)
 *
 * Parsed from bytes with libyaml (pure: unit-tested and fuzzed); reading
 * the files it names and checking passwords is serve.c's. What the
 * toolkit has and usdtrace does not (client certificates, cipher lists,
 * HTTP/2 switches) is refused by name, so a setting is never silently
 * ignored.
 */
#ifndef USDTRACE_UTIL_WEBCONFIG_H
#define USDTRACE_UTIL_WEBCONFIG_H

#include <stddef.h>

#define WEBCONFIG_MAX_USERS	64

struct webconfig_user {
	char *name;
	char *hash;		/* bcrypt: $2a$, $2b$ or $2y$ */
};

struct webconfig {
	char *cert_file;	/* both or neither: TLS */
	char *key_file;
	struct webconfig_user users[WEBCONFIG_MAX_USERS];
	int nr_users;
};

/*
 * Parse @len bytes of YAML into @out (zeroed first; free with
 * webconfig__free). 0, or -EINVAL with why in @why (a line of text), or
 * -ENOMEM.
 */
int webconfig__parse(const char *text, size_t len, struct webconfig *out, char *why,
		     size_t size);
void webconfig__free(struct webconfig *wc);

#endif /* USDTRACE_UTIL_WEBCONFIG_H */
