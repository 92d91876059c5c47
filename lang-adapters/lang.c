// SPDX-License-Identifier: MIT
/*
 * lang.c - the runtime adapter tables (see lang.h).
 *
 * The adapters themselves live one per file (python.c, java.c, ruby.c,
 * php.c), each a table entry; this file finds them and formats names.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "../arch/regs.h"
#include "../sql/normalize.h"
#include "lang.h"

static const struct lang_adapter *const adapters[] = {
	&lang_python, &lang_java, &lang_ruby, &lang_php, &lang_postgresql, &lang_libvirt,
};

const char *lang_gap__find(bool (*match)(const void *ctx, const char *provider,
					 const char *name),
			   const void *ctx, const char **probe)
{
	char buf[64], *colon;
	size_t i, k;

	for (i = 0; i < sizeof(adapters) / sizeof(adapters[0]); i++) {
		for (k = 0; k < 3 && adapters[i]->gap_probes[k]; k++) {
			snprintf(buf, sizeof(buf), "%s", adapters[i]->gap_probes[k]);
			colon = strchr(buf, ':');
			if (!colon)
				continue;
			*colon = '\0';
			if (match(ctx, buf, colon + 1)) {
				*probe = adapters[i]->gap_probes[k];
				return adapters[i]->quirk;
			}
		}
	}
	return NULL;
}

const struct lang_adapter *lang_adapter__find(const char *lang)
{
	size_t i;

	for (i = 0; i < sizeof(adapters) / sizeof(adapters[0]); i++) {
		if (!strcmp(adapters[i]->lang, lang))
			return adapters[i];
	}
	return NULL;
}

const struct lang_unsafe *lang_unsafe__find(const char *path, const char *provider,
					    const char *name)
{
	const char *base = strrchr(path, '/');
	char probe[256];
	size_t i, k;

	base = base ? base + 1 : path;
	snprintf(probe, sizeof(probe), "%s:%s", provider, name);
	for (i = 0; i < sizeof(adapters) / sizeof(adapters[0]); i++) {
		for (k = 0; k < LANG_MAX_UNSAFE && adapters[i]->unsafe[k].probe; k++) {
			const struct lang_unsafe *u = &adapters[i]->unsafe[k];

			if (!strncmp(base, u->object, strlen(u->object)) &&
			    !fnmatch(u->probe, probe, 0))
				return u;
		}
	}
	return NULL;
}

enum lang_verdict lang_unsafe__policy(const char *path, const char *provider, const char *name,
				     bool allow, bool leave_off, const struct lang_unsafe **u)
{
	*u = lang_unsafe__find(path, provider, name);
	if (!*u || allow)
		return LANG_ATTACH;
	return leave_off ? LANG_LEAVE_OFF : LANG_REFUSE;
}

const char *lang_adapter__names(void)
{
	return "python, java, ruby, php, postgresql, libvirt";
}

bool lang_adapter__queries(const struct lang_adapter *a)
{
	const struct lang_probe *p;

	return lang_adapter__select(a, 1u << LANG_QUERY_BEGIN, &p, 1) > 0;
}

bool lang_adapter__rpcs(const struct lang_adapter *a)
{
	return a->rpc != NULL;
}

const char *lang_lock_mode(const struct lang_adapter *a, uint64_t mode)
{
	uint64_t i;

	for (i = 0; a->db && a->db->lock_modes && a->db->lock_modes[i]; i++) {
		if (i == mode)
			return a->db->lock_modes[i];
	}
	return NULL;
}

int lang_adapter__select(const struct lang_adapter *a, unsigned int mask,
			 const struct lang_probe **out, int max)
{
	int i, n = 0;

	for (i = 0; i < LANG_MAX_PROBES && a->probes[i].text; i++) {
		if ((mask & (1u << a->probes[i].event)) && n < max)
			out[n++] = &a->probes[i];
	}
	return n;
}

void lang_method_name(const struct lang_adapter *a, const char *const parts[3], char *buf,
		      size_t size)
{
	const char *p0 = parts[0] ? parts[0] : "", *p1 = parts[1] ? parts[1] : "";
	size_t i, n;

	switch (a->style) {
	case LANG_NAME_FILE_FUNC:
		snprintf(buf, size, "%s:%s", p0, p1);
		break;
	case LANG_NAME_JAVA:
		n = (size_t)snprintf(buf, size, "%s.%s", p0, p1);
		/* java/lang/String -> java.lang.String, in the class part only */
		for (i = 0; i < strlen(p0) && i < size && i < n; i++) {
			if (buf[i] == '/')
				buf[i] = '.';
		}
		break;
	case LANG_NAME_RUBY:
		snprintf(buf, size, "%s#%s", p0, p1);
		break;
	case LANG_NAME_PHP:
		if (*p0)
			snprintf(buf, size, "%s::%s", p0, p1);
		else
			snprintf(buf, size, "%s", p1);
		break;
	case LANG_NAME_TEXT:
		snprintf(buf, size, "%s", p0);
		break;
	}
}

bool lang_method_glob_split(const struct lang_adapter *a, const char *glob, char *cls,
			    size_t csize, char *meth, size_t msize)
{
	static const char *const seps[] = {
		[LANG_NAME_FILE_FUNC] = ":", [LANG_NAME_JAVA] = ".", [LANG_NAME_RUBY] = "#",
		[LANG_NAME_PHP] = "::", [LANG_NAME_TEXT] = NULL,
	};
	const char *sep = seps[a->style], *at = NULL, *p;
	size_t n, i;

	if (!sep)
		return false;
	for (p = strstr(glob, sep); p; p = strstr(p + 1, sep))
		at = p;		/* the last: a class's package has dots too */
	if (!at || at == glob || (size_t)(at - glob) >= csize || !at[strlen(sep)])
		return false;
	n = (size_t)(at - glob);
	memcpy(cls, glob, n);
	cls[n] = '\0';
	for (i = 0; a->style == LANG_NAME_JAVA && i < n; i++) {
		if (cls[i] == '.')
			cls[i] = '/';	/* java.lang.String as HotSpot passes it */
	}
	snprintf(meth, msize, "%s", at + strlen(sep));
	return true;
}

bool lang_adapter__flag_present(const struct lang_adapter *a, const char *cmdline,
				size_t len)
{
	size_t n, i;

	if (!a->needs)
		return true;
	n = strlen(a->needs);
	/* NUL-separated argv or environ: search across the separators */
	for (i = 0; i + n <= len; i++) {
		if (!memcmp(cmdline + i, a->needs, n))
			return true;
	}
	return false;
}

static uint32_t word_hash(const char *w)
{
	uint32_t h = UT_WORD_HASH_INIT;

	for (; *w; w++)
		h = ut_word_hash(h, (uint8_t)*w);
	return h;
}

int lang_db__layout(const struct lang_adapter *a, int major, struct ut_pg_layout *out)
{
	const struct lang_db_layout *d;
	int i;

	if (!a->db || !a->db->layouts)
		return -ENOENT;
	for (d = a->db->layouts; d->major && d->major != major; d++)
		;
	if (!d->major)
		return -ENOENT;
	*out = d->l;
	out->sp_off = (uint16_t)regs_sp_offset(regs_host_machine());
	out->word_by = word_hash("by");
	out->word_group = word_hash("group");
	out->word_order = word_hash("order");
	for (i = 0; i < UT_STMT_TYPMOD_WORDS && sql_typmod_types[i]; i++)
		out->word_typmod[i] = word_hash(sql_typmod_types[i]);
	return 0;
}

int lang_db__version_in(const struct lang_adapter *a, const char *buf, size_t n)
{
	size_t tl = a->db && a->db->version_tag ? strlen(a->db->version_tag) : 0, i;
	int v = 0;

	if (!tl)
		return 0;
	for (i = 0; i + tl < n; i++) {
		if (memcmp(buf + i, a->db->version_tag, tl))
			continue;
		for (i += tl; i < n && buf[i] >= '0' && buf[i] <= '9' && v < 10000; i++)
			v = v * 10 + (buf[i] - '0');
		return v;
	}
	return 0;
}
