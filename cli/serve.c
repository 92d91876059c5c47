// SPDX-License-Identifier: MIT
/*
 * serve.c - `--serve HOST:PORT`: GET /metrics answers the Prometheus text
 * the command renders at that moment (reading the kernel's maps then, and
 * doing no work between scrapes), GET /healthz 200 once attached, anything
 * else 404. libmicrohttpd runs without a thread of its own: the runner's
 * loop waits on its epoll fd beside the ring buffer's and pumps it, so a
 * render never races the attach logic and a scrape is answered at once, and a slow or hostile client (timeouts, a connection
 * limit, non-blocking sockets) cannot stall either. The library (and the
 * TLS stack it links) is loaded only when --serve is given: every other
 * run starts without it. --web-config (util/webconfig.h) adds TLS (the
 * certificate and key read at start) and basic auth: every request must
 * carry a user of the file whose password matches its bcrypt hash
 * (crypt(3)), else 401.
 */
#include <arpa/inet.h>
#include <crypt.h>
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/webconfig.h"
#include "../writer/metrics.h"
#include "../writer/prom.h"
#include "report.h"
#include "serve.h"

#define SERVE_CONN_LIMIT	64
#define SERVE_TIMEOUT_S		10

/* The libmicrohttpd calls used, from dlopen(). */
struct mhd_api {
	void *lib;
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
					   MHD_AcceptPolicyCallback apc, void *apc_cls,
					   MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
	enum MHD_Result (*run)(struct MHD_Daemon *d);
	struct MHD_Response *(*create_response)(size_t size, void *buf,
						enum MHD_ResponseMemoryMode mode);
	enum MHD_Result (*add_header)(struct MHD_Response *r, const char *h, const char *v);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status,
					  struct MHD_Response *r);
	void (*destroy_response)(struct MHD_Response *r);
	const union MHD_DaemonInfo *(*get_info)(struct MHD_Daemon *d, enum MHD_DaemonInfoType t,
						...);
	enum MHD_Result (*get_timeout)(struct MHD_Daemon *d, MHD_UNSIGNED_LONG_LONG *timeout);
	char *(*auth_get)(struct MHD_Connection *c, char **password);
	enum MHD_Result (*auth_fail)(struct MHD_Connection *c, const char *realm,
				     struct MHD_Response *r);
	void (*free)(void *p);
};

#define MHD_LIB		"libmicrohttpd.so.12"

static int mhd_load(struct mhd_api *m)
{
	m->lib = dlopen(MHD_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!m->lib)
		return -ENOENT;
	*(void **)&m->start_daemon = dlsym(m->lib, "MHD_start_daemon");
	*(void **)&m->stop_daemon = dlsym(m->lib, "MHD_stop_daemon");
	*(void **)&m->run = dlsym(m->lib, "MHD_run");
	*(void **)&m->create_response = dlsym(m->lib, "MHD_create_response_from_buffer");
	*(void **)&m->add_header = dlsym(m->lib, "MHD_add_response_header");
	*(void **)&m->queue_response = dlsym(m->lib, "MHD_queue_response");
	*(void **)&m->destroy_response = dlsym(m->lib, "MHD_destroy_response");
	*(void **)&m->get_info = dlsym(m->lib, "MHD_get_daemon_info");
	*(void **)&m->get_timeout = dlsym(m->lib, "MHD_get_timeout");
	*(void **)&m->auth_get = dlsym(m->lib, "MHD_basic_auth_get_username_password");
	*(void **)&m->auth_fail = dlsym(m->lib, "MHD_queue_basic_auth_fail_response");
	*(void **)&m->free = dlsym(m->lib, "MHD_free");
	if (!m->start_daemon || !m->stop_daemon || !m->run || !m->create_response ||
	    !m->add_header || !m->queue_response || !m->destroy_response || !m->get_info ||
	    !m->get_timeout || !m->auth_get || !m->auth_fail || !m->free) {
		dlclose(m->lib);
		return -ENOSYS;
	}
	return 0;
}

struct serve {
	struct mhd_api api;
	struct MHD_Daemon *mhd;
	struct webconfig wc;		/* --web-config: its users, if any */
	char *cert, *key;		/* PEM, read at start */
	/* per user: the password its hash last accepted (bcrypt is slow on purpose) */
	char *accepted[WEBCONFIG_MAX_USERS];
	serve_render_fn render;
	void *ctx;
	struct attach_session *session;	/* set by the first pump: attached */
	int fd;				/* libmicrohttpd's epoll fd */
	uint64_t scrapes;
};

static enum MHD_Result reply(const struct serve *sv, struct MHD_Connection *conn,
			     unsigned int status, const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = sv->api.create_response(len, body, mode);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	sv->api.add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = sv->api.queue_response(conn, status, resp);
	sv->api.destroy_response(resp);
	return ret;
}

static enum MHD_Result metrics(struct serve *sv, struct MHD_Connection *conn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return MHD_NO;
	err = sv->render(sv->ctx, sv->session, f);
	if (fclose(f) || err) {
		free(buf);
		return reply(sv, conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     "reading the kernel's counters failed\n", 37, MHD_RESPMEM_PERSISTENT);
	}
	sv->scrapes++;
	return reply(sv, conn, MHD_HTTP_OK, PROM_CONTENT_TYPE, buf, len, MHD_RESPMEM_MUST_FREE);
}

/* Equal strings, in a time that does not tell where they differ. */
static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

/* Does @user with @pass match a user of the web config? */
static bool password_ok(struct serve *sv, const char *user, const char *pass)
{
	struct crypt_data cd;
	const char *h;
	int i;

	for (i = 0; i < sv->wc.nr_users; i++) {
		if (strcmp(sv->wc.users[i].name, user))
			continue;
		if (sv->accepted[i] && same_secret(sv->accepted[i], pass))
			return true;
		memset(&cd, 0, sizeof(cd));
		h = crypt_r(pass, sv->wc.users[i].hash, &cd);
		if (!h || !same_secret(h, sv->wc.users[i].hash))
			return false;
		free(sv->accepted[i]);
		sv->accepted[i] = strdup(pass);
		return true;
	}
	return false;
}

/* With users configured: the request's basic auth checked, else 401 queued. */
static bool authorized(struct serve *sv, struct MHD_Connection *conn, enum MHD_Result *ret)
{
	static char denied[] = "401: a user and password of the web config are needed\n";
	char *pass = NULL, *user;
	struct MHD_Response *resp;
	bool ok;

	if (!sv->wc.nr_users)
		return true;
	user = sv->api.auth_get(conn, &pass);
	ok = user && pass && password_ok(sv, user, pass);
	if (user)
		sv->api.free(user);
	if (pass)
		sv->api.free(pass);
	if (ok)
		return true;
	resp = sv->api.create_response(strlen(denied), denied, MHD_RESPMEM_PERSISTENT);
	*ret = resp ? sv->api.auth_fail(conn, "usdtrace", resp) : MHD_NO;
	if (resp)
		sv->api.destroy_response(resp);
	return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	static char not_found[] = "not found: GET /metrics or /healthz\n";
	static char ok[] = "ok\n", starting[] = "attaching\n";
	struct serve *sv = cls;
	enum MHD_Result ret;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (!authorized(sv, conn, &ret))
		return ret;
	if (strcmp(method, MHD_HTTP_METHOD_GET))
		return reply(sv, conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", not_found,
			     strlen(not_found), MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/metrics") && sv->session)
		return metrics(sv, conn);
	if (!strcmp(url, "/healthz"))
		return sv->session ? reply(sv, conn, MHD_HTTP_OK, "text/plain", ok, strlen(ok),
					 MHD_RESPMEM_PERSISTENT) :
				   reply(sv, conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
					 starting, strlen(starting), MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/metrics"))
		return reply(sv, conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", starting,
			     strlen(starting), MHD_RESPMEM_PERSISTENT);
	return reply(sv, conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found, strlen(not_found),
		     MHD_RESPMEM_PERSISTENT);
}

/* Why the address cannot be listened on, as a bind of our own finds out. */
static const char *bind_why(const struct sockaddr_storage *ss)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, err = 0;
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in);

	if (fd < 0)
		return strerror(errno);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len))
		err = errno;
	close(fd);
	switch (err) {
	case EADDRINUSE:
		return "the port is in use";
	case EADDRNOTAVAIL:
		return "not an address of this machine";
	case EACCES:
		return "a port below 1024 needs CAP_NET_BIND_SERVICE";
	case 0:
		return "the HTTP server did not start";
	default:
		return strerror(err);
	}
}

/*
 * "HOST:PORT" ("127.0.0.1:9435", "[::1]:9435", ":9435" for every address).
 * -ERANGE for a PORT that is not 1..65535 (getaddrinfo would take 99999
 * modulo 2^16), -EINVAL for anything else that is not an address.
 */
static int parse_addr(const char *hostport, struct sockaddr_storage *ss)
{
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE |
				  AI_NUMERICSERV }, *res;
	char host[256], *end;
	long port;
	size_t n;
	int err;

	if (!colon)
		return -EINVAL;
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port < 1 || port > 65535)
		return -ERANGE;
	n = (size_t)(colon - hostport);
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, hostport, n);
	host[n] = '\0';
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	err = getaddrinfo(n ? host : NULL, colon + 1, &hints, &res);
	if (err)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

void serve_common_families(FILE *out, struct attach_session *s, uint64_t folded)
{
	struct attach_stats st;
	struct metrics_run run;

	attach_session__stats(s, &st);
	run = (struct metrics_run){ .dropped = attach_session__dropped(s),
				    .filtered = attach_session__filtered(s),
				    .sites = (uint64_t)st.sites, .folded = folded };
	metrics_run(out, &run);
}

/* The whole of file @path, NUL-terminated, into *@out; -errno. */
static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t n = 0;
	int err = 0;

	if (!f)
		return -errno;
	buf = malloc(1 << 20);
	if (buf)
		n = fread(buf, 1, (1 << 20) - 1, f);
	if (!buf)
		err = -ENOMEM;
	else if (ferror(f))
		err = -EIO;
	else if (!feof(f))
		err = -EFBIG;
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* --web-config: the file parsed, its certificate and key read; one line when not. */
static int load_web_config(struct serve *sv, const char *path)
{
	char why[256], *text;
	size_t len;
	int err;

	err = slurp(path, &text, &len);
	if (err) {
		usdtrace_err("--web-config %s: %s", path, strerror(-err));
		return err;
	}
	err = webconfig__parse(text, len, &sv->wc, why, sizeof(why));
	free(text);
	if (err) {
		usdtrace_err("--web-config %s: %s", path, err == -ENOMEM ? strerror(ENOMEM) : why);
		return err;
	}
	if (!sv->wc.cert_file)
		return 0;
	if ((err = slurp(sv->wc.cert_file, &sv->cert, &len)) ||
	    (err = slurp(sv->wc.key_file, &sv->key, &len))) {
		usdtrace_err("--web-config %s: %s: %s", path,
			     sv->cert ? sv->wc.key_file : sv->wc.cert_file, strerror(-err));
		return err;
	}
	if (!strstr(sv->cert, "-----BEGIN CERTIFICATE-----") ||
	    !strstr(sv->key, "PRIVATE KEY-----")) {
		usdtrace_err("--web-config %s: %s", path, !strstr(sv->cert, "-----BEGIN "
			     "CERTIFICATE-----") ? "cert_file: not a PEM certificate" :
			     "key_file: not a PEM private key");
		return -EINVAL;
	}
	return 0;
}

static void serve_free(struct serve *sv)
{
	int i;

	for (i = 0; i < WEBCONFIG_MAX_USERS; i++)
		free(sv->accepted[i]);
	webconfig__free(&sv->wc);
	free(sv->cert);
	free(sv->key);
	if (sv->api.lib)
		dlclose(sv->api.lib);
	free(sv);
}

int serve__start(const struct serve_opts *so, serve_render_fn render, void *ctx,
		 struct serve **out)
{
	const char *hostport = so->addr;
	struct sockaddr_storage ss = {};
	const union MHD_DaemonInfo *info;
	struct serve *sv;
	/* quiet (failures are said here, one line); one epoll fd to wait on */
	unsigned int flags = MHD_USE_EPOLL;
	int err;

	err = parse_addr(hostport, &ss);
	if (err) {
		usdtrace_err("--serve %s: %s", hostport, err == -ERANGE ?
			     "must be HOST:PORT with PORT 1..65535" :
			     "not HOST:PORT (127.0.0.1:9435)");
		return -EINVAL;
	}
	sv = calloc(1, sizeof(*sv));
	if (!sv)
		return -ENOMEM;
	if (so->web_config && load_web_config(sv, so->web_config)) {
		serve_free(sv);
		return -EINVAL;
	}
	if (mhd_load(&sv->api)) {
		usdtrace_err("--serve: %s is not there (Debian: apt-get install libmicrohttpd12)",
			     MHD_LIB);
		sv->api.lib = NULL;
		serve_free(sv);
		return -ENOENT;
	}
	sv->render = render;
	sv->ctx = ctx;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (sv->cert)
		flags |= MHD_USE_TLS;
	/* no thread of its own: the runner's loop pumps it (serve__pump); the
	 * TLS options last, so that without TLS they end the list */
	sv->mhd = sv->api.start_daemon(flags, 0, NULL, NULL, on_request, sv,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				   MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_CONN_LIMIT,
				   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SERVE_TIMEOUT_S,
				   sv->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, sv->cert,
				   MHD_OPTION_HTTPS_MEM_KEY, sv->key, MHD_OPTION_END);
	if (!sv->mhd) {
		usdtrace_err("--serve %s: cannot listen there: %s", hostport,
			     sv->cert ? "the TLS certificate and key do not make a server (a "
			     "key of another certificate?), or the address" : bind_why(&ss));
		serve_free(sv);
		return -EADDRINUSE;
	}
	info = sv->api.get_info(sv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	sv->fd = info ? info->epoll_fd : -1;
	*out = sv;
	return 0;
}

/* Passes of the server a pump makes at most while it has more to do at once. */
#define SERVE_PUMP_PASSES	256

void serve__pump(struct serve *sv, struct attach_session *s)
{
	MHD_UNSIGNED_LONG_LONG wait;
	int i;

	if (!sv)
		return;
	sv->session = s;
	/*
	 * A TLS answer leaves a record at a time: the server says (a timeout
	 * of 0) that it can go on now, which its epoll fd, edge-triggered,
	 * does not say again. Without this, each record waited for the
	 * runner's next poll timeout.
	 */
	for (i = 0; i < SERVE_PUMP_PASSES; i++) {
		sv->api.run(sv->mhd);
		if (sv->api.get_timeout(sv->mhd, &wait) != MHD_YES || wait)
			break;
	}
}

int serve__fd(const struct serve *sv)
{
	return sv ? sv->fd : -1;
}

void serve__stop(struct serve *sv)
{
	if (!sv)
		return;
	sv->api.stop_daemon(sv->mhd);
	serve_free(sv);
}
