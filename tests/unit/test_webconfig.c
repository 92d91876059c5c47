// SPDX-License-Identifier: MIT
/*
 * test_webconfig.c - --serve's web configuration file (util/webconfig.h):
 * exporter-toolkit's format read with libyaml, what usdtrace does not do
 * refused by name.
 */
#include <errno.h>
#include <string.h>

#include "../../util/webconfig.h"
#include "test.h"

static int parse(const char *text, struct webconfig *wc, char *why)
{
	return webconfig__parse(text, strlen(text), wc, why, 256);
}

static void bad(struct test_stats *st, const char *text, const char *want)
{
	struct webconfig wc;
	char why[256] = "";
	int err = parse(text, &wc, why);

	CHECK(st, err == -EINVAL && strstr(why, want), "webconfig refuses", "'%s': %d '%s'", text,
	      err, why);
}

int main(void)
{
	struct test_stats st = {};
	struct webconfig wc;
	char why[256] = "";
	int err;

	err = parse("tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\n"
		    "basic_auth_users:\n  prom: $2y$10$abcdefghijklmnopqrstuu\n"
		    "  \"alice\": '$2b$04$xyz'\n", &wc, why);
	CHECK(&st, !err && !strcmp(wc.cert_file, "/c.pem") && !strcmp(wc.key_file, "/k.pem") &&
	      wc.nr_users == 2 && !strcmp(wc.users[0].name, "prom") &&
	      !strcmp(wc.users[1].hash, "$2b$04$xyz"), "webconfig: TLS and two users",
	      "%d %s", err, why);
	if (!err)
		webconfig__free(&wc);
	err = parse("", &wc, why);
	CHECK(&st, !err && !wc.cert_file && !wc.nr_users, "webconfig: an empty file", "%s", why);
	err = parse("basic_auth_users:\n  u: $2a$05$x\n", &wc, why);
	CHECK(&st, !err && !wc.cert_file && wc.nr_users == 1, "webconfig: users without TLS",
	      "%s", why);
	if (!err)
		webconfig__free(&wc);
	bad(&st, "tls_server_config:\n  cert_file: /c.pem\n", "needs both cert_file and key_file");
	bad(&st, "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: "
		 "RequireAndVerifyClientCert\n", "client_auth_type: not supported");
	bad(&st, "http_server_config:\n  http2: false\n", "http_server_config: not supported");
	bad(&st, "basic_auth_users:\n  u: plaintext\n", "u: not a bcrypt hash");
	bad(&st, "basic_auth_users:\n  u: $2y$1\n  u: $2y$2\n", "u twice");
	bad(&st, "basic_auth_users: [a, b]\n", "must be a mapping");
	bad(&st, "- a\n- b\n", "must be a mapping");
	bad(&st, "tls_server_config: {cert_file: [x]}\n", "keys and values are strings");
	bad(&st, "a: [unclosed\n", "line ");
	return st.failed ? 1 : 0;
}
