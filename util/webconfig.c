// SPDX-License-Identifier: MIT
/*
 * webconfig.c - --serve's web configuration file (webconfig.h), read as a
 * YAML document with libyaml.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "webconfig.h"

static int fail(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A scalar node's text, or NULL. */
static const char *scalar(yaml_document_t *doc, int id)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);

	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int dup_into(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

static int parse_tls(yaml_document_t *doc, yaml_node_t *map, struct webconfig *wc, char *why,
		     size_t size)
{
	yaml_node_pair_t *p;
	int err;

	if (map->type != YAML_MAPPING_NODE)
		return fail(why, size, "tls_server_config: must be a mapping");
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(doc, p->key), *v = scalar(doc, p->value);

		if (!k || !v)
			return fail(why, size, "tls_server_config: keys and values are strings");
		if (!strcmp(k, "cert_file"))
			err = dup_into(&wc->cert_file, v);
		else if (!strcmp(k, "key_file"))
			err = dup_into(&wc->key_file, v);
		else
			return fail(why, size, "tls_server_config: %s: not supported (cert_file and "
				    "key_file are)", k);
		if (err)
			return err;
	}
	if (!wc->cert_file || !wc->key_file || !*wc->cert_file || !*wc->key_file)
		return fail(why, size, "tls_server_config: needs both cert_file and key_file");
	return 0;
}

static int parse_users(yaml_document_t *doc, yaml_node_t *map, struct webconfig *wc, char *why,
		       size_t size)
{
	yaml_node_pair_t *p;

	if (map->type != YAML_MAPPING_NODE)
		return fail(why, size, "basic_auth_users: must be a mapping of user: bcrypt hash");
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(doc, p->key), *v = scalar(doc, p->value);
		struct webconfig_user *u;
		int i;

		if (!k || !v || !*k || strchr(k, ':'))
			return fail(why, size, "basic_auth_users: a user is a name without ':' and "
				    "its bcrypt hash");
		if (strncmp(v, "$2a$", 4) && strncmp(v, "$2b$", 4) && strncmp(v, "$2y$", 4))
			return fail(why, size, "basic_auth_users: %s: not a bcrypt hash ($2y$...)", k);
		for (i = 0; i < wc->nr_users; i++) {
			if (!strcmp(wc->users[i].name, k))
				return fail(why, size, "basic_auth_users: %s twice", k);
		}
		if (wc->nr_users == WEBCONFIG_MAX_USERS)
			return fail(why, size, "basic_auth_users: more than %d users",
				    WEBCONFIG_MAX_USERS);
		u = &wc->users[wc->nr_users];
		u->name = strdup(k);
		u->hash = strdup(v);
		wc->nr_users++;
		if (!u->name || !u->hash)
			return -ENOMEM;
	}
	return 0;
}

static int parse_root(yaml_document_t *doc, struct webconfig *wc, char *why, size_t size)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_pair_t *p;
	int err;

	if (!root)
		return 0;	/* an empty file: plain HTTP, no users */
	if (root->type == YAML_SCALAR_NODE && !root->data.scalar.length)
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return fail(why, size, "must be a mapping (tls_server_config, basic_auth_users)");
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *k = scalar(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);

		if (!k || !v)
			return fail(why, size, "a key that is not a string");
		if (!strcmp(k, "tls_server_config"))
			err = parse_tls(doc, v, wc, why, size);
		else if (!strcmp(k, "basic_auth_users"))
			err = parse_users(doc, v, wc, why, size);
		else
			return fail(why, size, "%s: not supported (tls_server_config and "
				    "basic_auth_users are)", k);
		if (err)
			return err;
	}
	return 0;
}

int webconfig__parse(const char *text, size_t len, struct webconfig *out, char *why,
		     size_t size)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int err;

	memset(out, 0, sizeof(*out));
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		err = fail(why, size, "line %zu: %s", parser.problem_mark.line + 1,
			   parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return err;
	}
	err = parse_root(&doc, out, why, size);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (err)
		webconfig__free(out);
	return err;
}

void webconfig__free(struct webconfig *wc)
{
	int i;

	free(wc->cert_file);
	free(wc->key_file);
	for (i = 0; i < wc->nr_users; i++) {
		free(wc->users[i].name);
		free(wc->users[i].hash);
	}
	memset(wc, 0, sizeof(*wc));
}
